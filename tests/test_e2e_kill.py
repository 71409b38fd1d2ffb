"""A real kill -9 in the middle of a round of 200 reminders, then a restart (issue 5).

The Bot API double runs in this process; the bot is `python -m bot --config … run`, a
process of its own on the real clock. It is killed with SIGKILL when the double has taken
about 80 of the round's reminders, started again on the same SQLite file, and stopped with
SIGTERM once every officer has had their reminder: none is lost, and only the rows that
were in flight at the kill (at most the sender's window) may have gone out twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.models import Role
from bot.reminders.pacing import default_window
from storage import Database
from tests.factories import make_person, make_task, make_unit
from tests.test_e2e_run import Running
from tests.tgdouble.models import Call
from tests.tgdouble.plugin import TgFactory
from tests.tgdouble.server import BotApiDouble

log_figures = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PEOPLE = 200
FIRST_ID = 60_000  # the officers' Telegram ids: FIRST_ID … FIRST_ID + PEOPLE - 1
KILL_AFTER = 80  # reminders the double has taken when the bot is killed
RATE = 100.0  # [telegram] messages_per_second
LATENCY = 0.05  # the double answers each sendMessage this late: sends are in flight


def config(tg: BotApiDouble, database: Path) -> str:
    """A round due at any time of any day: rounds at 00:00, no quiet hours, calendar days."""
    return f"""
[telegram]
token = "{tg.token}"
api_base_url = "{tg.base_url}"
messages_per_second = {RATE}

[database]
path = "{database}"

[reminders]
daily_at = "00:00"
quiet_hours = []
working_days = false
tick_seconds = 0.2
"""


async def seed(database: Path, tg: BotApiDouble) -> None:
    """200 officers who started the bot, each with one task due today (Vietnam's today)."""
    db = await Database.open(database)
    try:
        unit = await make_unit(db, "SYT", "Sở Y tế")
        now = datetime.now(TZ)
        for n in range(PEOPLE):
            person = await make_person(db, Role.OFFICER, unit, code=f"OF{n:03d}",
                                       name=f"Cán bộ {n}", telegram_id=FIRST_ID + n)  # fmt: skip
            await make_task(db, unit, now, code=f"NV-{n:03d}", deadline=now.date(), officer=person)
            tg.user(FIRST_ID + n, f"Cán bộ {n}", started=True)
    finally:
        await db.close()


class BotProcess(Running):
    """`python -m bot --config CONFIG run`; waits fail at once, with its log, if it exits."""

    @classmethod
    async def start(cls, config_path: Path, log: Path) -> BotProcess:
        # The file says everything: no DONDOC_* variable of this shell may override it.
        env = {k: v for k, v in os.environ.items() if not k.startswith("DONDOC_")}
        with log.open("ab") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--config", str(config_path), "run",
                env=env, stderr=stderr, cwd=ROOT,
            )  # fmt: skip
        return cls(process, log)

    async def stop(self, sig: signal.Signals) -> int:
        self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), 20)


def reminders_taken(at_least: int) -> Callable[[Call], bool]:
    """A predicate true once the double has taken `at_least` messages."""
    counted = 0

    def check(call: Call) -> bool:
        nonlocal counted
        counted += call.method == "sendMessage"
        return counted >= at_least

    return check


def everyone_reminded(expected: set[int]) -> Callable[[Call], bool]:
    """A predicate true once every chat in `expected` has had a message."""
    reached: set[int] = set()

    def check(call: Call) -> bool:
        if call.method == "sendMessage":
            reached.add(int(call.params["chat_id"]))
        return reached >= expected

    return check


def outbox(database: Path) -> dict[int, str]:
    """Each outbox row's state, by its recipient's Telegram id (the file opened read-only)."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT p.telegram_id, o.state FROM outbox o JOIN people p ON p.id = o.person_id"
        ).fetchall()
    assert len(rows) == len({r[0] for r in rows})  # one reminder per officer
    return {int(r[0]): str(r[1]) for r in rows}


async def test_a_kill_9_in_the_middle_of_a_round_loses_nothing(
    tg_factory: TgFactory, tmp_path: Path
) -> None:
    tg = await tg_factory(global_rate=2 * RATE)  # Telegram's per-chat limit stays
    database, log = tmp_path / "dondoc.sqlite3", tmp_path / "bot.log"
    config_path = tmp_path / "config.toml"
    config_path.write_text(config(tg, database), encoding="utf-8")
    await seed(database, tg)
    people = set(range(FIRST_ID, FIRST_ID + PEOPLE))
    tg.slow("sendMessage", LATENCY, times=10 * PEOPLE)

    bot = await BotProcess.start(config_path, log)
    await bot.wait_until(tg, reminders_taken(KILL_AFTER))
    assert await bot.stop(signal.SIGKILL) == -signal.SIGKILL
    states = outbox(database)
    taken = Counter(int(c.params["chat_id"]) for c in tg.calls("sendMessage"))
    sent = {chat for chat, state in states.items() if state == "sent"}
    in_flight = {chat for chat, state in states.items() if state == "sending"}
    assert len(states) == PEOPLE and set(states) == people  # the whole round was planned
    assert KILL_AFTER <= len(taken) < PEOPLE  # killed in the middle of the round
    assert set(taken.values()) == {1}
    assert sent <= set(taken)  # 'sent' only once Telegram has said so
    assert set(taken) <= sent | in_flight  # nothing went out that was not claimed
    window = default_window(RATE)
    assert 0 < len(in_flight) <= window

    restarted = await BotProcess.start(config_path, log)
    await restarted.wait_until(tg, everyone_reminded(people))
    assert await restarted.stop(signal.SIGTERM) == 0, log.read_text(encoding="utf-8")

    received = Counter(int(c.params["chat_id"]) for c in tg.calls("sendMessage"))
    assert set(received) == people  # none lost
    twice = {chat for chat, count in received.items() if count > 1}
    assert set(received.values()) <= {1, 2}
    assert twice <= in_flight  # only what was in flight at the kill went out again
    assert len(twice) <= window
    assert all(
        (m.text or "").split("\n")[1].startswith(f"NV-{chat - FIRST_ID:03d} — ")
        for chat in people
        for m in tg.sent_to(chat)
    )  # each officer's reminder names their own task
    assert set(outbox(database).values()) == {"sent"}
    log_figures.info(
        "kill -9 after %d taken (%d marked sent, %d in flight); %d sent twice after the restart",
        len(taken), len(sent), len(in_flight), len(twice),
    )  # fmt: skip
