"""BotApiServer: the Telegram Bot API methods dondoc uses, served by dondoc itself.

The real PTB ``Application`` talks to it over HTTP, as it talks to api.telegram.org; someone
acts as the users (the practice room's page, or a test through tests/tgdouble, which adds
fault injection and flood limits on top). It is strict the way Telegram is: a call Telegram
would refuse (an unknown parameter, a message over 4096 characters, bad HTML, callback data
over 64 bytes, a chat that never wrote to the bot) is refused with Telegram's error, and
listeners hear of it (the practice room shows it to the trainer).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.sandbox.botapi.models import (
    Call,
    CallbackAnswer,
    Refusal,
    Stats,
    StoredFile,
    TgGroup,
    TgMessage,
    TgUser,
)
from bot.sandbox.botapi.rules import (
    MAX_CAPTION,
    MAX_TEXT,
    command_entities,
    format_text,
    image_size,
    install_checks,
)
from bot.sandbox.botapi.spec import (
    SPEC_PATH,
    ApiError,
    MethodSpec,
    UploadedFile,
    ValidationContext,
    bad_request,
    load_spec,
)

__all__ = ["DEFAULT_TOKEN", "BotApiServer", "Listener"]

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict], Awaitable[Any]]
ChatLike = TgUser | TgGroup
# Told of what happens: ("message", TgMessage) when a message is stored or edited,
# ("commands", None) after setMyCommands/deleteMyCommands, ("callback_answer", CallbackAnswer),
# ("refusal", Refusal) and ("call", Call) for every accepted call.
Listener = Callable[[str, Any], None]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_MAX_DOWNLOAD = 20 * 1024 * 1024
_MAX_PHOTO = 10 * 1024 * 1024
_MAX_UPLOAD = 50 * 1024 * 1024


@dataclass
class _PendingCallback:
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


class _RawJson:
    """A result already serialised (getUpdates keeps updates as JSON text)."""

    def __init__(self, text: str, summary: Any) -> None:
        self.text = text
        self.summary = summary


class BotApiServer:
    """A strict, in-process Telegram Bot API server (no flood limits: see tests/tgdouble)."""

    not_implemented = "Bad Request: method not implemented here"

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "dondoc_test_bot",
        bot_first_name: str = "Dondoc Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        wall_clock: Callable[[], float] = time.time,
        spec_path: Path = SPEC_PATH,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_user: JsonDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.wall_clock = wall_clock
        self.spec = load_spec(spec_path)
        install_checks(self.spec)
        self.stats = Stats()
        self.listeners: list[Listener] = []
        self.answers_to_callbacks: list[CallbackAnswer] = []
        self.my_commands: dict[tuple[tuple[Any, ...], str], list[tuple[str, str]]] = {}
        self.webhook_url = ""

        self._call_count = 0
        self._users: dict[int, TgUser] = {}
        self._groups: dict[int, TgGroup] = {}
        self._message_ids: dict[int, int] = {}
        self._messages: dict[tuple[int, int], TgMessage] = {}
        self._bot_messages: dict[int, list[TgMessage]] = {}
        self._chat_log: dict[int, list[TgMessage]] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callbacks: dict[str, _PendingCallback] = {}
        self._callback_counter = itertools.count(1)
        self._queue: deque[tuple[int, str]] = deque()
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._poll_waiter: asyncio.Future[str] | None = None
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._accept,
            "close": self._accept,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "getFile": self._get_file,
        }

    # ----------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """Give this to ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Give this to ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://{self.host}:{self.port}/file/bot"

    def add_routes(self, app: web.Application) -> None:
        """Serve the Bot API (/bot<token>/<method>, /file/bot<token>/<path>) in ``app``."""
        app.router.add_route("*", "/bot{tail:.*}", self.handle)
        app.router.add_route("*", "/file/bot{tail:.*}", self.handle)

    @staticmethod
    def web_application() -> web.Application:
        """An aiohttp application that takes uploads as large as Telegram does (50 MB)."""
        return web.Application(client_max_size=_MAX_UPLOAD + 1024 * 1024)

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one), serving only the Bot API."""
        app = self.web_application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        await self.serve(app)

    async def serve(self, app: web.Application) -> None:
        """Listen on host:port with ``app`` (port 0 picks a free one)."""
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        self._closing = False

    async def stop(self) -> None:
        """Answer pending long polls and stop listening."""
        self.close_polls()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def close_polls(self) -> None:
        """Answer a pending long poll at once, and every later one without waiting."""
        self._closing = True
        if self._poll_waiter is not None and not self._poll_waiter.done():
            self._poll_waiter.set_result("closing")

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----------------------------------------------------------------- configuration

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = False,
    ) -> TgUser:
        """Create (or return) a user; ``started=True`` if they wrote to the bot before."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        if user_id <= 0 or user_id in self._groups:
            raise ValueError(f"user ids are positive and distinct from chats: {user_id}")
        user = TgUser(
            server=self,
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self._users[user_id] = user
        return user

    def group(self, chat_id: int, title: str = "Group", *, type: str = "group") -> TgGroup:
        """Create (or return) a group or supergroup (negative id) the bot belongs to."""
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        if chat_id >= 0 or type not in ("group", "supergroup"):
            raise ValueError("groups have negative ids and type group or supergroup")
        group = TgGroup(id=chat_id, title=title, type=type)
        self._groups[chat_id] = group
        return group

    def block(self, user: TgUser | int, *, notify: bool = True) -> None:
        """The user blocks the bot; the bot gets a my_chat_member update unless notify=False."""
        handle = self._user(user)
        handle.blocked = True
        if notify:
            self._enqueue("my_chat_member", self._member_update(handle, handle, "kicked"))

    def unblock(self, user: TgUser | int, *, notify: bool = True) -> None:
        """The user unblocks the bot (also happens when they write to it)."""
        handle = self._user(user)
        handle.blocked = False
        handle.started = True
        if notify:
            self._enqueue("my_chat_member", self._member_update(handle, handle, "member"))

    def kick_bot(self, group: TgGroup | int, by: TgUser | int) -> None:
        """Someone removes the bot from a group."""
        chat = self._groups[group if isinstance(group, int) else group.id]
        chat.bot_member = False
        self._enqueue("my_chat_member", self._member_update(chat, self._user(by), "left"))

    # ----------------------------------------------------------------- reading

    def sent_to(self, chat: ChatLike | int) -> list[TgMessage]:
        """The bot's messages in a chat as they stand now (edits applied, deletions left out)."""
        log = self._bot_messages.get(self._chat_id(chat), [])
        return [m for m in log if not m.deleted]

    def chat_log(self, chat: ChatLike | int) -> list[TgMessage]:
        """Every message of a chat, the users' and the bot's, oldest first (deleted left out)."""
        return [m for m in self._chat_log.get(self._chat_id(chat), []) if not m.deleted]

    def user_of(self, user_id: int) -> TgUser | None:
        """The user with this id, if there is one."""
        return self._users.get(user_id)

    def stored_file(self, file_id: str) -> StoredFile | None:
        """A file the server holds, by its file_id."""
        return self._files.get(file_id)

    def callback_user(self, callback_query_id: str) -> int | None:
        """Who pressed the button a callback query id stands for."""
        pending = self._callbacks.get(callback_query_id)
        return None if pending is None else pending.user_id

    def message(self, chat: ChatLike | int, message_id: int) -> TgMessage:
        """Any message (the bot's or a user's) by id."""
        found = self._messages.get((self._chat_id(chat), message_id))
        if found is None:
            raise LookupError(f"no message {message_id} in chat {self._chat_id(chat)}")
        return found

    def commands_for(
        self, chat: ChatLike | int | None = None, *, language_code: str | None = None
    ) -> list[tuple[str, str]]:
        """The command menu a client would show in ``chat`` (None: the default scope)."""
        scopes: list[tuple[Any, ...]] = []
        if chat is not None:
            chat_id = self._chat_id(chat)
            scopes.append(("chat", chat_id))
            scopes.append(("all_group_chats",) if chat_id < 0 else ("all_private_chats",))
            if language_code is None and chat_id in self._users:
                language_code = self._users[chat_id].language_code
        scopes.append(("default",))
        for scope in scopes:
            for lang in (language_code or "", ""):
                found = self.my_commands.get((scope, lang))
                if found is not None:
                    return list(found)
        return []

    def file_bytes(self, file_id: str) -> bytes:
        """The content of a file the double holds."""
        return self._files[file_id].data

    # ----------------------------------------------------------------- acting as users

    async def send_text(
        self,
        user: TgUser | int,
        text: str,
        *,
        chat: TgGroup | None = None,
        reply_to: TgMessage | int | None = None,
    ) -> JsonDict:
        """The user sends ``text`` (to the bot, or in ``chat``); returns the Message."""
        fields: JsonDict = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        return self._user_message(self._user(user), chat, fields, reply_to)

    async def edit_text(self, user: TgUser | int, message_id: int, text: str) -> JsonDict:
        """The user edits their message ``message_id`` in their private chat with the bot:
        the bot gets an ``edited_message`` update (with ``edit_date``)."""
        sender = self._user(user)
        message = self._resolve_message(message_id, sender.id)
        message.json["text"] = text
        message.json["edit_date"] = int(self.wall_clock())
        message.json.pop("entities", None)
        entities = command_entities(text)
        if entities:
            message.json["entities"] = entities
        self._enqueue("edited_message", message.json)
        return message.json

    async def send_contact(
        self,
        user: TgUser | int,
        phone_number: str,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        user_id: int | None = None,
        chat: TgGroup | None = None,
    ) -> JsonDict:
        """The user shares a contact; ``user_id`` may name someone else (a forwarded card)."""
        sender = self._user(user)
        contact: JsonDict = {
            "phone_number": phone_number,
            "first_name": first_name or sender.first_name,
        }
        if last_name:
            contact["last_name"] = last_name
        contact["user_id"] = sender.id if user_id is None else user_id
        return self._user_message(sender, chat, {"contact": contact}, None)

    async def send_document(
        self,
        user: TgUser | int,
        data: bytes,
        file_name: str,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: TgGroup | None = None,
        reply_to: TgMessage | int | None = None,
    ) -> JsonDict:
        """The user sends a file; a caption starting with /cmd gets a bot_command entity."""
        stored = self._store_file(data, "document", file_name, mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        fields: JsonDict = {"document": document}
        self._add_caption(fields, caption)
        return self._user_message(self._user(user), chat, fields, reply_to)

    async def send_photo(
        self,
        user: TgUser | int,
        data: bytes,
        *,
        caption: str | None = None,
        chat: TgGroup | None = None,
    ) -> JsonDict:
        """The user sends a photo (any bytes; dimensions read from PNG/JPEG headers)."""
        stored = self._store_file(data, "photo", None)
        width, height = image_size(data) or (800, 600)
        fields: JsonDict = {"photo": [self._photo_size(stored, width, height)]}
        self._add_caption(fields, caption)
        return self._user_message(self._user(user), chat, fields, None)

    async def press(
        self, user: TgUser | int, message: TgMessage | int, button_text: str
    ) -> JsonDict:
        """Press an inline button by its label; returns the CallbackQuery sent to the bot."""
        sender = self._user(user)
        target = self._resolve_message(message, sender.id)
        button = target.button(button_text)
        if "callback_data" not in button:
            raise ValueError(f"button {button_text!r} sends nothing to the bot: {button}")
        return self._callback(sender, target, button["callback_data"])

    async def press_data(
        self,
        user: TgUser | int,
        message: TgMessage | int,
        data: str,
        *,
        chat: TgGroup | None = None,
    ) -> JsonDict:
        """A callback query with arbitrary data on a bot message (forged or stale presses)."""
        sender = self._user(user)
        chat_id = chat.id if chat is not None else sender.id
        return self._callback(sender, self._resolve_message(message, chat_id), data)

    def _user(self, user: TgUser | int) -> TgUser:
        if isinstance(user, TgUser):
            return user
        found = self._users.get(user)
        if found is None:
            raise LookupError(f"unknown user {user}; create it with double.user({user}, ...)")
        return found

    def _chat_id(self, chat: ChatLike | int) -> int:
        return chat if isinstance(chat, int) else chat.id

    def _resolve_message(self, message: TgMessage | int, chat_id: int) -> TgMessage:
        if isinstance(message, TgMessage):
            found = self._messages.get((message.chat_id, message.message_id))
        else:
            found = self._messages.get((chat_id, message))
        if found is None or found.deleted:
            raise LookupError(f"no such message: {message!r} in chat {chat_id}")
        return found

    def _add_caption(self, fields: JsonDict, caption: str | None) -> None:
        if caption:
            fields["caption"] = caption
            entities = command_entities(caption)
            if entities:
                fields["caption_entities"] = entities

    def _user_message(
        self,
        sender: TgUser,
        chat: TgGroup | None,
        fields: JsonDict,
        reply_to: TgMessage | int | None,
    ) -> JsonDict:
        if chat is None:
            if sender.blocked:
                self.unblock(sender)
            sender.started = True
            where: ChatLike = sender
        else:
            where = self._groups.get(chat.id) or chat
            self._groups.setdefault(chat.id, chat)
        replied = None if reply_to is None else self._resolve_message(reply_to, where.id)
        message = self._new_message(where, sender.to_json(), fields)
        if replied is not None:
            message.json["reply_to_message"] = replied.snapshot()
        self._store_message(message)
        self._enqueue("message", message.json)
        return message.json

    def _callback(self, sender: TgUser, message: TgMessage, data: str) -> JsonDict:
        query_id = f"{self.bot_id}{next(self._callback_counter):010d}"
        query: JsonDict = {
            "id": query_id,
            "from": sender.to_json(),
            "message": message.json,
            "chat_instance": str(abs(hash((message.chat_id, self.bot_id)))),
            "data": data,
        }
        self._callbacks[query_id] = _PendingCallback(
            sender.id, message.chat_id, message.message_id, data
        )
        self._enqueue("callback_query", query)
        return query

    def _member_update(self, chat: ChatLike, actor: TgUser, status: str) -> JsonDict:
        old: JsonDict = {"status": "member", "user": self.bot_user}
        new: JsonDict = {"status": status, "user": self.bot_user}
        if status == "kicked":
            new["until_date"] = 0
        if status == "member":
            old = {"status": "kicked", "user": self.bot_user, "until_date": 0}
        return {
            "chat": chat.chat_json(),
            "from": actor.to_json(),
            "date": int(self.wall_clock()),
            "old_chat_member": old,
            "new_chat_member": new,
        }

    def _enqueue(self, kind: str, payload: JsonDict) -> None:
        allowed = self._allowed_updates
        if (allowed is None and kind in _DEFAULT_EXCLUDED_UPDATES) or (
            allowed is not None and kind not in allowed
        ):
            return
        update_id = self._next_update_id
        self._next_update_id += 1
        # Serialised now: later edits to the bot's message must not change a queued update.
        text = json.dumps({"update_id": update_id, kind: payload}, ensure_ascii=False)
        self._queue.append((update_id, text))
        waiter = self._poll_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result("update")

    # ----------------------------------------------------------------- HTTP layer

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one Bot API request (a method call or a file download)."""
        path = request.path
        if path.startswith("/file/bot"):
            return self._serve_file(path[len("/file/bot") :])
        token, _, method_name = path[len("/bot") :].partition("/")
        if not path.startswith("/bot") or not method_name or "/" in method_name:
            return self._refuse_http(path, 404, "Not Found", "no such route")
        self.stats.requests += 1
        if token != self.token:
            status, text = (
                (401, "Unauthorized") if _TOKEN_SHAPE.fullmatch(token) else (404, "Not Found")
            )
            return self._refuse_http(method_name, status, text, f"{text}: wrong bot token")
        method = self.spec.by_lower.get(method_name.lower())
        if method is None:
            return self._refuse_http(
                method_name, 404, "Not Found", "Not Found: no such Bot API method"
            )
        self.stats.by_method[method] += 1
        raw: JsonDict = {}
        try:
            raw, files = await self._read_params(request)
        except ApiError as error:
            return self._error(method, raw, error)
        return await self._call(request, method, raw, files)

    async def _call(
        self, request: web.Request, method: str, raw: JsonDict, files: dict[str, UploadedFile]
    ) -> web.StreamResponse:
        """Validate and apply one call; Telegram's answer to it."""
        spec = self.spec.methods[method]
        params: JsonDict = raw
        try:
            handler = self._handlers.get(method)
            if handler is None:
                raise ApiError(400, self.not_implemented)
            params = self._validate(spec, raw, files)
            result = await handler(params)
        except ApiError as error:
            return self._error(method, params, error)
        except Exception as crash:  # a bug here: loud (a test fails, the trainer sees it)
            self._refuse(method, params, 500, f"the server crashed: {crash!r}")
            return self._json_error(500, f"Internal Server Error: {crash!r}", None)

        summary = result.summary if isinstance(result, _RawJson) else result
        call = Call(self._call_count, method, params, summary)
        self._call_count += 1
        self._accepted(call)
        if isinstance(result, _RawJson):
            body = '{"ok":true,"result":' + result.text + "}"
        else:
            body = json.dumps({"ok": True, "result": result}, ensure_ascii=False)
        return web.Response(body=body.encode("utf-8"), content_type="application/json")

    async def _read_params(self, request: web.Request) -> tuple[JsonDict, dict[str, UploadedFile]]:
        raw: JsonDict = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return raw, files
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = json.loads(await request.read())
            except ValueError:
                raise bad_request("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON body must be an object")
            raw.update({k: v for k, v in body.items() if v is not None})
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    files[key] = UploadedFile(key, value.filename, value.content_type, data)
                else:
                    raw[key] = value
        else:
            raise bad_request(f"unsupported Content-Type {content_type!r}")
        return raw, files

    def _validate(
        self, spec: MethodSpec, raw: JsonDict, files: dict[str, UploadedFile]
    ) -> JsonDict:
        ctx = ValidationContext(files={k: v for k, v in files.items() if k not in spec.nodes})
        merged = dict(raw)
        merged.update({k: v for k, v in files.items() if k in spec.nodes})
        params: JsonDict = {}
        nodes = spec.nodes
        for key, value in merged.items():
            node = nodes.get(key)
            if node is None:
                raise bad_request(
                    f'unknown parameter "{key}" for {spec.name} (Telegram ignores it; '
                    "it is refused here)"
                )
            params[key] = node.from_param(value, key, ctx)
        for key in spec.required:
            if key not in params:
                if key == "text":
                    raise bad_request("message text is empty")
                raise bad_request(f'parameter "{key}" is required')
        stray = set(ctx.files) - ctx.attached
        if stray:
            raise bad_request(f"uploaded file parts {sorted(stray)} are not used by any parameter")
        return params

    def _accepted(self, call: Call) -> None:
        """A call was applied (tests record it; listeners hear of it)."""
        self._emit("call", call)

    def _emit(self, kind: str, subject: Any) -> None:
        for listener in self.listeners:
            listener(kind, subject)

    def _error(self, method: str, params: JsonDict, error: ApiError) -> web.Response:
        if error.status == 409 and "terminated by other" in error.description:
            self.stats.conflicts += 1
            self._refuse(method, params, error.status, error.description)
        elif 400 <= error.status < 500 and error.status != 429:  # a 429 is not a refusal
            self._refuse(method, params, error.status, error.description)
        return self._json_error(error.status, error.description, error.parameters)

    def _refuse(self, method: str, params: JsonDict, status: int, reason: str) -> None:
        self.stats.refused += 1
        self._refused(Refusal(method, dict(params), status, reason))

    def _refused(self, refusal: Refusal) -> None:
        """A call was refused as Telegram would refuse it (or crashed the server)."""
        self._emit("refusal", refusal)

    def _refuse_http(self, method: str, status: int, text: str, reason: str) -> web.Response:
        self._refuse(method, {}, status, reason)
        return self._json_error(status, text, None)

    @staticmethod
    def _json_error(status: int, description: str, parameters: JsonDict | None) -> web.Response:
        body: JsonDict = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.Response(
            status=status,
            body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            content_type="application/json",
        )

    def _serve_file(self, rest: str) -> web.StreamResponse:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return self._refuse_http(
                "file", 401, "Unauthorized", f"download {file_path}: wrong token"
            )
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return self._refuse_http(
                "file", 404, "Not Found", f"download {file_path}: no such file"
            )
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # ----------------------------------------------------------------- chats & messages

    def _target_chat(self, chat_id: Any) -> ChatLike:
        """The chat the bot writes to, or Telegram's 400/403 for it."""
        if isinstance(chat_id, int):
            user = self._users.get(chat_id)
            if user is not None:
                if user.blocked:
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                if not user.started:
                    raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
                return user
            group = self._groups.get(chat_id)
            if group is not None:
                if not group.bot_member:
                    raise ApiError(403, "Forbidden: bot was kicked from the group chat")
                return group
            if chat_id == self.bot_id:
                raise ApiError(403, "Forbidden: bot can't send messages to bots")
        raise bad_request("chat not found")

    def _next_message_id(self, chat_id: int) -> int:
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        return message_id

    def _new_message(self, chat: ChatLike, sender: JsonDict, fields: JsonDict) -> TgMessage:
        data: JsonDict = {
            "message_id": self._next_message_id(chat.id),
            "from": sender,
            "chat": chat.chat_json(),
            "date": int(self.wall_clock()),
        }
        data.update(fields)
        return TgMessage(json=data, from_bot=sender.get("is_bot", False))

    def _store_message(self, message: TgMessage) -> None:
        self._messages[(message.chat_id, message.message_id)] = message
        if message.from_bot:
            self._bot_messages.setdefault(message.chat_id, []).append(message)
        self._chat_log.setdefault(message.chat_id, []).append(message)
        self._emit("message", message)

    def _rate(self, method: str, chat: ChatLike) -> None:
        """Flood limits: none here (the bot paces itself); tests/tgdouble adds Telegram's."""

    def _reply_target(self, chat: ChatLike, params: JsonDict) -> TgMessage | None:
        reply = params.get("reply_parameters")
        if reply is None:
            return None
        chat_id = reply.get("chat_id", chat.id)
        found = (
            self._messages.get((chat_id, reply["message_id"])) if isinstance(chat_id, int) else None
        )
        if found is None or found.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return found

    @staticmethod
    def _inline_markup(params: JsonDict) -> JsonDict | None:
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            return markup
        return None

    def _send(
        self,
        method: str,
        chat: ChatLike,
        params: JsonDict,
        fields: JsonDict,
        source: str | None,
    ) -> JsonDict:
        reply = self._reply_target(chat, params)
        self._rate(method, chat)
        message = self._new_message(chat, self.bot_user, fields)
        if reply is not None:
            message.json["reply_to_message"] = reply.snapshot()
        markup = self._inline_markup(params)
        if markup is not None:
            message.json["reply_markup"] = markup
        message.method = method
        message.source = source
        message.parse_mode = params.get("parse_mode")
        message.sent_reply_markup = params.get("reply_markup")
        self._store_message(message)
        return message.json

    def _caption_fields(self, params: JsonDict) -> JsonDict:
        caption = params.get("caption")
        if caption is None:
            return {}
        parsed = format_text(caption, params.get("parse_mode"), params.get("caption_entities"))
        if len(parsed.text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        fields: JsonDict = {}
        if parsed.text:
            fields["caption"] = parsed.text
            if parsed.entities:
                fields["caption_entities"] = parsed.entities
        return fields

    def _store_file(
        self, data: bytes, kind: str, file_name: str | None, mime_type: str | None = None
    ) -> StoredFile:
        number = next(self._file_counter)
        prefix = "BQAC" if kind == "document" else "AgAC"
        suffix = Path(file_name).suffix if file_name else ".jpg"
        folder = "documents" if kind == "document" else "photos"
        stored = StoredFile(
            file_id=f"{prefix}{self.bot_id}-{number:08d}",
            file_unique_id=f"AQAD{number:08d}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=data,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _photo_size(stored: StoredFile, width: int, height: int) -> JsonDict:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(stored.data),
        }

    def _input_file(self, value: Any, kind: str) -> tuple[StoredFile, UploadedFile | None]:
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            return self._store_file(value.data, kind, value.filename, value.content_type), value
        if value.startswith(("http://", "https://")):
            raise bad_request(
                "wrong file identifier/HTTP URL specified (URLs are not fetched here)"
            )
        known = self._files.get(value)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if known.kind != kind:
            raise bad_request(f"can't use file of type {known.kind.title()} as {kind.title()}")
        return known, None

    # ----------------------------------------------------------------- Bot API methods

    async def _accept(self, params: JsonDict) -> Any:
        return True

    async def _get_me(self, params: JsonDict) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, params: JsonDict) -> Any:
        self.webhook_url = params["url"]
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _delete_webhook(self, params: JsonDict) -> Any:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _get_webhook_info(self, params: JsonDict) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }

    async def _get_updates(self, params: JsonDict) -> Any:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None
        offset = params.get("offset", 0)
        limit = min(max(params.get("limit", 100), 1), 100)
        timeout = max(params.get("timeout", 0), 0)
        queue = self._queue
        if offset > 0:
            while queue and queue[0][0] < offset:
                queue.popleft()
        elif offset < 0:
            while len(queue) > -offset:
                queue.popleft()
        previous = self._poll_waiter
        if previous is not None and not previous.done():
            previous.set_result("conflict")
        if not queue and timeout > 0 and not self._closing:
            future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._poll_waiter = future
            try:
                done, _ = await asyncio.wait({future}, timeout=timeout)
            finally:
                if self._poll_waiter is future:
                    self._poll_waiter = None
            if done and future.result() == "conflict":
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
        items = list(itertools.islice(queue, limit))
        return _RawJson("[" + ",".join(text for _, text in items) + "]", [i for i, _ in items])

    async def _send_message(self, params: JsonDict) -> Any:
        chat = self._target_chat(params["chat_id"])
        parsed = format_text(params["text"], params.get("parse_mode"), params.get("entities"))
        if not parsed.text:
            raise bad_request("message text is empty")
        if len(parsed.text) > MAX_TEXT:
            raise bad_request("message is too long")
        fields: JsonDict = {"text": parsed.text}
        if parsed.entities:
            fields["entities"] = parsed.entities
        return self._send("sendMessage", chat, params, fields, params["text"])

    async def _send_document(self, params: JsonDict) -> Any:
        chat = self._target_chat(params["chat_id"])
        fields = self._caption_fields(params)
        stored, upload = self._input_file(params["document"], "document")
        document: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if upload is not None:
            if upload.filename:
                document["file_name"] = upload.filename
            document["mime_type"] = upload.content_type or "application/octet-stream"
        fields["document"] = document
        return self._send("sendDocument", chat, params, fields, params.get("caption"))

    async def _send_photo(self, params: JsonDict) -> Any:
        chat = self._target_chat(params["chat_id"])
        fields = self._caption_fields(params)
        value = params["photo"]
        if isinstance(value, UploadedFile):
            if len(value.data) > _MAX_PHOTO:
                raise bad_request("photo is too big (at most 10 MB)")
            size = image_size(value.data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
            if width + height > 10000 or max(width, height) > 20 * max(min(width, height), 1):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
        stored, _ = self._input_file(value, "photo")
        width, height = image_size(stored.data) or (800, 600)
        fields["photo"] = [self._photo_size(stored, width, height)]
        return self._send("sendPhoto", chat, params, fields, params.get("caption"))

    def _editable(self, params: JsonDict) -> tuple[ChatLike, TgMessage]:
        if "inline_message_id" in params:
            raise ApiError(400, f"{self.not_implemented} (inline messages)")
        if "chat_id" not in params:
            raise bad_request("chat_id is empty")
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self._target_chat(params["chat_id"])
        message = self._messages.get((chat.id, params["message_id"]))
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return chat, message

    def _finish_edit(
        self,
        method: str,
        chat: ChatLike,
        message: TgMessage,
        fields: JsonDict,
        markup: JsonDict | None,
    ) -> JsonDict:
        self._rate(method, chat)
        for key, value in fields.items():
            if value is None:
                message.json.pop(key, None)
            else:
                message.json[key] = value
        if markup is None:
            message.json.pop("reply_markup", None)
        else:
            message.json["reply_markup"] = markup
        message.json["edit_date"] = int(self.wall_clock())
        message.edits += 1
        self._emit("message", message)
        return message.json

    async def _edit_message_text(self, params: JsonDict) -> Any:
        chat, message = self._editable(params)
        if "text" not in message.json:
            raise bad_request("there is no text in the message to edit")
        parsed = format_text(params["text"], params.get("parse_mode"), params.get("entities"))
        if not parsed.text:
            raise bad_request("message text is empty")
        if len(parsed.text) > MAX_TEXT:
            raise bad_request("message is too long")
        markup = self._inline_markup(params)
        entities = parsed.entities or None
        if (
            parsed.text == message.json["text"]
            and entities == message.json.get("entities")
            and markup == message.json.get("reply_markup")
        ):
            raise bad_request(_NOT_MODIFIED[len("Bad Request: ") :])
        result = self._finish_edit(
            "editMessageText",
            chat,
            message,
            {"text": parsed.text, "entities": entities},
            markup,
        )
        message.source = params["text"]
        message.parse_mode = params.get("parse_mode")
        return result

    async def _edit_message_reply_markup(self, params: JsonDict) -> Any:
        chat, message = self._editable(params)
        markup = self._inline_markup(params)
        if markup == message.json.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED[len("Bad Request: ") :])
        return self._finish_edit("editMessageReplyMarkup", chat, message, {}, markup)

    async def _delete_message(self, params: JsonDict) -> Any:
        chat = self._target_chat(params["chat_id"])
        message = self._messages.get((chat.id, params["message_id"]))
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        if not message.from_bot and isinstance(chat, TgGroup):
            raise bad_request("message can't be deleted")
        message.deleted = True
        return True

    async def _send_chat_action(self, params: JsonDict) -> Any:
        self._target_chat(params["chat_id"])
        if params["action"] not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _answer_callback_query(self, params: JsonDict) -> Any:
        pending = self._callbacks.get(params["callback_query_id"])
        if pending is None or pending.answered:
            raise bad_request(_QUERY_TOO_OLD[len("Bad Request: ") :])
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise bad_request(f"answer text is too long ({len(text)} characters, at most 200)")
        pending.answered = True
        answer = CallbackAnswer(
            callback_query_id=params["callback_query_id"],
            user_id=pending.user_id,
            data=pending.data,
            message_id=pending.message_id,
            text=text,
            show_alert=bool(params.get("show_alert", False)),
            url=params.get("url"),
            cache_time=params.get("cache_time"),
        )
        self.answers_to_callbacks.append(answer)
        self._emit("callback_answer", answer)
        return True

    def _scope_key(self, params: JsonDict) -> tuple[tuple[Any, ...], str]:
        scope = params.get("scope") or {"type": "default"}
        kind = scope["type"]
        key: tuple[Any, ...] = (kind,)
        if "chat_id" in scope:
            chat_id = scope["chat_id"]
            if not isinstance(chat_id, int) or (
                chat_id not in self._users and chat_id not in self._groups
            ):
                raise bad_request("chat not found")
            if kind in ("chat_administrators", "chat_member") and chat_id > 0:
                raise bad_request("can't use this scope in a private chat")
            key = (kind, chat_id)
            if "user_id" in scope:
                key = (kind, chat_id, scope["user_id"])
        language = params.get("language_code", "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request(f"invalid language code {language!r} (two-letter ISO 639-1)")
        return key, language

    async def _set_my_commands(self, params: JsonDict) -> Any:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request(f"BOT_COMMANDS_TOO_MUCH ({len(commands)} commands, at most 100)")
        key = self._scope_key(params)
        if commands:
            self.my_commands[key] = [(c["command"], c["description"]) for c in commands]
        else:
            self.my_commands.pop(key, None)
        self._emit("commands", key)
        return True

    async def _delete_my_commands(self, params: JsonDict) -> Any:
        key = self._scope_key(params)
        self.my_commands.pop(key, None)
        self._emit("commands", key)
        return True

    async def _get_my_commands(self, params: JsonDict) -> Any:
        found = self.my_commands.get(self._scope_key(params), [])
        return [{"command": c, "description": d} for c, d in found]

    async def _get_file(self, params: JsonDict) -> Any:
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > _MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }
