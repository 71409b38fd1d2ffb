"""The practice room: the real bot, its own Bot API server and the web chat, on one port.

`PracticeRoom.start(settings, options)` fills the room's register (bot.services.sandbox),
serves on HOST:PORT the Bot API (/bot<token>/…, bot.sandbox.botapi) and the page
(static/), then starts the bot as `dondoc run` does — `build_application`, its handlers,
JobQueue, outbox and sender — pointed at that server, with a clock of its own.

The page's API (JSON; errors are 4xx with {"error": "..."} in the room's language):
  GET  /api/people              who may be chosen, grouped: admins, leaders, each unit, others
  GET  /api/chat/<user_id>      a chat: language, command menu, reply keyboard, messages
  GET  /api/events/<user_id>    Server-Sent Events: message (new or edited), commands,
                                keyboard, callback_answer, refusal, clock; ": ping" every 15 s
  POST /api/send/<user_id>      {"text", "reply_to"}: the person writes
  POST /api/upload/<user_id>    multipart file, caption, reply_to: the person sends a file
  POST /api/press/<user_id>     {"message_id", "callback_data"}: the person presses a button
  POST /api/contact/<user_id>   the person shares their own number
  POST /api/next-day            the clock to the next working day's round, and the round
  GET  /files/<file_id>         a photo or a file of a chat
Off loopback every request but the bot's needs the trainer code's cookie (GET /?code=…).

Who is who: the person with id N is the Telegram user 7.000.000 + N; 7.000.000 is a
stranger the register does not know. The first time a person is chosen on the page, the
room shares that person's own phone number with the bot as they would (the contact button),
so the bot's own onboarding links them and they can start at once; `?link=0` leaves the
/start and «Chia sẻ số điện thoại» to the trainee.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import mimetypes
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web
from pydantic import SecretStr

from bot.app import DondocApplication, build_application, start_in_loop, stop_in_loop
from bot.clock import ShiftedClock
from bot.config import Settings, TelegramSettings
from bot.formats import format_int
from bot.models import Person, Role
from bot.sandbox.botapi.models import CallbackAnswer, Refusal, TgMessage, TgUser
from bot.sandbox.botapi.rules import MAX_TEXT
from bot.sandbox.botapi.server import BotApiServer
from bot.sandbox.render import message_json
from bot.services import accounts, sandbox
from bot.texts import plain
from storage import Database

log = logging.getLogger(__name__)

__all__ = ["USER_OFFSET", "PracticeRoom", "RoomOptions", "user_id_of"]

JsonDict = dict[str, Any]
STATIC = Path(__file__).with_name("static")
USER_OFFSET = 7_000_000  # the person with id N is the Telegram user USER_OFFSET + N
STRANGER_ID = USER_OFFSET  # no person has id 0
BOT_ID = 6_999_999
BOT_USERNAME = "dondoc_practice_bot"
COOKIE = "dondoc_sandbox"
STRANGER_PHONE = "+84 200 000 000"  # a number nobody in the register has
MAX_UPLOAD = 20 * 1024 * 1024  # what a bot may download from Telegram
HISTORY = 200  # messages GET /api/chat gives
PING_SECONDS = 15.0
START_TIME = time(9, 0)  # the room opens at 09:00 of its first day: office hours
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_EVERY_ADDRESS = frozenset({"", "0.0.0.0", "::"})
_ROLE_ORDER = {Role.HEAD: 0, Role.OFFICER: 1}


def user_id_of(person: Person) -> int:
    return USER_OFFSET + person.id


def is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def new_code() -> str:
    """A trainer code to read out to a room: 8 characters nobody misreads."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class RoomOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    data: Path = Path("data/sandbox")
    today: date | None = None
    fresh: bool = False
    code: str | None = None  # None: none on loopback, a new one on any other host


def room_settings(settings: Settings, data: Path, base: str, token: str) -> Settings:
    """The configured settings, but the room's own register and its own Bot API server; the
    configured [telegram] section (the token above all) is never read."""
    telegram = TelegramSettings(
        token=SecretStr(token),
        api_base_url=f"{base}/bot",
        api_base_file_url=f"{base}/file/bot",
        bot_username=BOT_USERNAME,
    )
    database = settings.database.model_copy(
        update={"path": sandbox.database_path(data), "backup_dir": data / "backups"}
    )
    return settings.model_copy(update={"telegram": telegram, "database": database})


class PracticeRoom:
    """A running practice room; `await room.stop()` ends it."""

    def __init__(self, settings: Settings, options: RoomOptions, clock: ShiftedClock) -> None:
        self.options = options
        self.lang = settings.organization.language
        self.tz = settings.organization.tz
        self.clock = clock
        self.code = options.code
        if self.code is None and not is_loopback(options.host):
            self.code = new_code()
        self._session = secrets.token_urlsafe(24)  # the cookie's value once the code is given
        token = f"{BOT_ID}:{secrets.token_urlsafe(30)}"  # new at each start, never a real one
        self.server = BotApiServer(
            token=token,
            bot_username=BOT_USERNAME,
            bot_first_name=plain(self.lang, "sandbox.bot_name"),
            host=options.host,
            port=options.port,
            wall_clock=lambda: clock.now().timestamp(),
        )
        self.server.listeners.append(self._heard)
        self.base_settings = settings
        self.settings = settings
        self.filled: sandbox.Filled | None = None
        self.application: DondocApplication | None = None
        self._streams: dict[int, set[asyncio.Queue[tuple[str, Any] | None]]] = {}
        self._keyboards: dict[int, JsonDict | None] = {}
        self._menus: dict[int, list[JsonDict]] = {}
        self._chosen: set[int] = set()

    # ----------------------------------------------------------------- start and stop

    @classmethod
    async def start(cls, settings: Settings, options: RoomOptions) -> PracticeRoom:
        tz = settings.organization.tz
        first_day = options.today or datetime.now(tz).date()
        clock = ShiftedClock(datetime.combine(first_day, START_TIME, tzinfo=tz))
        room = cls(settings, options, clock)
        room.filled = await sandbox.prepare(
            options.data, today=clock.today(), now=clock.now(), fresh=options.fresh
        )
        saved = await asyncio.to_thread(sandbox.saved_moment, options.data)
        if options.today is None and saved is not None:
            clock.set(saved)  # the days the trainer moved on stay moved on
        app = room.server.web_application()
        app.middlewares.append(room._guard)
        room._add_routes(app)
        room.server.add_routes(app)
        await room.server.serve(app)
        try:
            await room._start_bot()
        except BaseException:
            await room.server.stop()
            raise
        return room

    async def _start_bot(self) -> None:
        base = self.url.rstrip("/")
        self.settings = room_settings(
            self.base_settings, self.options.data, base, self.server.token
        )
        application = build_application(self.settings, clock=self.clock)
        self.application = application
        await start_in_loop(application)
        for person in await sandbox.everyone(self.db):
            if person.telegram_id == user_id_of(person):  # linked in an earlier session
                self._user(person).started = True

    async def stop(self) -> None:
        """Stop the bot (as `dondoc run` does on Ctrl-C), then the server and its streams."""
        for queues in self._streams.values():
            for queue in queues:
                queue.put_nowait(None)
        self.server.close_polls()
        application, self.application = self.application, None
        if application is not None:
            await stop_in_loop(application)
        await self.server.stop()

    @property
    def url(self) -> str:
        """Where this machine reaches the room (loopback when it listens on every address)."""
        host = self.options.host
        shown = "127.0.0.1" if host in _EVERY_ADDRESS else host
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{self.server.port}/"

    # ----------------------------------------------------------------- the register

    @property
    def db(self) -> Database:
        """The bot's own connection to the room's register."""
        assert self.application is not None, "the bot is not running"
        services = self.application.bot_data.services
        assert services is not None
        return services.db

    async def _person(self, user_id: int) -> Person | None:
        if user_id <= USER_OFFSET:
            return None
        return await accounts.person_by_id(self.db, user_id - USER_OFFSET)

    def _user(self, person: Person | None) -> TgUser:
        if person is None:
            name = plain(self.lang, "sandbox.stranger_name")
            return self.server.user(STRANGER_ID, name, language_code=self.lang)
        return self.server.user(user_id_of(person), person.name, language_code=person.language)

    async def _chat_user(self, request: web.Request) -> tuple[TgUser, Person | None]:
        """The person (or the stranger) the request's <user_id> stands for; 404 otherwise."""
        try:
            user_id = int(request.match_info["user_id"])
        except ValueError:
            raise _error(404, self.lang, "sandbox.error.no_person") from None
        person = await self._person(user_id)
        if person is None and user_id != STRANGER_ID:
            raise _error(404, self.lang, "sandbox.error.no_person")
        return self._user(person), person

    # ----------------------------------------------------------------- events to the page

    def _push(self, user_id: int, event: str, data: Any) -> None:
        for queue in self._streams.get(user_id, ()):
            queue.put_nowait((event, data))

    def _heard(self, kind: str, subject: Any) -> None:
        """What the Bot API server tells: pass it to the page(s) of the chat it concerns."""
        if kind == "message":
            assert isinstance(subject, TgMessage)
            self._message_heard(subject)
        elif kind == "callback_answer":
            assert isinstance(subject, CallbackAnswer)
            answer = {"text": subject.text or "", "show_alert": subject.show_alert}
            self._push(subject.user_id, "callback_answer", answer)
        elif kind == "commands":
            for user_id in self._streams:
                self._menu_changed(user_id)
        elif kind == "refusal":
            assert isinstance(subject, Refusal)
            self._refusal_heard(subject)

    def _message_heard(self, message: TgMessage) -> None:
        chat_id = message.chat_id
        self._push(chat_id, "message", message_json(message, self.tz))
        sent = message.sent_reply_markup if message.from_bot else None
        if isinstance(sent, dict) and ("keyboard" in sent or "remove_keyboard" in sent):
            keyboard = _reply_keyboard(sent)
            if keyboard != self._keyboards.get(chat_id):
                self._keyboards[chat_id] = keyboard
                self._push(chat_id, "keyboard", {"reply_keyboard": keyboard})

    def _menu_changed(self, user_id: int) -> None:
        menu = self._menu(user_id)
        if menu != self._menus.get(user_id):
            self._menus[user_id] = menu
            self._push(user_id, "commands", {"commands": menu})

    def _menu(self, user_id: int) -> list[JsonDict]:
        found = self.server.commands_for(user_id)
        return [{"command": command, "description": text} for command, text in found]

    def _refusal_heard(self, refusal: Refusal) -> None:
        params = refusal.params
        log.warning("Telegram would refuse %s: %s", refusal.method, refusal.reason)
        chat_id = params.get("chat_id")
        if chat_id is None and "callback_query_id" in params:
            chat_id = self.server.callback_user(str(params["callback_query_id"]))
        if chat_id is None and isinstance(params.get("scope"), dict):
            chat_id = params["scope"].get("chat_id")
        if isinstance(chat_id, int):
            shown = {"method": refusal.method, "description": refusal.reason}
            self._push(chat_id, "refusal", shown)

    # ----------------------------------------------------------------- web

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._index)
        app.router.add_static("/static", STATIC, append_version=False)
        app.router.add_get("/api/people", self._people_api)
        app.router.add_get("/api/chat/{user_id}", self._chat_api)
        app.router.add_get("/api/events/{user_id}", self._events_api)
        app.router.add_post("/api/send/{user_id}", self._send_api)
        app.router.add_post("/api/upload/{user_id}", self._upload_api)
        app.router.add_post("/api/press/{user_id}", self._press_api)
        app.router.add_post("/api/contact/{user_id}", self._contact_api)
        app.router.add_post("/api/next-day", self._next_day_api)
        app.router.add_get("/files/{file_id}", self._file_api)

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Off loopback, nobody enters without the trainer's code (then a cookie)."""
        path = request.path
        if path.startswith(("/bot", "/file/bot")):
            return await handler(request)  # the bot's own calls: the token guards them
        if self.code is None or hmac.compare_digest(request.cookies.get(COOKIE, ""), self._session):
            try:
                response: web.StreamResponse = await handler(request)
            except _Refused as refused:
                response = _json(refused.status, {"error": refused.message})
        elif path == "/" and "code" in request.query:
            if not hmac.compare_digest(request.query["code"].strip().lower(), self.code):
                return self._closed_door(wrong=True)
            found = web.Response(status=302, headers={"Location": "/"})
            found.set_cookie(COOKIE, self._session, httponly=True, samesite="Strict", path="/")
            return found
        elif path.startswith(("/api/", "/files/")):
            return _json(403, {"error": plain(self.lang, "sandbox.error.code_needed")})
        else:
            return self._closed_door(wrong=False)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    def _closed_door(self, *, wrong: bool) -> web.Response:
        lang = self.lang
        title = plain(lang, "sandbox.door.title")
        wrong_line = f'<p role="alert">{plain(lang, "sandbox.door.wrong")}</p>' if wrong else ""
        page = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title></head><body><main><h1>{title}</h1>{wrong_line}"
            f'<form method="get" action="/"><label for="code">{plain(lang, "sandbox.door.label")}'
            '</label> <input id="code" name="code" autocomplete="off" required autofocus> '
            f'<button type="submit">{plain(lang, "sandbox.door.enter")}</button></form>'
            "</main></body></html>"
        )
        return web.Response(status=403, text=page, content_type="text/html", charset="utf-8")

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def _people_api(self, request: web.Request) -> web.Response:
        lang = self.lang
        units = await sandbox.units_by_id(self.db)
        people = await sandbox.everyone(self.db)

        def shown(person: Person) -> JsonDict:
            unit = units.get(person.unit_id) if person.unit_id is not None else None
            return {
                "user_id": user_id_of(person),
                "name": person.name,
                "role": person.role.value,
                "role_label": plain(lang, f"access.role.{person.role.value}"),
                "unit": unit.code if unit else None,
                "unit_name": unit.name if unit else None,
                "phone": person.phone,
                "lang": person.language,
            }

        groups: list[JsonDict] = []
        for role, key in (
            (Role.ADMIN, "sandbox.group.admins"),
            (Role.LEADER, "sandbox.group.leaders"),
        ):
            members = [p for p in people if p.role == role]
            if members:
                title = plain(lang, key, office=self.settings.organization.office,
                              body=self.settings.organization.name)  # fmt: skip
                groups.append({"title": title, "people": [shown(p) for p in members]})
        for unit in sorted(units.values(), key=lambda u: u.code):
            members = [p for p in people if p.unit_id == unit.id and p.role in _ROLE_ORDER]
            members.sort(key=lambda p: (_ROLE_ORDER[p.role], p.name))
            if members:
                groups.append({"title": unit.name, "people": [shown(p) for p in members]})
        stranger = {
            "user_id": STRANGER_ID,
            "name": plain(lang, "sandbox.stranger"),
            "role": "stranger",
            "role_label": plain(lang, "sandbox.stranger_label"),
            "unit": None,
            "unit_name": None,
            "phone": "",
            "lang": lang,
        }
        groups.append({"title": plain(lang, "sandbox.group.others"), "people": [stranger]})
        bot = {"name": self.server.bot_user["first_name"], "username": self.server.bot_username}
        return _json(200, {"today": self.clock.today().isoformat(), "bot": bot, "groups": groups})

    async def _chat_api(self, request: web.Request) -> web.Response:
        user, person = await self._chat_user(request)
        if (
            person is not None
            and person.phone
            and person.telegram_id != user.id
            and user.id not in self._chosen
            and request.query.get("link") != "0"
        ):  # chosen for the first time: the person shares their own number, as on Telegram
            self._chosen.add(user.id)
            await self.server.send_contact(user, person.phone, person.name)
        log_ = self.server.chat_log(user.id)[-HISTORY:]
        self._menus[user.id] = menu = self._menu(user.id)
        return _json(
            200,
            {
                "user_id": user.id,
                "lang": person.language if person is not None else self.lang,
                "commands": menu,
                "reply_keyboard": self._keyboards.get(user.id),
                "messages": [message_json(m, self.tz) for m in log_],
            },
        )

    async def _events_api(self, request: web.Request) -> web.StreamResponse:
        user, _ = await self._chat_user(request)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        queue: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue()
        self._streams.setdefault(user.id, set()).add(queue)  # before the page can act
        try:
            await response.prepare(request)
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), PING_SECONDS)
                except TimeoutError:
                    await response.write(b": ping\n\n")
                    continue
                if item is None:
                    break
                event, data = item
                text = json.dumps(data, ensure_ascii=False)
                await response.write(f"event: {event}\ndata: {text}\n\n".encode())
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            queues = self._streams.get(user.id)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._streams[user.id]
        return response

    async def _body(self, request: web.Request) -> JsonDict:
        if request.content_type != "application/json":  # no cross-site form posts
            raise _error(415, self.lang, "sandbox.error.json")
        try:
            body = await request.json()
        except ValueError:
            raise _error(400, self.lang, "sandbox.error.json") from None
        if not isinstance(body, dict):
            raise _error(400, self.lang, "sandbox.error.json")
        return body

    def _reply_to(self, user: TgUser, value: Any) -> int | None:
        if value is None or value == "":
            return None
        try:
            message_id = int(value)
            self.server.message(user.id, message_id)
        except (TypeError, ValueError, LookupError):
            raise _error(400, self.lang, "sandbox.error.no_message") from None
        return message_id

    async def _send_api(self, request: web.Request) -> web.Response:
        user, _ = await self._chat_user(request)
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _error(400, self.lang, "sandbox.error.empty")
        if len(text) > MAX_TEXT:
            raise _error(
                400, self.lang, "sandbox.error.too_long", limit=format_int(MAX_TEXT, self.lang)
            )
        reply_to = self._reply_to(user, body.get("reply_to"))
        sent = await self.server.send_text(user, text, reply_to=reply_to)
        return _json(200, {"message": self._stored(user, sent)})

    def _stored(self, user: TgUser, sent: JsonDict) -> JsonDict:
        return message_json(self.server.message(user.id, sent["message_id"]), self.tz)

    async def _upload_api(self, request: web.Request) -> web.Response:
        user, _ = await self._chat_user(request)
        if request.content_type != "multipart/form-data":
            raise _error(415, self.lang, "sandbox.error.no_file")
        if request.content_length is not None and request.content_length > MAX_UPLOAD + 65536:
            raise _error(413, self.lang, "sandbox.error.file_too_big", limit="20 MB")
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise _error(400, self.lang, "sandbox.error.no_file")
        data = upload.file.read()
        if not data:
            raise _error(400, self.lang, "sandbox.error.no_file")
        if len(data) > MAX_UPLOAD:
            raise _error(413, self.lang, "sandbox.error.file_too_big", limit="20 MB")
        caption = form.get("caption")
        caption = caption.strip() if isinstance(caption, str) and caption.strip() else None
        reply_to = self._reply_to(user, form.get("reply_to"))
        name = Path(upload.filename or "file").name or "file"
        mime = upload.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        sent = await self.server.send_document(
            user, data, name, mime_type=mime, caption=caption, reply_to=reply_to
        )
        return _json(200, {"message": self._stored(user, sent)})

    async def _press_api(self, request: web.Request) -> web.Response:
        user, _ = await self._chat_user(request)
        body = await self._body(request)
        data = body.get("callback_data")
        try:
            message = self.server.message(user.id, int(body.get("message_id")))  # type: ignore[arg-type]
        except (TypeError, ValueError, LookupError):
            raise _error(400, self.lang, "sandbox.error.no_message") from None
        pressable = {b.get("callback_data") for row in message.buttons for b in row}
        if not isinstance(data, str) or data not in pressable:  # as a Telegram client: only
            raise _error(400, self.lang, "sandbox.error.no_button")  # the buttons it shows
        await self.server.press_data(user, message.message_id, data)
        return _json(200, {})

    async def _contact_api(self, request: web.Request) -> web.Response:
        user, person = await self._chat_user(request)
        phone = person.phone if person is not None else STRANGER_PHONE
        if not phone:
            raise _error(400, self.lang, "sandbox.error.no_phone")
        sent = await self.server.send_contact(user, phone, user.first_name)
        return _json(200, {"message": self._stored(user, sent)})

    async def _next_day_api(self, request: web.Request) -> web.Response:
        moment = await self.next_day()
        return _json(200, {"today": moment.date().isoformat(), "now": moment.isoformat()})

    async def next_day(self) -> datetime:
        """Move the clock to the next working day's round time and run that day's round
        (the same tick as the JobQueue's); every page is told the new day."""
        from bot.services.reminders import tick

        assert self.application is not None
        services = self.application.bot_data.services
        assert services is not None
        day = self.clock.today() + timedelta(days=1)
        while not services.calendar.is_working_day(day):
            day += timedelta(days=1)
        moment = datetime.combine(day, self.settings.reminders.daily_time, tzinfo=self.tz)
        self.clock.set(moment)
        await asyncio.to_thread(sandbox.save_moment, self.options.data, moment)
        await tick(self.application)
        clock = {"today": day.isoformat(), "now": moment.isoformat()}
        for user_id in list(self._streams):
            self._push(user_id, "clock", clock)
        return moment

    async def _file_api(self, request: web.Request) -> web.StreamResponse:
        stored = self.server.stored_file(request.match_info["file_id"])
        if stored is None:
            raise _error(404, self.lang, "sandbox.error.no_file_id")
        name = stored.file_name or Path(stored.file_path).name
        mime = stored.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if stored.kind == "photo":
            mime = "image/png" if stored.data.startswith(b"\x89PNG") else "image/jpeg"
        disposition = "inline" if stored.kind == "photo" else "attachment"
        headers = {"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}"}
        return web.Response(body=stored.data, content_type=mime, headers=headers)


def _reply_keyboard(markup: JsonDict) -> JsonDict | None:
    """A reply keyboard as the page draws it (None: the bot removed it)."""
    if "remove_keyboard" in markup:
        return None
    rows = [
        [{"text": b} if isinstance(b, str) else dict(b) for b in row] for row in markup["keyboard"]
    ]
    return {
        "keyboard": rows,
        "resize_keyboard": bool(markup.get("resize_keyboard")),
        "one_time_keyboard": bool(markup.get("one_time_keyboard")),
    }


def _json(status: int, data: Any) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(data, ensure_ascii=False),
        content_type="application/json",
        charset="utf-8",
    )


class _Refused(Exception):
    """A request the room answers with a 4xx and `{"error": "..."}` (the guard answers)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, lang: str, key: str, **values: Any) -> _Refused:
    """A 4xx with `{"error": "..."}` in the room's language, to raise."""
    return _Refused(status, plain(lang, key, **values))


# The reports' types, which not every system's table knows.
mimetypes.add_type(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
mimetypes.add_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
