"""Completion reports, extension requests, their decisions, and the guided dialogues.

Every decision takes effect once: it is an `UPDATE … WHERE state = 'pending'` inside
`BEGIN IMMEDIATE`, and a second reviewer finds the row decided and learns who decided.
Checks that need the whole task run under the write lock (`check` callbacks), so what
was checked is what is written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, datetime

from bot.models import (
    CompletionReport,
    Decision,
    Dialogue,
    ExtensionRequest,
    ItemKind,
    Person,
    PlannedReminder,
    Refusal,
    Step,
    Task,
)
from storage.db import Database, Reader, Transaction
from storage.encoding import day, iso, parse_stamp, utc_stamp
from storage.outbox import add_notices
from storage.register import add_event, get_task, person_from_row

TaskCheck = Callable[[Task], Refusal | None]
# The outbox rows that put a new report or request before its reviewers, given its id.
ReviewCards = Callable[[int], Sequence[PlannedReminder]]


def _no_cards(item_id: int) -> Sequence[PlannedReminder]:
    return ()


def _report(row: sqlite3.Row) -> CompletionReport:
    reported_at = parse_stamp(row["reported_at"])
    reported_on = day(row["reported_on"])
    assert reported_at is not None and reported_on is not None
    return CompletionReport(
        id=row["id"],
        task_id=row["task_id"],
        person_id=row["person_id"],
        reported_at=reported_at,
        reported_on=reported_on,
        result=row["result"],
        reply_doc=row["reply_doc"],
        file_id=row["file_id"],
        file_kind=row["file_kind"],
        state=row["state"],
        decided_by=row["decided_by"],
        decided_at=parse_stamp(row["decided_at"]),
        decision_note=row["decision_note"],
    )


def _request(row: sqlite3.Row) -> ExtensionRequest:
    requested_at = parse_stamp(row["requested_at"])
    requested_on = day(row["requested_on"])
    new_deadline = day(row["new_deadline"])
    assert requested_at is not None and requested_on is not None and new_deadline is not None
    return ExtensionRequest(
        id=row["id"],
        task_id=row["task_id"],
        person_id=row["person_id"],
        requested_at=requested_at,
        requested_on=requested_on,
        old_deadline=day(row["old_deadline"]),
        new_deadline=new_deadline,
        reason=row["reason"],
        state=row["state"],
        granted_deadline=day(row["granted_deadline"]),
        decided_by=row["decided_by"],
        decided_at=parse_stamp(row["decided_at"]),
        decision_note=row["decision_note"],
    )


# --- completion reports --------------------------------------------------------------------


async def submit_report(
    db: Database,
    *,
    task_id: int,
    person_id: int,
    now: datetime,
    today: date,
    result: str,
    reply_doc: str,
    file_id: str | None,
    file_kind: str | None,
    review: bool,
    check: TaskCheck,
    cards: ReviewCards = _no_cards,
) -> tuple[CompletionReport, Decision | None] | Refusal:
    """File a completion report. With `review` it waits (the task reads "chờ duyệt") and
    `cards(report_id)` go into the outbox in the same transaction; without, the task is
    completed today and the `Decision` says so."""
    async with db.transaction() as conn:
        task = await get_task(conn, id=task_id)
        refusal = Refusal("unknown_task") if task is None else check(task)
        if refusal is not None:
            return refusal
        cursor = await conn.execute(
            "INSERT INTO completion_reports (task_id, person_id, reported_at, reported_on, result,"
            " reply_doc, file_id, file_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (task_id, person_id, utc_stamp(now), iso(today), result, reply_doc, file_id, file_kind),
        )
        report_id = cursor.lastrowid
        assert report_id is not None
        await conn.execute(
            "UPDATE tasks SET report_state = 'pending', updated_at = ? WHERE id = ?",
            (utc_stamp(now), task_id),
        )
        detail = {"report": report_id, "result": result, "reply_doc": reply_doc}
        if file_kind:
            detail["file"] = file_kind
        await add_event(
            conn, task_id=task_id, kind="reported", at=now, actor_id=person_id, detail=detail
        )
        decision = None
        if review:
            await add_notices(conn, cards(report_id), now=now)
        else:
            decision = await _accept(conn, report_id, person_id=None, now=now)
    report = await get_report(db, report_id)
    assert report is not None
    return report, decision


async def get_report(db: Database, report_id: int) -> CompletionReport | None:
    row = await db.fetchone("SELECT * FROM completion_reports WHERE id = ?", (report_id,))
    return None if row is None else _report(row)


async def pending_reports(db: Database, *, limit: int) -> list[CompletionReport]:
    """Reports waiting for review, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM completion_reports WHERE state = 'pending' ORDER BY id LIMIT ?", (limit,)
    )
    return [_report(r) for r in rows]


async def _decided(
    conn: Transaction, table: str, item_id: int, *, withdrawn: tuple[int, ...] = ()
) -> Decision:
    async with conn.execute(
        f"SELECT state, decided_by, decided_at FROM {table} WHERE id = ?", (item_id,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return Decision(taken=False, state="missing")
    return Decision(
        taken=False,
        state=row[0],
        decided_by=row[1],
        decided_at=parse_stamp(row[2]),
        withdrawn=withdrawn,
    )


async def _claim(
    conn: Transaction,
    table: str,
    item_id: int,
    *,
    person_id: int | None,
    now: datetime,
    **columns: object,
) -> sqlite3.Row | Decision:
    """Decide a pending report or request of `table` (its new `state` and the decision's
    other `columns`), once: the row as decided, or how it was decided before."""
    sets = "".join(f", {column} = ?" for column in columns)
    rows = list(
        await conn.execute_fetchall(
            f"UPDATE {table} SET decided_by = ?, decided_at = ?{sets}"
            " WHERE id = ? AND state = 'pending' RETURNING *",
            (person_id, utc_stamp(now), *columns.values(), item_id),
        )
    )
    return rows[0] if rows else await _decided(conn, table, item_id)


async def _accept(
    conn: Transaction, report_id: int, *, person_id: int | None, now: datetime
) -> Decision:
    claimed = await _claim(
        conn, "completion_reports", report_id, person_id=person_id, now=now, state="accepted"
    )
    if isinstance(claimed, Decision):
        return claimed
    task_id, reported_on = claimed["task_id"], claimed["reported_on"]
    # Completed on the day the unit reported, not the day of review.
    await conn.execute(
        "UPDATE tasks SET completed_on = ?, report_state = NULL, updated_at = ?"
        " WHERE id = ? AND completed_on IS NULL",
        (reported_on, utc_stamp(now), task_id),
    )
    await add_event(
        conn, task_id=task_id, kind="completed", at=now, actor_id=person_id,
        detail={"report": report_id, "completed_on": reported_on},
    )  # fmt: skip
    withdrawn = await _withdraw_requests(conn, task_id, now=now)
    return Decision(
        taken=True, state="accepted", decided_by=person_id, decided_at=now, withdrawn=withdrawn
    )


async def accept_report(
    db: Database,
    *,
    report_id: int,
    person_id: int,
    now: datetime,
    notices: Sequence[PlannedReminder] = (),
) -> Decision:
    """Accept a waiting report: the task is completed on the day the report was sent.
    `notices` (of this decision) go into the outbox in the same transaction, if taken."""
    async with db.transaction() as conn:
        decision = await _accept(conn, report_id, person_id=person_id, now=now)
        if decision.taken:
            await add_notices(conn, notices, now=now)
        return decision


async def return_report(
    db: Database,
    *,
    report_id: int,
    person_id: int,
    now: datetime,
    reason: str,
    notices: Sequence[PlannedReminder] = (),
) -> Decision:
    """Return a waiting report with the reason (yêu cầu phúc đáp lại); the task stays open."""
    async with db.transaction() as conn:
        claimed = await _claim(
            conn, "completion_reports", report_id, person_id=person_id, now=now,
            state="returned", decision_note=reason,
        )  # fmt: skip
        if isinstance(claimed, Decision):
            return claimed
        task_id = claimed["task_id"]
        await conn.execute(
            "UPDATE tasks SET report_state = 'returned', updated_at = ?"
            " WHERE id = ? AND completed_on IS NULL",
            (utc_stamp(now), task_id),
        )
        await add_event(
            conn, task_id=task_id, kind="returned", at=now, actor_id=person_id,
            detail={"report": report_id, "reason": reason},
        )  # fmt: skip
        await add_notices(conn, notices, now=now)
    return Decision(taken=True, state="returned", decided_by=person_id, decided_at=now)


# --- extension requests --------------------------------------------------------------------


async def request_extension(
    db: Database,
    *,
    task_id: int,
    person_id: int,
    now: datetime,
    today: date,
    new_deadline: date,
    reason: str,
    check: Callable[[Task, bool], Refusal | None],
    cards: ReviewCards = _no_cards,
) -> ExtensionRequest | Refusal:
    """File a request for more time; `check(task, request_open)` runs under the write lock,
    and `cards(request_id)` go into the outbox in the same transaction."""
    async with db.transaction() as conn:
        task = await get_task(conn, id=task_id)
        if task is None:
            return Refusal("unknown_task")
        async with conn.execute(
            "SELECT 1 FROM extension_requests WHERE task_id = ? AND state = 'pending'", (task_id,)
        ) as rows:
            request_open = await rows.fetchone() is not None
        refusal = check(task, request_open)
        if refusal is not None:
            return refusal
        cursor = await conn.execute(
            "INSERT INTO extension_requests (task_id, person_id, requested_at, requested_on,"
            " old_deadline, new_deadline, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (task_id, person_id, utc_stamp(now), iso(today), iso(task.deadline), iso(new_deadline),
             reason),
        )  # fmt: skip
        request_id = cursor.lastrowid
        assert request_id is not None
        await add_event(
            conn, task_id=task_id, kind="extension_requested", at=now, actor_id=person_id,
            detail={"request": request_id, "new_deadline": iso(new_deadline), "reason": reason},
        )  # fmt: skip
        await add_notices(conn, cards(request_id), now=now)
    request = await get_request(db, request_id)
    assert request is not None
    return request


async def get_request(db: Reader, request_id: int) -> ExtensionRequest | None:
    row = await db.fetchone("SELECT * FROM extension_requests WHERE id = ?", (request_id,))
    return None if row is None else _request(row)


async def open_request(db: Database, task_id: int) -> ExtensionRequest | None:
    row = await db.fetchone(
        "SELECT * FROM extension_requests WHERE task_id = ? AND state = 'pending'", (task_id,)
    )
    return None if row is None else _request(row)


async def pending_count(db: Database) -> int:
    """Reports and requests waiting for a decision."""
    return int(
        await db.fetchval(
            "SELECT (SELECT count(*) FROM completion_reports WHERE state = 'pending')"
            " + (SELECT count(*) FROM extension_requests WHERE state = 'pending')"
        )
    )


async def pending_requests(db: Database, *, limit: int) -> list[ExtensionRequest]:
    """Requests waiting for a decision, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM extension_requests WHERE state = 'pending' ORDER BY id LIMIT ?", (limit,)
    )
    return [_request(r) for r in rows]


async def _withdraw_requests(conn: Transaction, task_id: int, *, now: datetime) -> tuple[int, ...]:
    """A completed task needs no more time: its open request is closed."""
    rows = await conn.execute_fetchall(
        "UPDATE extension_requests SET state = 'withdrawn', decided_at = ?"
        " WHERE task_id = ? AND state = 'pending' RETURNING id",
        (utc_stamp(now), task_id),
    )
    return tuple(r[0] for r in rows)


async def grant_extension(
    db: Database,
    *,
    request_id: int,
    person_id: int,
    now: datetime,
    today: date,
    new_deadline: date | None = None,
    check: TaskCheck,
    notices: Sequence[PlannedReminder] = (),
) -> Decision | Refusal:
    """Grant a request, as asked or to `new_deadline`: the deadline moves, the original is
    kept, and the change records who, when (`granted_on` = today) and why."""
    async with db.transaction() as conn:
        request = await get_request(conn, request_id)
        if request is None or request.state != "pending":
            return await _decided(conn, "extension_requests", request_id)
        task = await get_task(conn, id=request.task_id)
        assert task is not None
        if task.completed_on is not None:
            withdrawn = await _withdraw_requests(conn, task.id, now=now)
            return await _decided(conn, "extension_requests", request_id, withdrawn=withdrawn)
        refusal = check(task)
        if refusal is not None:
            return refusal
        granted = new_deadline or request.new_deadline
        claimed = await _claim(
            conn, "extension_requests", request_id, person_id=person_id, now=now,
            state="granted", granted_deadline=iso(granted),
        )  # fmt: skip
        if isinstance(claimed, Decision):
            return claimed
        await conn.execute(
            "UPDATE tasks SET deadline = ?, extended_on = ?, updated_at = ? WHERE id = ?",
            (iso(granted), iso(today), utc_stamp(now), task.id),
        )
        await conn.execute(
            "INSERT INTO deadline_changes (task_id, old_deadline, new_deadline, granted_on,"
            " decided_by, decided_at, reason, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (task.id, iso(task.deadline), iso(granted), iso(today), person_id, utc_stamp(now),
             request.reason, request_id),
        )  # fmt: skip
        await add_event(
            conn, task_id=task.id, kind="extension_granted", at=now, actor_id=person_id,
            detail={"request": request_id, "old_deadline": iso(task.deadline),
                    "new_deadline": iso(granted), "asked": iso(request.new_deadline)},
        )  # fmt: skip
        await add_notices(conn, notices, now=now)
    return Decision(taken=True, state="granted", decided_by=person_id, decided_at=now)


async def refuse_extension(
    db: Database,
    *,
    request_id: int,
    person_id: int,
    now: datetime,
    reason: str,
    notices: Sequence[PlannedReminder] = (),
) -> Decision:
    """Refuse a request with the reviewer's reason; the deadline stays."""
    async with db.transaction() as conn:
        claimed = await _claim(
            conn, "extension_requests", request_id, person_id=person_id, now=now,
            state="refused", decision_note=reason,
        )  # fmt: skip
        if isinstance(claimed, Decision):
            return claimed
        task_id = claimed["task_id"]
        await add_event(
            conn, task_id=task_id, kind="extension_refused", at=now, actor_id=person_id,
            detail={"request": request_id, "reason": reason},
        )  # fmt: skip
        await add_notices(conn, notices, now=now)
    return Decision(taken=True, state="refused", decided_by=person_id, decided_at=now)


# --- reviewers' messages -------------------------------------------------------------------


async def remember_review_message(
    db: Database, *, kind: ItemKind, item_id: int, chat_id: int, message_id: int
) -> None:
    await db.execute(
        "INSERT INTO review_messages (item_kind, item_id, chat_id, message_id)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (kind.value, item_id, chat_id, message_id),
    )


async def review_messages(db: Database, *, kind: ItemKind, item_id: int) -> list[tuple[int, int]]:
    """(chat_id, message_id) of every message that put this item before a reviewer."""
    rows = await db.fetchall(
        "SELECT chat_id, message_id FROM review_messages WHERE item_kind = ? AND item_id = ?"
        " ORDER BY chat_id, message_id",
        (kind.value, item_id),
    )
    return [(r[0], r[1]) for r in rows]


# --- dialogues -----------------------------------------------------------------------------


async def save_dialogue(db: Database, dialogue: Dialogue) -> None:
    """Start (or replace) the person's dialogue."""
    await db.execute(
        "INSERT OR REPLACE INTO dialogues (person_id, chat_id, step, task_id, item_id, data,"
        " started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            dialogue.person_id, dialogue.chat_id, dialogue.step.value, dialogue.task_id,
            dialogue.item_id, json.dumps(dict(dialogue.data), ensure_ascii=False),
            utc_stamp(dialogue.started_at), utc_stamp(dialogue.expires_at),
        ),
    )  # fmt: skip


async def get_dialogue(db: Database, person_id: int) -> Dialogue | None:
    row = await db.fetchone("SELECT * FROM dialogues WHERE person_id = ?", (person_id,))
    if row is None:
        return None
    started_at, expires_at = parse_stamp(row["started_at"]), parse_stamp(row["expires_at"])
    assert started_at is not None and expires_at is not None
    return Dialogue(
        person_id=row["person_id"],
        chat_id=row["chat_id"],
        step=Step(row["step"]),
        started_at=started_at,
        expires_at=expires_at,
        task_id=row["task_id"],
        item_id=row["item_id"],
        data=json.loads(row["data"]),
    )


async def end_dialogue(db: Database, person_id: int) -> None:
    await db.execute("DELETE FROM dialogues WHERE person_id = ?", (person_id,))


async def people_by_id(db: Database, ids: Sequence[int]) -> dict[int, Person]:
    """The people with these ids (for names in histories and decisions)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    rows = await db.fetchall(f"SELECT * FROM people WHERE id IN ({marks})", wanted)
    return {r["id"]: person_from_row(r) for r in rows}
