"""End-to-end tests: the real Application against the Bot API double, a real SQLite file.

The fixture `harness` (registered in tests/conftest.py) is a started bot over an empty
register in `tmp_path`, its clock standing at `DEFAULT_NOW` (Wednesday 15/04/2020 09:00,
Asia/Ho_Chi_Minh). Seed the register through `harness.db` (the bot's own connection),
act as people, and read what the bot sent:

    from tests.factories import make_task, small_world

    async def test_officer_sees_their_task(harness):
        world = await small_world(harness.db)
        await make_task(harness.db, world.health, harness.now, code="NV-1",
                        deadline=date(2020, 4, 10), officer=world.officer)
        officer = harness.actor(world.officer)          # a linked user: person + Telegram user
        [reply] = await officer.send("/tasks")          # waits until the bot is done
        assert "NV-1" in reply.text
        assert "quá hạn 5 ngày" in reply.text

    async def test_stranger(harness):
        stranger = harness.stranger(555)                # a Telegram user the register does not know
        replies = await stranger.send("/tasks")

Other settings: `harness_factory(now=..., **sections)` with sections as in config.toml,
e.g. `await harness_factory(workflow={"review_completion": False})`. Move time with
`harness.clock.set(...)`/`advance(...)`. The double keeps Telegram's rate limits, except
that one chat may take a burst of `PER_CHAT_BURST` messages (tests type fast).
`actor.press(message, "▶")` presses a button and returns what changed; `harness.tg` is
the double itself (calls, faults, rate limits, groups); `await harness.cli("invite", …)`
runs a `dondoc` command over the same database. Every `send`/`press` waits until the bot
has handled everything the double delivered (`harness.settle()`), so "the bot said
nothing" is a plain `assert replies == []`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest_asyncio
from pydantic import SecretStr

from bot.app import DondocApplication, build_application, start_in_loop, stop_in_loop
from bot.cli import main as cli_main
from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Person
from storage import Database
from tests.tgdouble.models import CallbackAnswer, TgGroup, TgMessage, TgUser
from tests.tgdouble.server import BotApiDouble

__all__ = [
    "DEFAULT_NOW",
    "TZ",
    "Actor",
    "CliResult",
    "Harness",
    "Pressed",
    "harness",
    "harness_factory",
    "make_settings",
]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_NOW = datetime(2020, 4, 15, 9, 0, tzinfo=TZ)  # a Wednesday, a working day
SETTLE_TIMEOUT = 10.0
PER_CHAT_BURST = 30


def make_settings(tg: BotApiDouble, tmp_path: Path, **sections: dict[str, Any]) -> Settings:
    """Settings that point the bot at the double and at a fresh database in `tmp_path`."""
    telegram = {
        "token": tg.token,
        "api_base_url": tg.base_url,
        "api_base_file_url": tg.base_file_url,
        "bot_username": tg.bot_username,
    } | sections.pop("telegram", {})
    database = {"path": tmp_path / "dondoc.sqlite3"} | sections.pop("database", {})
    return Settings(telegram=telegram, database=database, **sections)  # type: ignore[arg-type]


def settings_toml(settings: Settings) -> str:
    """The settings as a config.toml, for running `dondoc` commands beside the bot."""
    lines = []
    for section, values in settings.model_dump().items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        return _toml_value(value.get_secret_value())
    if isinstance(value, dict):  # an inline table ([sync] headers)
        pairs = (f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


@dataclass
class Pressed:
    """What a button press did: the callback answer, the pressed message as it is now, and
    the messages the bot sent to the chat afterwards."""

    answer: CallbackAnswer | None
    message: TgMessage
    new: list[TgMessage]


@dataclass
class Actor:
    """A Telegram user the test acts as; `person` is None for a stranger."""

    harness: Harness
    user: TgUser
    person: Person | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def inbox(self) -> list[TgMessage]:
        """Everything the bot sent to this user's private chat (edits applied)."""
        return self.harness.tg.sent_to(self.user)

    async def send(
        self,
        text: str,
        *,
        chat: TgGroup | None = None,
        reply_to: TgMessage | int | None = None,
    ) -> list[TgMessage]:
        """Send a message; the bot's messages to that chat that came after it."""
        return await self.harness.exchange(
            chat or self.user, self.user.send(text, chat=chat, reply_to=reply_to)
        )

    async def send_contact(
        self, phone_number: str, *, user_id: int | None = None
    ) -> list[TgMessage]:
        """Share a contact (by default this user's own, as the request_contact button does)."""
        owner = self.user.id if user_id is None else user_id
        return await self.harness.exchange(
            self.user, self.user.send_contact(phone_number, user_id=owner)
        )

    async def press(self, message: TgMessage, label: str) -> Pressed:
        """Press the inline button labelled `label` on `message`."""
        return await self._pressed(message, self.user.press(message, label))

    async def press_data(self, message: TgMessage, data: str) -> Pressed:
        """A callback query with any data (forged or stale) on `message`."""
        chat = self.harness.tg._groups.get(message.chat_id)
        return await self._pressed(message, self.user.press_data(message, data, chat=chat))

    async def _pressed(self, message: TgMessage, pressing: Awaitable[dict[str, Any]]) -> Pressed:
        tg = self.harness.tg
        before = _last_id(tg.sent_to(message.chat_id))
        query = await pressing
        await self.harness.settle()
        answers = [a for a in tg.answers_to_callbacks if a.callback_query_id == query["id"]]
        new = [m for m in tg.sent_to(message.chat_id) if m.message_id > before]
        current = tg.message(message.chat_id, message.message_id)
        return Pressed(answers[-1] if answers else None, current, new)


def _last_id(messages: list[TgMessage]) -> int:
    return max((m.message_id for m in messages), default=0)


@dataclass
class Harness:
    """The running bot, its double, its clock and its database."""

    tg: BotApiDouble
    settings: Settings
    clock: FixedClock
    app: DondocApplication | None = field(default=None, repr=False)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def db(self) -> Database:
        """The bot's own database connection (seed the register through it)."""
        assert self.app is not None, "the bot is not running"
        services = self.app.bot_data.services
        assert services is not None
        return services.db

    async def start(self) -> None:
        """Start the bot as `dondoc run` does, but in this event loop."""
        app = build_application(self.settings, clock=self.clock)
        await start_in_loop(app, drop_pending_updates=True)
        self.app = app

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        await stop_in_loop(app)

    async def restart(self) -> None:
        """Stop the bot and start it again over the same database (state must survive)."""
        await self.stop()
        await self.start()

    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:  # noqa: ASYNC109
        """Wait until the bot has fetched every update the double holds and handled it."""
        assert self.app is not None

        async def drained() -> None:
            while True:
                # The double drops an update once the bot polls past it, i.e. after PTB put
                # it on its queue; the queue's join() waits for the handlers to finish. The
                # double has no event for "polled past", hence the short poll here.
                while self.tg._queue or self.app is None or not self.app.update_queue.empty():  # noqa: ASYNC110
                    await asyncio.sleep(0.002)
                await self.app.update_queue.join()
                if not self.tg._queue:
                    return

        await asyncio.wait_for(drained(), timeout)

    async def exchange(
        self, chat: TgUser | TgGroup, sending: Awaitable[dict[str, Any]]
    ) -> list[TgMessage]:
        """Send, wait for the bot, and return the bot's messages to `chat` that came after."""
        sent = await sending
        await self.settle()
        return [m for m in self.tg.sent_to(chat) if m.message_id > sent["message_id"]]

    async def cli(self, *argv: str) -> CliResult:
        """Run `dondoc ARGV…` (as a separate process would, in a thread) with these settings;
        its exit code, standard output and standard error."""
        config = self.settings.database.path.with_name("config.toml")
        config.write_text(settings_toml(self.settings), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()

        def run() -> int:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                return cli_main(["--config", str(config), *argv])

        code = await asyncio.to_thread(run)
        return CliResult(code, out.getvalue(), err.getvalue())

    def actor(self, person: Person, *, language_code: str | None = None) -> Actor:
        """A linked person (made with a telegram_id) as a Telegram user who started the bot."""
        assert person.telegram_id is not None, f"{person.code} has no Telegram account"
        user = self.tg.user(
            person.telegram_id,
            person.name.split()[-1],
            last_name=" ".join(person.name.split()[:-1]) or None,
            language_code=language_code,
            started=True,
        )
        return Actor(self, user, person)

    def stranger(self, user_id: int, name: str = "Khách", **kwargs: Any) -> Actor:
        """A Telegram user the register does not know (yet)."""
        return Actor(self, self.tg.user(user_id, name, **kwargs))


HarnessFactory = Callable[..., Awaitable[Harness]]


@pytest_asyncio.fixture
async def harness_factory(tg: BotApiDouble, tmp_path: Path) -> AsyncIterator[HarnessFactory]:
    """`await harness_factory(now=..., **sections)`: a started bot with these settings."""
    started: list[Harness] = []

    async def make(now: datetime = DEFAULT_NOW, **sections: dict[str, Any]) -> Harness:
        # A test types faster than a person: a private chat may take a burst of messages
        # (Telegram's other limits stay; set them with `harness.tg.set_rate_limits`).
        tg.set_rate_limits(per_chat_burst=PER_CHAT_BURST)
        harness = Harness(tg, make_settings(tg, tmp_path, **sections), FixedClock(now))
        await harness.start()
        started.append(harness)
        return harness

    yield make
    for harness in started:
        await harness.stop()


@pytest_asyncio.fixture
async def harness(harness_factory: HarnessFactory) -> Harness:
    """A started bot over an empty register, clock at DEFAULT_NOW."""
    return await harness_factory()
