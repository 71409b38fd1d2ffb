"""The reminders' tables: the outbox, the daily rounds, preferences, unreachable people,
and what a round's planner reads from the register.

A row's life: 'pending' → 'sending' (claimed: in flight) → 'sent' with its message id, or
'failed' (Telegram refused it for good), or 'cancelled' (its task closed, its deadline
moved, or a later round replaced it). Rows are never deleted before `prune`'s cut-off.
A crash leaves at most the claimed rows in 'sending'; `release_stale` makes them pending.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import chain
from typing import Any, Literal

import orjson

from bot.models import (
    REPLY_KINDS,
    OpenTask,
    PlannedReminder,
    Recipient,
    ReminderKind,
    Role,
    TaskLine,
    UnitCounts,
)
from storage.db import Database, Transaction
from storage.encoding import parse_stamp, utc_stamp

# Reminders that land in the task's history as "reminded" when sent.
_REMINDED = (ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.OVERDUE)
# Messages that list several tasks, each with its buttons: a reply to one asks which task.
_LISTING = (ReminderKind.FOLDED, ReminderKind.ESCALATION)


# --- what a round reads ----------------------------------------------------------------------


class _Once(dict[Any, Any]):
    """A value made from each key the first time it is asked for (`made[key]`): a round's
    100.000 rows share a few hundred deadlines, one day, one time."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.make(key)
        return value


def _dates() -> _Once:
    """ISO text → date (None → None), memoised."""
    dates = _Once(date.fromisoformat)
    dates[None] = None
    return dates


_OPEN_TASK = "id, lead_unit_id, deadline, officer_id, assigner_id, report_state, completed_on"


def _open_tasks(rows: Iterable[sqlite3.Row]) -> list[OpenTask]:
    dates = _dates()
    return [OpenTask(r[0], r[1], dates[r[2]], r[3], r[4], r[5], dates[r[6]]) for r in rows]


async def round_candidates(db: Database, *, today: date, ahead: Sequence[date]) -> list[OpenTask]:
    """Open tasks not waiting for review whose deadline is on or before `today`, or one of
    `ahead`, by deadline: every task a round reminds of, read from the covering index
    `tasks_open_reminders` alone, in its order (the planner's lists then come nearly
    sorted; sorting by id too here would cost a sort of 100.000 rows)."""
    days = [d.isoformat() for d in ahead]
    rows = await db.fetchall(
        "SELECT id, lead_unit_id, deadline, officer_id, assigner_id, report_state"
        " FROM tasks INDEXED BY tasks_open_reminders"
        " WHERE completed_on IS NULL AND deadline <= ?"
        f" AND (deadline <= ? OR deadline IN ({', '.join('?' * len(days))}))"
        " AND (report_state IS NULL OR report_state <> 'pending') ORDER BY deadline",
        (max([today.isoformat(), *days]), today.isoformat(), *days),
    )
    dates, new = _dates(), tuple.__new__  # OpenTask(...) at C speed: ~110.000 of them
    return [new(OpenTask, (r[0], r[1], dates[r[2]], r[3], r[4], r[5], None)) for r in rows]


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    return (ids[start : start + size] for start in range(0, len(ids), size))


async def tasks_by_id(db: Database, ids: Sequence[int]) -> list[OpenTask]:
    """Tasks (open or not: the planner decides) by id, for assignment notices."""
    found: list[OpenTask] = []
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        rows = await db.fetchall(
            f"SELECT {_OPEN_TASK} FROM tasks WHERE id IN ({marks})", tuple(chunk)
        )
        found += _open_tasks(rows)
    return found


async def task_lines(db: Database | Transaction, ids: Iterable[int]) -> dict[int, TaskLine]:
    """Code, title and deadline of tasks by id, as messages name them."""
    wanted = sorted(set(ids))
    found: dict[int, TaskLine] = {}
    dates = _dates()
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        sql = (
            "SELECT id, code, title, deadline,"
            " completed_on IS NOT NULL OR coalesce(report_state, '') = 'pending'"
            f" FROM tasks WHERE id IN ({marks})"
        )
        rows = await db.fetchall(sql, tuple(chunk))
        found.update((r[0], TaskLine(r[1], r[2], dates[r[3]], bool(r[4]))) for r in rows)
    return found


async def tasks_reaching(db: Database, *, person_id: int, unit_id: int | None) -> list[OpenTask]:
    """The open tasks whose reminders reach one person: those naming them, and their unit's
    tasks that name nobody who can be reached (unit_id None: only the named ones)."""
    rows = await db.fetchall(
        f"SELECT {_OPEN_TASK} FROM tasks t WHERE t.completed_on IS NULL"
        " AND t.deadline IS NOT NULL AND (report_state IS NULL OR report_state <> 'pending')"
        " AND (t.officer_id = ? OR (t.lead_unit_id = ? AND (t.officer_id IS NULL OR"
        " t.officer_id IN (SELECT id FROM people WHERE telegram_id IS NULL))))"
        " ORDER BY t.deadline, t.id",
        (person_id, -1 if unit_id is None else unit_id),
    )
    return _open_tasks(rows)


async def recipients(db: Database) -> list[Recipient]:
    """Everyone linked to Telegram (the unreachable too: their rows wait for them)."""
    rows = await db.fetchall(
        "SELECT id, role, unit_id FROM people WHERE telegram_id IS NOT NULL ORDER BY id"
    )
    roles = {role.value: role for role in Role}
    return [Recipient(r[0], roles[r[1]], r[2]) for r in rows]


async def unit_names(db: Database) -> dict[int, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in await db.fetchall("SELECT id, code, name FROM units")}


async def unit_counts(db: Database, *, today: date, week_end: date) -> dict[int, UnitCounts]:
    """Per lead unit: open tasks, those due from today to `week_end`, those overdue."""
    rows = await db.fetchall(
        "SELECT lead_unit_id, COUNT(*), SUM(deadline >= ? AND deadline <= ?), SUM(deadline < ?)"
        " FROM tasks WHERE completed_on IS NULL GROUP BY lead_unit_id",
        (today.isoformat(), week_end.isoformat(), today.isoformat()),
    )
    return {r[0]: UnitCounts(r[1], r[2] or 0, r[3] or 0) for r in rows}


# --- planning --------------------------------------------------------------------------------


def _json(value: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, separators=(",", ":"))`, by orjson (a round
    writes 20.000 digests: ~1 µs each instead of ~12); what orjson does not write as json
    would (keys other than text, integers past 64 bits) is left to json."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rows(reminders: Iterable[PlannedReminder], created: str) -> list[tuple[Any, ...]]:
    """Outbox rows of planned reminders, as plain tuples. A round's reminders share their
    day and time, and their details (the planner makes one per deadline): each is written
    out once (details by identity, a dict having no hash: kept alive meanwhile)."""
    dates = _Once(date.isoformat)
    dates[None] = None
    times = _Once(utc_stamp)
    kinds = _Once(str)  # the plain text of a ReminderKind
    details: dict[int, str] = {}
    kept: list[Mapping[str, Any]] = []

    def written(detail: Mapping[str, Any]) -> str:
        text = details[id(detail)] = _json(detail if type(detail) is dict else dict(detail))
        kept.append(detail)
        return text

    known = details.get
    return [
        (subject, person_id, kinds[kind], dates[day], task_id, dates[deadline],
         known(id(detail)) or written(detail), times[at], created)
        for kind, person_id, subject, day, at, task_id, deadline, detail in reminders
    ]  # fmt: skip


_BATCH = 100  # rows a statement


@functools.cache
def _insert_sql(count: int) -> str:
    row = "(" + ", ".join("?" * 9) + ")"
    return (
        "INSERT INTO outbox (subject, person_id, kind, day, task_id, deadline, detail,"
        f" not_before, created_at) VALUES {', '.join([row] * count)} ON CONFLICT DO NOTHING"
    )


async def _insert(conn: Transaction, rows: Sequence[tuple[Any, ...]]) -> int:
    """Rows into the outbox, `_BATCH` a statement (each run of a statement opens the table
    and its indexes again: a third of the cost of a row written alone). Returns the rows
    added (those already there are left as they are)."""
    whole = len(rows) - len(rows) % _BATCH
    added = 0
    if whole:
        batches = [
            tuple(chain.from_iterable(rows[i : i + _BATCH])) for i in range(0, whole, _BATCH)
        ]
        cursor = await conn.executemany(_insert_sql(_BATCH), batches)
        added += max(cursor.rowcount, 0)
    if whole < len(rows):
        rest = tuple(chain.from_iterable(rows[whole:]))
        cursor = await conn.execute(_insert_sql(len(rows) - whole), rest)
        added += max(cursor.rowcount, 0)
    return added


async def add_planned(
    db: Database,
    reminders: Sequence[PlannedReminder],
    *,
    now: datetime,
    round_day: date | None = None,
) -> int | None:
    """Put planned reminders in the outbox; what is there already is left as it is.

    With `round_day`, the day's round is recorded in the same transaction, and nothing is
    added when that round was planned before (returns None). Returns the rows added.
    """
    created = utc_stamp(now)
    rows = _rows(reminders, created)
    async with db.transaction() as conn:
        if round_day is not None:
            cursor = await conn.execute(
                "INSERT INTO reminder_rounds (day, planned_at) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                (round_day.isoformat(), created),
            )
            if cursor.rowcount != 1:
                return None
        added = await _insert(conn, rows)
        if round_day is not None:
            await conn.execute(
                "UPDATE reminder_rounds SET added = ? WHERE day = ?",
                (added, round_day.isoformat()),
            )
    return added


async def add_notices(
    conn: Transaction, notices: Sequence[PlannedReminder], *, now: datetime
) -> int:
    """Put notices of a decision in the outbox, inside the decision's own transaction;
    a notice already there (same day, person, kind and subject) is not added again."""
    if not notices:
        return 0
    return await _insert(conn, _rows(notices, utc_stamp(now)))


async def round_planned(db: Database, *, day: date) -> bool:
    found = await db.fetchval("SELECT 1 FROM reminder_rounds WHERE day = ?", (day.isoformat(),))
    return found is not None


# --- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed row, with what its message needs: the chat, the language, the task now."""

    id: int
    kind: ReminderKind
    subject: str
    person_id: int
    day: date
    task_id: int | None
    deadline: date | None  # as planned
    detail: dict[str, Any]
    attempts: int
    chat_id: int | None
    language: str
    task_code: str | None = None
    task_title: str | None = None
    task_deadline: date | None = None  # as it stands now
    task_completed: bool = False
    task_waiting: bool = False  # a completion report waits for review
    lines: dict[int, TaskLine] = field(default_factory=dict)  # the tasks a digest lists

    @property
    def listed(self) -> list[int]:
        """The ids of the tasks a digest lists."""
        return [item[0] for item in self.detail.get("tasks", ())]


_CLAIM = (
    "SELECT o.id, o.kind, o.subject, o.person_id, o.day, o.task_id, o.deadline, o.detail,"
    " o.attempts, p.telegram_id, p.language, t.code, t.title, t.deadline,"
    " t.completed_on IS NOT NULL, t.report_state = 'pending'"
    " FROM outbox o INDEXED BY outbox_pending JOIN people p ON p.id = o.person_id"
    " LEFT JOIN tasks t ON t.id = o.task_id"
    " WHERE o.state = 'pending' AND o.not_before <= ? AND (o.retry_at IS NULL OR o.retry_at <= ?)"
    " AND NOT EXISTS (SELECT 1 FROM unreachable_people u WHERE u.person_id = o.person_id)"
    " AND o.person_id NOT IN (SELECT s.person_id FROM outbox s WHERE s.state = 'sending')"
    " ORDER BY o.id LIMIT ?"
)  # the rows of people with a row in flight are passed over in the index (id, person_id)


def _item(r: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=r[0],
        kind=ReminderKind(r[1]),
        subject=r[2],
        person_id=r[3],
        day=date.fromisoformat(r[4]),
        task_id=r[5],
        deadline=None if r[6] is None else date.fromisoformat(r[6]),
        detail=json.loads(r[7]),
        attempts=r[8],
        chat_id=r[9],
        language=r[10],
        task_code=r[11],
        task_title=r[12],
        task_deadline=None if r[13] is None else date.fromisoformat(r[13]),
        task_completed=bool(r[14]),
        task_waiting=bool(r[15]),
    )


async def release_stale(db: Database) -> int:
    """Rows left 'sending' by a process that died: pending again (they may go out twice)."""
    return await db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'")


async def claim(
    db: Database,
    *,
    now: datetime,
    limit: int,
    stale: Callable[[OutboxItem], str | None],
) -> list[OutboxItem]:
    """Mark up to `limit` due rows 'sending', oldest first, and return them: at most one
    a person, and none for a person who has a row in flight ('sending'), so that the rows
    of other chats overtake one chat's long queue (Telegram takes ~1 message a second a
    chat), and each person's rows go in order. Rows that `stale` gives a reason for are
    cancelled with that reason instead."""
    async with db.transaction() as conn:
        return await _claim(conn, utc_stamp(now), limit, stale)


async def _claim(
    conn: Transaction, at: str, limit: int, stale: Callable[[OutboxItem], str | None]
) -> list[OutboxItem]:
    claimed: list[OutboxItem] = []
    while len(claimed) < limit:
        async with conn.execute(_CLAIM, (at, at, limit - len(claimed))) as cursor:
            rows = list(await cursor.fetchall())
        if not rows:
            break
        fresh, cancelled, taken = [], [], set()
        batch = [_item(row) for row in rows]
        lines = await task_lines(conn, (i for item in batch for i in item.listed))
        for item in batch:
            if item.person_id in taken:  # the person's next row: claimed once this one is through
                continue
            if item.listed:  # the tasks a digest lists, as they stand (a stale one is dropped)
                item = replace(item, lines={i: lines[i] for i in item.listed if i in lines})
            reason = stale(item)
            if reason is None:
                fresh.append(item)
                taken.add(item.person_id)
            else:
                cancelled.append((reason, item.id))
        if cancelled:
            await conn.executemany(
                "UPDATE outbox SET state = 'cancelled', last_error = ? WHERE id = ?", cancelled
            )
        await conn.executemany(
            "UPDATE outbox SET state = 'sending' WHERE id = ?", [(i.id,) for i in fresh]
        )
        claimed += fresh
        if len(fresh) == len(rows):  # else: again, past those claimed (now in flight)
            break
    return claimed


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed row.

    - sent: delivered as `message_id`;
    - retry: a transient failure; the row stays in flight and is tried again;
    - parked: too many failures in a row: pending again, not before `retry_at`;
    - failed: Telegram refused this message for good (a bug to look at, never dropped);
    - unreachable: Telegram refused the person; pending until they come back;
    - released: claimed but not tried (quiet hours, shutdown, its person unreachable);
    - cancelled: no longer worth sending, found when it was to go (a decided review card).
    """

    item: OutboxItem
    state: Literal["sent", "retry", "parked", "failed", "unreachable", "released", "cancelled"]
    message_id: int | None = None
    error: str = ""
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """Where and when the Office's notice of an unreachable person goes."""

    day: date
    not_before: datetime


async def exchange(
    db: Database,
    outcomes: Sequence[Outcome],
    *,
    now: datetime,
    notice: Notice,
    limit: int = 0,
    stale: Callable[[OutboxItem], str | None] | None = None,
) -> tuple[list[int], list[OutboxItem]]:
    """In one transaction: store what became of claimed rows, then claim up to `limit`
    more (as `claim` does). Sent rows get their message id, a `bot_messages` entry (a
    reply finds the task) and a "reminded" event; a person Telegram refused is marked
    unreachable and the Office told once. Returns the people newly marked unreachable
    and the rows claimed."""
    at = utc_stamp(now)
    newly: list[int] = []
    async with db.transaction() as conn:
        if outcomes:
            await _store_outcomes(conn, outcomes, at)
        for o in outcomes:
            if o.state == "unreachable" and await _mark_unreachable(conn, o, at, notice):
                newly.append(o.item.person_id)
        claimed = await _claim(conn, at, limit, stale or (lambda _: None)) if limit > 0 else []
    return newly, claimed


async def _store_outcomes(conn: Transaction, outcomes: Sequence[Outcome], at: str) -> None:
    sent = [o for o in outcomes if o.state == "sent"]
    await conn.executemany(
        "UPDATE outbox SET state = 'sent', chat_id = ?, message_id = ?, sent_at = ?,"
        " attempts = attempts + 1, last_error = '' WHERE id = ?",
        [(o.item.chat_id, o.message_id, at, o.item.id) for o in sent],
    )
    about_a_task = [o for o in sent if o.item.kind in REPLY_KINDS and o.item.task_id is not None]
    await conn.executemany(
        "INSERT INTO bot_messages (chat_id, message_id, task_id, sent_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id, message_id) DO UPDATE SET task_id = excluded.task_id",
        [(o.item.chat_id, o.message_id, o.item.task_id, at) for o in about_a_task],
    )
    events = [(o.item.task_id, at, _reminded(o.item)) for o in about_a_task
              if o.item.kind in _REMINDED]  # fmt: skip
    listing = [o for o in sent if o.item.kind in _LISTING and o.item.listed]
    await conn.executemany(  # a reply to a message listing several tasks asks which one
        "INSERT INTO digest_messages (chat_id, message_id, task_ids, sent_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id, message_id) DO UPDATE SET task_ids = excluded.task_ids",
        [(o.item.chat_id, o.message_id, json.dumps(o.item.listed), at) for o in listing],
    )
    for o in listing:
        if o.item.kind is ReminderKind.ESCALATION:  # the tasks a head was told of are escalated
            told = json.dumps({"reminder": "escalation", "person_id": o.item.person_id})
            events += [(task_id, at, told) for task_id in o.item.listed]
        elif o.item.detail.get("of") == "round":  # each task a morning message names
            events += [(item[0], at, _listed(o.item, item)) for item in o.item.detail["tasks"]]
    await conn.executemany(
        "INSERT INTO task_events (task_id, at, kind, actor_id, detail)"
        " VALUES (?, ?, 'reminded', NULL, ?)",
        events,
    )
    others = [o for o in outcomes if o.state not in ("sent", "released")]
    if others:
        await conn.executemany(
            "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, retry_at = ?"
            " WHERE id = ?",
            [(_STATE_AFTER[o.state], o.error, None if o.retry_at is None else utc_stamp(o.retry_at),
              o.item.id) for o in others],
        )  # fmt: skip
    released = [(o.item.id,) for o in outcomes if o.state == "released"]
    if released:
        await conn.executemany(
            "UPDATE outbox SET state = 'pending' WHERE id = ? AND state = 'sending'", released
        )


def _listed(item: OutboxItem, listed: Sequence[Any]) -> str:
    """The "reminded" event of a task a morning message names: as its own reminder's."""
    _, _, kind, days = listed
    detail: dict[str, Any] = {"reminder": kind, "person_id": item.person_id, "in": "morning"}
    detail["days_overdue" if kind == ReminderKind.OVERDUE else "days_left"] = days
    return json.dumps(detail, ensure_ascii=False)


def _reminded(item: OutboxItem) -> str:
    """The detail of a task's "reminded" event: which reminder, to whom."""
    detail: dict[str, Any] = {"reminder": str(item.kind), "person_id": item.person_id}
    detail.update(item.detail)
    return json.dumps(detail, ensure_ascii=False)


_STATE_AFTER = {
    "retry": "sending",
    "parked": "pending",
    "failed": "failed",
    "unreachable": "pending",
    "cancelled": "cancelled",
}


async def _mark_unreachable(conn: Transaction, outcome: Outcome, at: str, notice: Notice) -> bool:
    person_id = outcome.item.person_id
    cursor = await conn.execute(
        "INSERT INTO unreachable_people (person_id, since, error) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (person_id, at, outcome.error),
    )
    if cursor.rowcount != 1:
        return False
    async with conn.execute(
        "SELECT p.code, p.name, p.role, u.code, u.name FROM people p"
        " LEFT JOIN units u ON u.id = p.unit_id WHERE p.id = ?",
        (person_id,),
    ) as c:
        row = await c.fetchone()
    assert row is not None
    detail = {
        "person": [row[0], row[1], row[2]],
        "unit": None if row[3] is None else [row[3], row[4]],
        "error": outcome.error,
    }
    await conn.execute(
        "INSERT INTO outbox (subject, person_id, kind, day, detail, not_before,"
        " created_at) SELECT ?, a.id, ?, ?, ?, ?, ? FROM people a"
        " WHERE a.role = 'admin' AND a.telegram_id IS NOT NULL AND a.id <> ?"
        " AND a.id NOT IN (SELECT person_id FROM unreachable_people) ON CONFLICT DO NOTHING",
        (
            f"person:{person_id}", str(ReminderKind.UNREACHABLE), notice.day.isoformat(),
            json.dumps(detail, ensure_ascii=False), utc_stamp(notice.not_before), at, person_id,
        ),
    )  # fmt: skip
    return True


async def clear_unreachable(db: Database, *, person_id: int) -> bool:
    """The person is back (they sent /start): their waiting rows may go out again."""
    return await db.execute("DELETE FROM unreachable_people WHERE person_id = ?", (person_id,)) > 0


async def is_unreachable(db: Database, *, person_id: int) -> bool:
    found = await db.fetchval("SELECT 1 FROM unreachable_people WHERE person_id = ?", (person_id,))
    return found is not None


async def due_count(db: Database, *, now: datetime) -> int:
    """Rows that could be sent at `now` (the unreachable's excepted)."""
    at = utc_stamp(now)
    return int(
        await db.fetchval(
            "SELECT COUNT(*) FROM outbox o WHERE o.state = 'pending' AND o.not_before <= ?"
            " AND (o.retry_at IS NULL OR o.retry_at <= ?) AND NOT EXISTS"
            " (SELECT 1 FROM unreachable_people u WHERE u.person_id = o.person_id)",
            (at, at),
        )
    )


# --- preferences -----------------------------------------------------------------------------


async def weekly_paused(db: Database) -> frozenset[int]:
    rows = await db.fetchall("SELECT person_id FROM reminder_preferences WHERE weekly_paused = 1")
    return frozenset(r[0] for r in rows)


async def is_weekly_paused(db: Database, *, person_id: int) -> bool:
    found = await db.fetchval(
        "SELECT weekly_paused FROM reminder_preferences WHERE person_id = ?", (person_id,)
    )
    return bool(found)


async def set_weekly_paused(db: Database, *, person_id: int, paused: bool, now: datetime) -> None:
    await db.execute(
        "INSERT INTO reminder_preferences (person_id, weekly_paused, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET weekly_paused = excluded.weekly_paused,"
        " updated_at = excluded.updated_at",
        (person_id, int(paused), utc_stamp(now)),
    )


# --- status and housekeeping -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnreachablePerson:
    code: str
    name: str
    since: datetime
    error: str


@dataclass(frozen=True, slots=True)
class FailedRow:
    id: int
    kind: str
    person: str
    day: date
    error: str


@dataclass(frozen=True)
class OutboxStatus:
    """`dondoc reminders status`: the outbox by state, the last rounds, who is unreachable."""

    states: dict[str, int]
    today: dict[str, int]
    rounds: list[tuple[date, int]]
    unreachable: list[UnreachablePerson] = field(default_factory=list)
    failed: list[FailedRow] = field(default_factory=list)


async def _pairs(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[str, int]]:
    return [(r[0], r[1]) for r in await db.fetchall(sql, params)]


async def status(db: Database, *, today: date, limit: int = 20) -> OutboxStatus:
    states = dict(await _pairs(db, "SELECT state, COUNT(*) FROM outbox GROUP BY state"))
    todays = dict(
        await _pairs(
            db,
            "SELECT state, COUNT(*) FROM outbox WHERE day = ? GROUP BY state",
            (today.isoformat(),),
        )
    )
    rounds = [
        (date.fromisoformat(r[0]), r[1])
        for r in await db.fetchall(
            "SELECT day, added FROM reminder_rounds ORDER BY day DESC LIMIT 7"
        )
    ]
    unreachable = [
        UnreachablePerson(r[0], r[1], parse_stamp(r[2]), r[3])
        for r in await db.fetchall(
            "SELECT p.code, p.name, u.since, u.error FROM unreachable_people u"
            " JOIN people p ON p.id = u.person_id ORDER BY u.since, p.code"
        )
    ]
    failed = [
        FailedRow(r[0], r[1], r[2], date.fromisoformat(r[3]), r[4])
        for r in await db.fetchall(
            "SELECT o.id, o.kind, p.code, o.day, o.last_error FROM outbox o"
            " JOIN people p ON p.id = o.person_id WHERE o.state = 'failed'"
            " ORDER BY o.id DESC LIMIT ?",
            (limit,),
        )
    ]
    return OutboxStatus(states, todays, rounds, unreachable, failed)


async def prune(db: Database, *, before: date) -> int:
    """Forget finished rows of days before `before` (pending ones are always kept)."""
    return await db.execute(
        "DELETE FROM outbox WHERE day < ? AND state IN ('sent', 'cancelled', 'failed')",
        (before.isoformat(),),
    )
