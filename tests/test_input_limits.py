"""Input that must not silence the bot: whatever a registered person types after any command,
or forges as a button's data, every call the bot makes is accepted by the Bot API double
(so it fits Telegram's limits) and every command gets an answer.

The commands and button prefixes are read from the running Application's handlers, so a
command added later is covered without touching this file. One Application per role (the
bot's start costs more than an example); hypothesis draws many inputs inside it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.app import DondocApplication
from bot.clock import FixedClock
from bot.models import Role
from bot.paging import CALLBACK_LIMIT, MESSAGE_LIMIT, text_length
from tests.e2e_workflow import CODE, delivered, open_desk
from tests.factories import World, make_task, small_world
from tests.harness import (
    DEFAULT_NOW,
    PER_CHAT_BURST,
    Actor,
    Harness,
    HarnessFactory,
    make_settings,
)
from tests.tgdouble.models import TgMessage
from tests.tgdouble.server import DEFAULT_TOKEN, BotApiDouble

LONGEST = 4096  # Telegram's longest message text: the most a user can type
# Characters that break naive code: HTML's specials, emoji (two UTF-16 units, joined),
# right-to-left marks and overrides, zero-width joiners, newlines, Vietnamese letters.
HOSTILE = ["<", ">", "&", '"', "'", "<b>", "&amp;", "😀", "👨‍👩‍👧", "\u200f", "\u202e", "\u200d",
           "\n", " ", "ệ", "Đ", "NV-1", "/", ":", "\x00"]  # fmt: skip
PIECES = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), max_size=30).map(
    "".join
)


def _repeated(piece: str, length: int) -> str:
    return (piece * (length // max(len(piece), 1) + 1))[:length] if piece else piece


# Short mixes, and a mix repeated up to the longest message.
TEXTS = st.one_of(
    PIECES, st.builds(_repeated, PIECES, st.integers(min_value=100, max_value=LONGEST))
)
LONG = {
    "html": '<>&"' * (LONGEST // 4),
    "emoji": "😀" * LONGEST,
    "rtl": ("\u202e\u200f" + "ệ" * 6 + "\u200d\n") * (LONGEST // 10),
}
# A task of the officer's unit and one of another unit, then text (a result, a date, a reason).
LONG["own task"] = ("NV-SYT 30/4 " + LONG["rtl"])[:LONGEST]
LONG["other task"] = ("NV-SNV " + LONG["html"])[:LONGEST]
ROLES = (Role.OFFICER, Role.HEAD, Role.ADMIN, Role.LEADER)
_PREFIX = re.compile(r"^\^(.+):$")


def registered(app: DondocApplication) -> tuple[list[str], list[str]]:
    """The commands and the button-data prefixes the application handles."""
    commands: set[str] = set()
    prefixes: set[str] = set()
    for handlers in app.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                commands |= handler.commands
            elif isinstance(handler, CallbackQueryHandler) and isinstance(
                handler.pattern, re.Pattern
            ):
                match = _PREFIX.match(handler.pattern.pattern)
                if match:
                    prefixes.add(re.sub(r"\\(.)", r"\1", match.group(1)))
    return sorted(commands), sorted(prefixes)


class Bench:
    """A started bot (its own loop), and the actor of one role."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        tg: BotApiDouble,
        harness: Harness,
        actor: Actor,
        commands: list[str],
        prefixes: list[str],
    ) -> None:
        self.loop, self.tg, self.harness, self.actor = loop, tg, harness, actor
        self.commands, self.prefixes = commands, prefixes

    def __repr__(self) -> str:
        assert self.actor.person is not None
        return f"Bench({self.actor.person.role.value})"

    def run(self, coroutine):  # type: ignore[no-untyped-def]
        return self.loop.run_until_complete(coroutine)

    def check_calls(self, what: str) -> None:
        """Nothing refused; every message the bot holds fits Telegram's limits."""
        refused = [
            f"{r.method}: {r.reason}: {str(r.params.get('text', r.params))[:300]}"
            for r in self.tg.refused
        ]
        assert refused == [], what

    def last_message(self) -> TgMessage:
        inbox = self.actor.inbox
        if inbox:
            return inbox[-1]
        self.run(self.actor.send("/help"))
        return self.actor.inbox[-1]


async def _world(harness: Harness) -> World:
    world = await small_world(harness.db)
    for unit, officer in ((world.health, world.officer), (world.interior, world.other_officer)):
        await make_task(harness.db, unit, harness.now, code=f"NV-{unit.code}",
                        title="<b>Tiêu đề</b> & \u202e", deadline=date(2020, 4, 10),
                        officer=officer)  # fmt: skip
    return world


@pytest.fixture(params=ROLES, ids=[role.value for role in ROLES])
def bench(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bench]:
    loop = asyncio.new_event_loop()
    tg = BotApiDouble(token=DEFAULT_TOKEN, bot_username="dondoc_test_bot", port=0)
    loop.run_until_complete(tg.start())
    tg.set_rate_limits(per_chat_burst=PER_CHAT_BURST, per_chat_rate=None, global_rate=None)
    harness = Harness(tg, make_settings(tg, tmp_path), FixedClock(DEFAULT_NOW))
    loop.run_until_complete(harness.start())
    world = loop.run_until_complete(_world(harness))
    actors = {  # all of them started the bot: notices to them are delivered
        person.role: harness.actor(person)
        for person in (world.officer, world.head, world.admin, world.leader)
    }
    assert harness.app is not None
    commands, prefixes = registered(harness.app)
    bench = Bench(loop, tg, harness, actors[request.param], commands, prefixes)
    try:
        yield bench
    finally:
        loop.run_until_complete(harness.stop())
        loop.run_until_complete(tg.stop())
        loop.close()
    assert tg.refusal_problems() == []


def test_the_bot_knows_the_commands_and_buttons_it_is_tested_with(bench: Bench) -> None:
    """The enumeration reads the application: the well-known ones are found."""
    assert {"task", "done", "extend", "unit", "start", "help"} <= set(bench.commands)
    assert {"task", "done", "ext", "rv", "unit", "ov", "lang"} <= set(bench.prefixes)


# One bot per test, many examples in it (the bot is the fixture: hence the health check).
EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def _send(bench: Bench, command: str, argument: str) -> None:
    """`/command argument`, then the argument again as a plain message (a dialogue's step
    or a question), then /cancel: each gets an answer, and nothing is refused."""
    replies = bench.run(bench.actor.send(f"/{command} {argument}"[:LONGEST]))
    bench.check_calls(f"/{command} with {len(argument)} characters")
    assert replies, f"/{command} with {len(argument)} characters got no answer"
    if argument.strip():
        bench.run(bench.actor.send(argument[:LONGEST]))
        bench.check_calls(f"the message after /{command}")
    bench.run(bench.actor.send("/cancel"))
    bench.check_calls("/cancel")


def _press(bench: Bench, prefix: str, argument: str) -> None:
    data = f"{prefix}:{argument}"
    while len(data.encode()) > CALLBACK_LIMIT:  # Telegram never sends more
        data = data[:-1]
    pressed = bench.run(bench.actor.press_data(bench.last_message(), data))
    bench.check_calls(f"button {data!r}")
    assert pressed.answer is not None, f"button {data!r} was not answered"
    bench.run(bench.actor.send("/cancel"))


@EXAMPLES
@given(argument=TEXTS, data=st.data())
@example(argument=LONG["html"], data=None)
@example(argument=LONG["emoji"], data=None)
@example(argument=LONG["rtl"], data=None)
@example(argument=LONG["own task"], data=None)
@example(argument=LONG["other task"], data=None)
def test_every_command_answers_whatever_follows_it(
    bench: Bench, argument: str, data: st.DataObject | None
) -> None:
    if data is None:  # an explicit example: every command with it
        for command in bench.commands:
            _send(bench, command, argument)
        return
    _send(bench, data.draw(st.sampled_from(bench.commands), label="command"), argument)


@EXAMPLES
@given(argument=TEXTS, data=st.data())
@example(argument=LONG["html"], data=None)
@example(argument=LONG["rtl"], data=None)
def test_every_button_answers_whatever_its_data(
    bench: Bench, argument: str, data: st.DataObject | None
) -> None:
    if data is None:
        for prefix in bench.prefixes:
            _press(bench, prefix, argument)
        return
    _press(bench, data.draw(st.sampled_from(bench.prefixes), label="prefix"), argument)


# --- texts the bot keeps and shows again: a report's result, a reason, a decision's note ----

LONGEST_STORED = 3000  # `[workflow] max_text_length` at its highest
# Two UTF-16 units a character (as Telegram counts), HTML-hostile, right-to-left marks.
STORED = ("😀😀 <b>& \u202e😀 " * LONGEST_STORED)[: LONGEST_STORED - 1] + "."


async def test_long_results_and_reasons_are_kept_whole_and_shown_cut(
    harness_factory: HarnessFactory,
) -> None:
    harness = await harness_factory(workflow={"max_text_length": LONGEST_STORED})
    desk = await open_desk(harness)
    admin, officer = desk.admin, desk.officer

    await officer.send(f"/done {CODE} {STORED}")
    await delivered(desk)
    [card] = [m for m in admin.inbox if m.reply_markup]
    assert await harness.db.fetchval("SELECT result FROM completion_reports") == STORED
    await admin.press(card, "↩️ Trả lại")
    await admin.send(STORED)  # the reason the report is returned for
    await delivered(desk)
    await officer.send(f"/extend {CODE} 30/4 {STORED}")
    await delivered(desk)

    assert await harness.db.fetchval("SELECT decision_note FROM completion_reports") == STORED
    assert await harness.db.fetchval("SELECT reason FROM extension_requests") == STORED
    shown = [m for actor in (admin, desk.admin2, officer) for m in actor.inbox]
    assert len(shown) >= 6
    for message in shown:  # cards, notices, their edits: all fit, every one cut
        length = text_length(message.text or message.caption or "")
        assert length <= MESSAGE_LIMIT
    [history] = await officer.send(f"/history {CODE}")
    assert "😀" in (history.text or "")
