"""Units, people, tasks, extensions and history: typed rows in and out."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from bot.models import (
    DeadlineChange,
    Person,
    ReportState,
    Role,
    Task,
    TaskEvent,
    Unit,
    fold,
    phone_key,
)
from storage.db import Database, Reader, Transaction
from storage.encoding import day, iso, parse_stamp, utc_stamp

TASK_SELECT_COLUMNS = (
    "t.id, t.code, t.title, t.lead_unit_id, t.assigned_on, t.original_deadline, t.deadline, "
    "t.completed_on, t.extended_on, t.doc_number, t.doc_date, t.content, t.assigner, "
    "t.assigner_id, t.officer_id, t.report_state"
)


def unit_from_row(row: sqlite3.Row) -> Unit:
    return Unit(id=row["id"], code=row["code"], name=row["name"], kind=row["kind"])


def person_from_row(row: sqlite3.Row) -> Person:
    return Person(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        role=Role(row["role"]),
        unit_id=row["unit_id"],
        phone=row["phone"],
        telegram_id=row["telegram_id"],
        language=row["language"],
    )


def task_from_row(
    row: sqlite3.Row,
    *,
    cooperating: Sequence[int] = (),
    extensions: Sequence[DeadlineChange] = (),
) -> Task:
    assigned_on = day(row["assigned_on"])
    assert assigned_on is not None
    return Task(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        lead_unit_id=row["lead_unit_id"],
        assigned_on=assigned_on,
        original_deadline=day(row["original_deadline"]),
        deadline=day(row["deadline"]),
        completed_on=day(row["completed_on"]),
        extended_on=day(row["extended_on"]),
        doc_number=row["doc_number"],
        doc_date=day(row["doc_date"]),
        content=row["content"],
        assigner=row["assigner"],
        assigner_id=row["assigner_id"],
        officer_id=row["officer_id"],
        report_state=ReportState(row["report_state"]) if row["report_state"] else None,
        cooperating_unit_ids=tuple(cooperating),
        extensions=tuple(extensions),
    )


def change_from_row(row: sqlite3.Row) -> DeadlineChange:
    granted_on = day(row["granted_on"])
    assert granted_on is not None
    return DeadlineChange(
        task_id=row["task_id"],
        old_deadline=day(row["old_deadline"]),
        new_deadline=day(row["new_deadline"]),
        granted_on=granted_on,
        reason=row["reason"],
        decided_by=row["decided_by"],
    )


# --- units -------------------------------------------------------------------------------


async def add_unit(db: Database, *, code: str, name: str, kind: str = "") -> Unit:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO units (code, name, kind, name_folded) VALUES (?, ?, ?, ?)",
            (code, name, kind, fold(name)),
        )
        unit_id = cursor.lastrowid
    assert unit_id is not None
    return Unit(id=unit_id, code=code, name=name, kind=kind)


async def get_unit(db: Database, *, code: str | None = None, id: int | None = None) -> Unit | None:
    if code is not None:
        row = await db.fetch_by_key("SELECT * FROM units WHERE code = ?", (code,))
    else:
        row = await db.fetch_by_key("SELECT * FROM units WHERE id = ?", (id,))
    return None if row is None else unit_from_row(row)


async def list_units(db: Database) -> list[Unit]:
    return [unit_from_row(r) for r in await db.fetchall("SELECT * FROM units ORDER BY code")]


# --- people ------------------------------------------------------------------------------


async def add_person(
    db: Database,
    *,
    code: str,
    name: str,
    role: Role,
    unit_id: int | None = None,
    phone: str = "",
    telegram_id: int | None = None,
    language: str = "vi",
) -> Person:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO people (code, name, role, unit_id, phone, phone_key, telegram_id, "
            "language) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (code, name, role.value, unit_id, phone, phone_key(phone), telegram_id, language),
        )
        person_id = cursor.lastrowid
    assert person_id is not None
    return Person(
        id=person_id,
        code=code,
        name=name,
        role=role,
        unit_id=unit_id,
        phone=phone,
        telegram_id=telegram_id,
        language=language,
    )


async def get_person(
    db: Database,
    *,
    code: str | None = None,
    id: int | None = None,
    telegram_id: int | None = None,
) -> Person | None:
    if code is not None:
        row = await db.fetch_by_key("SELECT * FROM people WHERE code = ?", (code,))
    elif telegram_id is not None:
        row = await db.fetch_by_key("SELECT * FROM people WHERE telegram_id = ?", (telegram_id,))
    else:
        row = await db.fetch_by_key("SELECT * FROM people WHERE id = ?", (id,))
    return None if row is None else person_from_row(row)


async def people_with_role(db: Database, role: Role, *, unit_id: int | None = None) -> list[Person]:
    if unit_id is None:
        rows = await db.fetchall("SELECT * FROM people WHERE role = ? ORDER BY id", (role.value,))
    else:
        rows = await db.fetchall(
            "SELECT * FROM people WHERE role = ? AND unit_id = ? ORDER BY id",
            (role.value, unit_id),
        )
    return [person_from_row(r) for r in rows]


# --- tasks -------------------------------------------------------------------------------


async def add_task(
    db: Database,
    *,
    code: str,
    title: str,
    lead_unit_id: int,
    assigned_on: date,
    now: datetime,
    original_deadline: date | None = None,
    deadline: date | None = None,
    completed_on: date | None = None,
    doc_number: str = "",
    doc_date: date | None = None,
    content: str = "",
    assigner: str = "",
    assigner_id: int | None = None,
    officer_id: int | None = None,
    cooperating_unit_ids: Iterable[int] = (),
    actor_id: int | None = None,
) -> Task:
    """Register one task; its history starts with a `created` event."""
    if original_deadline is None:
        original_deadline = deadline
    if deadline is None:
        deadline = original_deadline
    extended_on = assigned_on if deadline != original_deadline else None
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO tasks (code, doc_number, doc_date, title, content, assigner, assigner_id,"
            " lead_unit_id, officer_id, assigned_on, original_deadline, deadline, extended_on,"
            " completed_on, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                code, doc_number, iso(doc_date), title, content, assigner, assigner_id,
                lead_unit_id, officer_id, iso(assigned_on), iso(original_deadline),
                iso(deadline), iso(extended_on), iso(completed_on), utc_stamp(now), utc_stamp(now),
            ),
        )  # fmt: skip
        task_id = cursor.lastrowid
        assert task_id is not None
        cooperating = tuple(cooperating_unit_ids)
        await conn.executemany(
            "INSERT INTO task_cooperators (task_id, unit_id) VALUES (?, ?)",
            [(task_id, unit_id) for unit_id in cooperating],
        )
        if extended_on is not None:
            await conn.execute(
                "INSERT INTO deadline_changes (task_id, old_deadline, new_deadline, granted_on,"
                " decided_by, decided_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (task_id, iso(original_deadline), iso(deadline), iso(extended_on), actor_id,
                 utc_stamp(now), ""),
            )  # fmt: skip
        await add_event(conn, task_id=task_id, kind="created", at=now, actor_id=actor_id)
    task = await get_task(db, id=task_id)
    assert task is not None
    return task


async def get_task(db: Reader, *, code: str | None = None, id: int | None = None) -> Task | None:
    """One task in full: cooperating units and granted extensions included."""
    if code is not None:
        row = await db.fetchone(
            f"SELECT {TASK_SELECT_COLUMNS} FROM tasks t WHERE t.code = ?", (code,)
        )
    else:
        row = await db.fetchone(f"SELECT {TASK_SELECT_COLUMNS} FROM tasks t WHERE t.id = ?", (id,))
    if row is None:
        return None
    cooperating = [
        r[0]
        for r in await db.fetchall(
            "SELECT unit_id FROM task_cooperators WHERE task_id = ? ORDER BY unit_id", (row["id"],)
        )
    ]
    changes = [
        change_from_row(r)
        for r in await db.fetchall(
            "SELECT * FROM deadline_changes WHERE task_id = ? ORDER BY granted_on, id",
            (row["id"],),
        )
    ]
    return task_from_row(row, cooperating=cooperating, extensions=changes)


async def all_tasks(db: Database) -> list[Task]:
    """Every task with its extensions (for small registers, exports and tests)."""
    changes: dict[int, list[DeadlineChange]] = {}
    for r in await db.fetchall("SELECT * FROM deadline_changes ORDER BY task_id, granted_on, id"):
        changes.setdefault(r["task_id"], []).append(change_from_row(r))
    cooperating: dict[int, list[int]] = {}
    for r in await db.fetchall("SELECT task_id, unit_id FROM task_cooperators ORDER BY 1, 2"):
        cooperating.setdefault(r[0], []).append(r[1])
    rows = await db.fetchall(f"SELECT {TASK_SELECT_COLUMNS} FROM tasks t ORDER BY t.id")
    return [
        task_from_row(
            r, cooperating=cooperating.get(r["id"], ()), extensions=changes.get(r["id"], ())
        )
        for r in rows
    ]


# --- history -----------------------------------------------------------------------------


async def add_event(
    conn: Transaction,
    *,
    task_id: int,
    kind: str,
    at: datetime,
    actor_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one line to a task's history, inside the caller's transaction."""
    await conn.execute(
        "INSERT INTO task_events (task_id, at, kind, actor_id, detail) VALUES (?, ?, ?, ?, ?)",
        (task_id, utc_stamp(at), kind, actor_id, json.dumps(detail or {}, ensure_ascii=False)),
    )


async def task_history(db: Database, task_id: int, *, limit: int | None = None) -> list[TaskEvent]:
    """A task's events, oldest first (the last `limit` of them when a limit is given)."""
    if limit is None:
        rows = await db.fetchall(
            "SELECT * FROM task_events WHERE task_id = ? ORDER BY id", (task_id,)
        )
    else:
        rows = await db.fetchall(
            "SELECT * FROM (SELECT * FROM task_events WHERE task_id = ? ORDER BY id DESC LIMIT ?)"
            " ORDER BY id",
            (task_id, limit),
        )
    return [
        TaskEvent(
            id=r["id"],
            task_id=r["task_id"],
            at=parse_stamp(r["at"]),
            kind=r["kind"],
            actor_id=r["actor_id"],
            detail=json.loads(r["detail"]),
        )
        for r in rows
    ]
