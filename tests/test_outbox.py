"""The outbox: planning once, claiming, retrying, unreachable people, and the sender's pace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import Person, PlannedReminder, ReminderKind, Role, Unit
from bot.reminders.messenger import Card
from bot.reminders.pacing import Backoff, SendLimiter
from bot.reminders.policy import Policy
from bot.reminders.render import Buttons
from bot.services.rounds import backups_to_remove, daily_backup, notify_assigned, plan_round
from bot.services.sender import Sender
from bot.workdays import WorkCalendar
from storage import Database
from storage import outbox as store
from storage.register import add_person, add_task, add_unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 1, 14)  # a Wednesday
ROUND = datetime.combine(DAY, time(8), tzinfo=TZ)
POLICY = Policy(tz=TZ)
CAL = WorkCalendar()


async def people(db: Database) -> tuple[Unit, Person, Person, Person]:
    unit = await add_unit(db, code="SYT", name="Sở Y tế")
    admin = await add_person(db, code="AD", name="Văn Phòng", role=Role.ADMIN, telegram_id=1)
    officer = await add_person(db, code="CV", name="Chuyên Viên", role=Role.OFFICER,
                               unit_id=unit.id, telegram_id=2)  # fmt: skip
    other = await add_person(db, code="CV2", name="Cán Bộ", role=Role.OFFICER,
                             unit_id=unit.id, telegram_id=3)  # fmt: skip
    return unit, admin, officer, other


async def task(db: Database, unit: Unit, officer: Person, code: str, deadline: date) -> int:
    made = await add_task(db, code=code, title=f"Việc {code}", lead_unit_id=unit.id,
                          assigned_on=date(2026, 1, 2), now=ROUND, deadline=deadline,
                          officer_id=officer.id)  # fmt: skip
    return made.id


async def states(db: Database) -> list[tuple[str, str, str]]:
    rows = await db.fetchall("SELECT subject, state, last_error FROM outbox ORDER BY id")
    return [(r[0], r[1], r[2]) for r in rows]


class Messenger:
    """A Bot API stand-in: each send takes the next scripted answer (then succeeds)."""

    def __init__(self, *script: BaseException) -> None:
        self.script = list(script)
        self.sent: list[tuple[int, str, Buttons]] = []

    async def send(self, chat_id: int, text: str, buttons: Buttons) -> int:
        if self.script:
            raise self.script.pop(0)
        self.sent.append((chat_id, text, buttons))
        return 100 + len(self.sent)


def sender(db: Database, messenger: Messenger, clock: FixedClock, **kwargs: object) -> Sender:
    limiter = SendLimiter(rate=1000, chat_rate=1000, burst=1000, chat_burst=1000)
    return Sender(db, messenger, clock=clock, policy=POLICY, limiter=limiter,
                  backoff=Backoff(base=0.001, cap=0.01), **kwargs)  # type: ignore[arg-type]  # fmt: skip


# --- planning --------------------------------------------------------------------------------


async def test_planning_a_round_twice_plans_nothing_new(db: Database) -> None:
    unit, _, officer, _ = await people(db)
    await task(db, unit, officer, "NV-1", DAY)
    first = await plan_round(db, now=ROUND, calendar=CAL, policy=POLICY)
    assert first is not None and (first.planned, first.added) == (1, 1)
    assert await plan_round(db, now=ROUND + timedelta(hours=2), calendar=CAL, policy=POLICY) is None
    reminder = PlannedReminder(ReminderKind.DUE, officer.id, "task:1", DAY, ROUND, 1, DAY, {})
    assert await store.add_planned(db, [reminder, reminder], now=ROUND) == 0
    assert await states(db) == [("task:1", "pending", "")]


async def test_no_round_before_eight_nor_on_a_day_off(db: Database) -> None:
    unit, _, officer, _ = await people(db)
    await task(db, unit, officer, "NV-1", DAY)
    assert (
        await plan_round(db, now=ROUND - timedelta(minutes=1), calendar=CAL, policy=POLICY) is None
    )
    saturday = datetime.combine(date(2026, 1, 17), time(8), tzinfo=TZ)
    result = await plan_round(db, now=saturday, calendar=CAL, policy=POLICY)
    assert result is not None and (result.planned, result.added) == (0, 0)
    assert await states(db) == []


async def test_assignment_notices_reach_the_officer(db: Database) -> None:
    unit, _, officer, _ = await people(db)
    first = await task(db, unit, officer, "NV-1", DAY)
    assert await notify_assigned(db, Settings(), task_ids=[first], now=ROUND) == 1
    assert await notify_assigned(db, Settings(), task_ids=[first], now=ROUND) == 0
    off = Settings(reminders={"notify_on_assign": False})  # type: ignore[arg-type]
    assert await notify_assigned(db, off, task_ids=[first], now=ROUND) == 0
    assert await states(db) == [("task:1", "pending", "")]


# --- claiming and crashes --------------------------------------------------------------------


async def test_a_crash_leaves_claimed_rows_sending_and_a_restart_frees_them(db: Database) -> None:
    _, _, officer, other = await people(db)
    queued = [card(officer, 1), card(other, 2), card(officer, 3)]
    assert await store.add_planned(db, queued, now=ROUND) == 3
    claimed = await store.claim(db, now=ROUND, limit=3, stale=lambda _: None)
    assert [c.subject for c in claimed] == ["report:1", "report:2"]  # one row a person
    assert [s[1] for s in await states(db)] == ["sending", "sending", "pending"]
    assert await store.release_stale(db) == 2
    assert [s[1] for s in await states(db)] == ["pending", "pending", "pending"]


DATE_AHEAD = DAY + timedelta(days=20)  # no reminder today


def card(person: Person, report: int) -> PlannedReminder:
    return PlannedReminder(
        ReminderKind.REVIEW, person.id, f"report:{report}", DAY, ROUND, None, None, {}
    )


async def test_a_claim_takes_one_row_a_person_and_none_of_a_person_in_flight(
    db: Database,
) -> None:
    """An admin's long queue of cards, then two officers' notices: the notices are claimed
    beside the admin's first card, and the admin's next card only once the first is through."""
    _, admin, officer, other = await people(db)
    queued = [card(admin, n) for n in range(1, 6)]
    queued += [card(officer, 10), card(other, 11), card(officer, 12)]
    assert await store.add_planned(db, queued, now=ROUND) == 8

    def subjects(items: list[store.OutboxItem]) -> list[str]:
        return [item.subject for item in items]

    first = await store.claim(db, now=ROUND, limit=8, stale=lambda _: None)
    assert subjects(first) == ["report:1", "report:10", "report:11"]
    assert await store.claim(db, now=ROUND, limit=8, stale=lambda _: None) == []
    notice = store.Notice(day=DAY, not_before=ROUND)
    sent = [store.Outcome(item, "sent", message_id=n) for n, item in enumerate(first[:2])]
    await store.exchange(db, sent, now=ROUND, notice=notice)
    # A stale row is cancelled and its person's next row claimed in its place, in order.
    gone = lambda item: "decided" if item.subject == "report:2" else None  # noqa: E731
    again = await store.claim(db, now=ROUND, limit=1, stale=gone)
    assert subjects(again) == ["report:3"]
    again += await store.claim(db, now=ROUND, limit=8, stale=gone)
    assert subjects(again) == ["report:3", "report:12"]
    assert [(s[0], s[1]) for s in await states(db)] == [
        ("report:1", "sent"), ("report:2", "cancelled"), ("report:3", "sending"),
        ("report:4", "pending"), ("report:5", "pending"), ("report:10", "sent"),
        ("report:11", "sending"), ("report:12", "sending"),
    ]  # fmt: skip


async def test_rows_for_closed_tasks_and_yesterdays_round_are_cancelled(db: Database) -> None:
    unit, _, officer, other = await people(db)
    done = await task(db, unit, officer, "NV-1", DAY)
    await task(db, unit, other, "NV-2", DAY)
    await plan_round(db, now=ROUND, calendar=CAL, policy=POLICY)
    await db.execute("UPDATE tasks SET completed_on = ? WHERE id = ?", (DAY.isoformat(), done))
    clock = FixedClock(ROUND + timedelta(days=1))  # Thursday: Wednesday's round is stale
    await sender(db, Messenger(), clock).drain()
    assert await states(db) == [
        ("task:1", "cancelled", "task completed"),
        ("task:2", "cancelled", "expired: a later round replaces it"),
    ]


# --- sending ---------------------------------------------------------------------------------


async def test_a_sent_reminder_is_remembered_and_lands_in_the_history(db: Database) -> None:
    unit, _, officer, _ = await people(db)
    task_id = await task(db, unit, officer, "NV-1", DAY)
    await plan_round(db, now=ROUND, calendar=CAL, policy=POLICY)
    messenger = Messenger()
    report = await sender(db, messenger, FixedClock(ROUND)).drain()
    assert report.sent == 1
    [(chat, text, buttons)] = messenger.sent
    assert chat == officer.telegram_id
    assert text.startswith("⚠️ <b>Hôm nay là hạn xử lý</b>\n<b>NV-1</b> — Việc NV-1")
    assert buttons == [
        [("✅ Hoàn thành", "done:NV-1"), ("⏳ Xin gia hạn", "ext:NV-1"),
         ("📄 Chi tiết", "task:NV-1")]
    ]  # fmt: skip
    row = await db.fetchone("SELECT state, chat_id, message_id FROM outbox")
    assert row is not None and tuple(row) == ("sent", 2, 101)
    remembered = await db.fetchall("SELECT chat_id, message_id, task_id FROM bot_messages")
    assert [tuple(r) for r in remembered] == [(2, 101, task_id)]
    events = await db.fetchall("SELECT kind, detail FROM task_events WHERE kind = 'reminded'")
    detail = (
        f'{{"reminder": "due", "person_id": {officer.id}, "days_left": 0, "calendar_days_left": 0}}'
    )
    assert [tuple(e) for e in events] == [("reminded", detail)]


@pytest.mark.parametrize(
    "failure",
    [
        lambda: NetworkError("Bad Gateway"),
        lambda: TimedOut("Timed out"),
        lambda: RetryAfter(0),
    ],
)
async def test_transient_failures_are_retried_until_sent(
    db: Database, failure: Callable[[], BaseException]
) -> None:
    unit, _, officer, _ = await people(db)
    await task(db, unit, officer, "NV-1", DAY)
    await plan_round(db, now=ROUND, calendar=CAL, policy=POLICY)
    messenger = Messenger(failure(), failure(), failure())
    report = await sender(db, messenger, FixedClock(ROUND)).drain()
    assert (report.sent, report.retried, len(messenger.sent)) == (1, 3, 1)
    row = await db.fetchone("SELECT state, attempts FROM outbox")
    assert row is not None and tuple(row) == ("sent", 4)


async def test_after_many_failures_a_row_is_parked_not_dropped(db: Database) -> None:
    unit, _, officer, _ = await people(db)
    await task(db, unit, officer, "NV-1", DAY)
    await plan_round(db, now=ROUND, calendar=CAL, policy=POLICY)
    clock = FixedClock(ROUND)
    messenger = Messenger(*(NetworkError("Bad Gateway") for _ in range(3)))
    report = await sender(db, messenger, clock, max_attempts=3).drain()
    assert (report.sent, report.parked) == (0, 1)
    row = await db.fetchone("SELECT state, attempts, retry_at, last_error FROM outbox")
    assert row is not None
    assert tuple(row) == ("pending", 3, "2026-01-14T01:05:00+00:00", "NetworkError: Bad Gateway")
    clock.advance(timedelta(minutes=5))
    assert (await sender(db, messenger, clock).drain()).sent == 1


async def test_a_message_telegram_refuses_is_failed_and_kept(db: Database) -> None:
    unit, _, officer, _ = await people(db)
    await task(db, unit, officer, "NV-1", DAY)
    await plan_round(db, now=ROUND, calendar=CAL, policy=POLICY)
    report = await sender(
        db, Messenger(BadRequest("Can't parse entities")), FixedClock(ROUND)
    ).drain()
    assert report.failed == 1
    assert await states(db) == [("task:1", "failed", "400: Can't parse entities")]
    found = await store.status(db, today=DAY)
    assert [(f.person, f.error) for f in found.failed] == [("CV", "400: Can't parse entities")]


async def test_a_blocked_person_is_unreachable_and_the_office_told_once(db: Database) -> None:
    unit, admin, officer, _ = await people(db)
    await task(db, unit, officer, "NV-1", DAY)
    given = await task(db, unit, officer, "NV-2", DATE_AHEAD)
    await plan_round(db, now=ROUND, calendar=CAL, policy=POLICY)  # the reminder of NV-1
    notice = PlannedReminder(ReminderKind.ASSIGNED, officer.id, f"task:{given}", DAY, ROUND, given,
                             DATE_AHEAD, {})  # fmt: skip
    assert await store.add_planned(db, [notice], now=ROUND) == 1  # and NV-2 given meanwhile
    blocked = Forbidden("Forbidden: bot was blocked by the user")
    messenger = Messenger(blocked)  # the first; the second waits for it, then for them
    report = await sender(db, messenger, FixedClock(ROUND)).drain()
    assert report.unreachable == [officer.id]
    assert [chat for chat, _, _ in messenger.sent] == [admin.telegram_id]
    assert messenger.sent[0][1].startswith("📵 <b>Không gửi được tin nhắn cho Chuyên Viên</b> (CV,")
    assert await store.is_unreachable(db, person_id=officer.id)
    await sender(db, Messenger(blocked), FixedClock(ROUND + timedelta(minutes=30))).drain()
    assert [s for s in await states(db) if s[0].startswith("person:")] == [
        (f"person:{officer.id}", "sent", "")
    ]
    assert await store.clear_unreachable(db, person_id=officer.id)
    later = Messenger()
    assert (await sender(db, later, FixedClock(ROUND + timedelta(hours=1))).drain()).sent == 2
    assert [chat for chat, _, _ in later.sent] == [officer.telegram_id, officer.telegram_id]


class Writer:
    """Reviewers' cards, each reading as its row's subject."""

    async def card(self, item: store.OutboxItem) -> Card:
        return Card(item.subject, [])

    async def sent(self, item: store.OutboxItem, message_id: int) -> None:
        return None


async def test_rows_waiting_for_their_chat_leave_the_window_to_others(db: Database) -> None:
    """Two people's long queues of cards, each chat taking one message every 50 ms, and room
    for two rows: a third person's card, queued after them all, goes while their second
    cards wait for their chats' turn; each chat's cards come in order."""
    _, admin, officer, other = await people(db)
    queued = [card(person, n) for n in range(1, 5) for person in (admin, other)]
    assert await store.add_planned(db, [*queued, card(officer, 9)], now=ROUND) == 9
    messenger = Messenger()
    limiter = SendLimiter(rate=1000, chat_rate=20, chat_burst=1)
    drained = Sender(db, messenger, clock=FixedClock(ROUND), policy=POLICY, limiter=limiter,
                     window=2, cards=Writer())  # fmt: skip
    assert (await drained.drain()).sent == 9
    sent = [(chat, text) for chat, text, _ in messenger.sent]
    assert sent[:3] == [(1, "report:1"), (3, "report:1"), (2, "report:9")]
    for chat in (1, 3):
        assert [text for to, text in sent if to == chat] == [f"report:{n}" for n in range(1, 5)]


async def test_nothing_goes_out_in_quiet_hours(db: Database) -> None:
    unit, _, officer, _ = await people(db)
    first = await task(db, unit, officer, "NV-1", DAY)
    await notify_assigned(db, Settings(), task_ids=[first], now=ROUND)
    late = FixedClock(datetime.combine(DAY, time(21, 30), tzinfo=TZ))
    messenger = Messenger()
    assert (await sender(db, messenger, late).drain()).sent == 0
    assert await states(db) == [("task:1", "pending", "")]
    late.set(datetime.combine(DAY + timedelta(days=1), time(7), tzinfo=TZ))
    assert (await sender(db, messenger, late).drain()).sent == 1


async def test_prune_forgets_old_finished_rows_and_keeps_pending_ones(db: Database) -> None:
    unit, _, officer, other = await people(db)
    await task(db, unit, officer, "NV-1", DAY)
    await task(db, unit, other, "NV-2", DAY)
    await plan_round(db, now=ROUND, calendar=CAL, policy=POLICY)
    await db.execute("UPDATE outbox SET state = 'sent' WHERE subject = 'task:1'")
    assert await store.prune(db, before=DAY + timedelta(days=1)) == 1
    assert await states(db) == [("task:2", "pending", "")]


# --- Telegram's pace -------------------------------------------------------------------------


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_limiter_allows_a_burst_then_the_rate() -> None:
    ticks = Ticks()
    limiter = SendLimiter(rate=10, chat_rate=1, clock=ticks)
    assert limiter.burst == 5  # half of Telegram's one second's worth
    sent = 0
    for chat in range(20):
        if limiter.wait_time(chat) == 0:
            limiter.take(chat)
            sent += 1
    assert sent == 5
    assert limiter.wait_time(99) == pytest.approx(0.1)
    ticks.now += 0.1
    assert limiter.wait_time(99) == 0


def test_the_limiter_paces_one_chat_and_holds_after_a_429() -> None:
    ticks = Ticks()
    limiter = SendLimiter(rate=100, chat_rate=1, chat_burst=2, clock=ticks)
    for _ in range(2):
        assert limiter.wait_time(7) == 0
        limiter.take(7)
    assert limiter.wait_time(7) == pytest.approx(1.0)
    assert limiter.wait_time(8) == 0
    limiter.hold(3)
    assert limiter.wait_time(8) == pytest.approx(3.0)


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(base=0.5, cap=3)
    assert [backoff.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3, 3]


# --- the daily backup ------------------------------------------------------------------------


def test_only_the_newest_backups_are_kept() -> None:
    names = ["dondoc-2026-01-12.sqlite3", "notes.txt", "dondoc-2026-01-14.sqlite3",
             "dondoc-2026-01-13.sqlite3"]  # fmt: skip
    assert backups_to_remove(names, 2) == ["dondoc-2026-01-12.sqlite3"]


async def test_the_daily_backup_runs_once_a_day_and_keeps_the_newest(
    db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    settings = Settings(database={"path": db.path, "backup_dir": folder, "backup_keep": 2})  # type: ignore[arg-type]
    for day in (date(2026, 1, 12), date(2026, 1, 13), date(2026, 1, 14)):
        assert await daily_backup(db, settings, day=day) == folder / f"dondoc-{day}.sqlite3"
    assert await daily_backup(db, settings, day=date(2026, 1, 14)) is None
    assert sorted(p.name for p in folder.iterdir()) == [
        "dondoc-2026-01-13.sqlite3",
        "dondoc-2026-01-14.sqlite3",
    ]
