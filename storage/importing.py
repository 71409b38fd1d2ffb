"""The bulk SQL of imports: the register by code in one read, a checked plan in one write.

Everything a plan creates or changes is written in one `BEGIN IMMEDIATE` transaction with
`executemany`, so a file of 100,000 tasks is all in, or nothing is. The merge was made from
a read before that transaction; inside it the rows the plan changes are read again, and if
the bot changed any of them since, the merge is made again (`recheck`) before writing: a
decision taken in the bot meanwhile is merged, never overwritten.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

from bot.models import (
    Catalog,
    Change,
    ImportKind,
    Merged,
    PersonRecord,
    Recheck,
    TaskRecord,
    UnitRecord,
    fold,
    phone_key,
    record_from,
)
from storage.db import Database, Transaction
from storage.encoding import day, iso, utc_stamp
from storage.figures import figures_summed_once, insert_triggers_idle
from storage.register import TASK_SELECT_COLUMNS, person_from_row, unit_from_row
from storage.reports import recount_overdue

_TASK_FIELDS = (
    "doc_number, doc_date, title, content, assigner, assigner_id, lead_unit_id, officer_id,"
    " assigned_on, original_deadline, deadline, extended_on, completed_on"
)
_TASK_MARKS = ", ".join("?" * len(_TASK_FIELDS.split(",")))


async def load_catalog(
    db: Database, *, tasks: bool = False, codes: Collection[str] | None = None
) -> Catalog:
    """Every unit and person by code; the tasks too when `tasks` (for a task import): every
    one, or those of `codes` (found in any case) when the register holds many more."""
    units = [unit_from_row(r) for r in await db.fetchall("SELECT * FROM units")]
    people = [person_from_row(r) for r in await db.fetchall("SELECT * FROM people")]
    return Catalog(
        {unit.code: record_from(unit, UnitRecord) for unit in units},
        {person.code: record_from(person, PersonRecord) for person in people},
        await load_tasks(db, codes) if tasks else {},
    )


def _few(codes: Collection[str] | None, held: int) -> bool:
    """Whether to read the rows of `codes` (by the index) rather than all `held` of them."""
    return codes is not None and len(codes) * SUBSET_SHARE < held


async def load_tasks(db: Database, codes: Collection[str] | None = None) -> dict[str, TaskRecord]:
    """The tasks as their import columns see them, by code: all, or those of `codes`."""
    if codes is not None and _few(codes, await db.fetchval("SELECT count(*) FROM tasks")):
        return await _tasks_where(db.fetchall, "lower(t.code)", sorted(_lowered(codes)))
    cooperating: dict[int, list[int]] = {}
    for task_id, unit_id in await db.fetchall(
        "SELECT task_id, unit_id FROM task_cooperators ORDER BY task_id, unit_id"
    ):
        cooperating.setdefault(task_id, []).append(unit_id)
    rows = await db.fetchall(f"SELECT {TASK_SELECT_COLUMNS} FROM tasks t ORDER BY t.id")
    return _task_records(rows, cooperating)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _lowered(codes: Iterable[str]) -> set[str]:
    """The codes as SQL's `lower()` (ASCII only) would write them, and lower-cased: the
    index on `lower(code)` finds the register's spelling of each ("nv-1" is "NV-1"); the
    catalog then matches them as the import always has."""
    return {variant for code in codes for variant in (code.translate(_ASCII_LOWER), code.lower())}


class _Days(dict[str | None, date | None]):
    """`day` of each text, read once: the 100,000 tasks a file names share a few thousand
    dates (the reverse of `_Iso`)."""

    def __missing__(self, text: str | None) -> date | None:
        value = self[text] = day(text)
        return value

    def given(self, text: str) -> date:
        """A date the register always has (a task's assigned day)."""
        value = self[text]
        assert value is not None
        return value


def _task_records(
    rows: Iterable[sqlite3.Row], cooperating: Mapping[int, list[int]]
) -> dict[str, TaskRecord]:
    """The rows (TASK_SELECT_COLUMNS) as records, built directly: through `task_from_row` and
    `record_from`, 100,000 of them took twice as long (~1 s of a pull on a million tasks)."""
    d = _Days()
    return {
        r["code"]: TaskRecord(
            code=r["code"],
            title=r["title"],
            lead_unit_id=r["lead_unit_id"],
            assigned_on=d.given(r["assigned_on"]),
            doc_number=r["doc_number"],
            doc_date=d[r["doc_date"]],
            content=r["content"],
            assigner=r["assigner"],
            assigner_id=r["assigner_id"],
            cooperating_unit_ids=tuple(cooperating.get(r["id"], ())),
            officer_id=r["officer_id"],
            original_deadline=d[r["original_deadline"]],
            deadline=d[r["deadline"]],
            completed_on=d[r["completed_on"]],
            id=r["id"],
            extended_on=d[r["extended_on"]],
        )
        for r in rows
    }


Fetch = Callable[[str, Sequence[object]], Awaitable[list[sqlite3.Row]]]


async def _tasks_where(
    fetch: Fetch, column: str, values: Sequence[object]
) -> dict[str, TaskRecord]:
    """The tasks whose `column` (`t.id`, `lower(t.code)`) is one of `values`, by code."""
    rows = await _chunked(
        fetch, f"SELECT {TASK_SELECT_COLUMNS} FROM tasks t WHERE {column} IN", values
    )
    cooperating: dict[int, list[int]] = {}
    for task_id, unit_id in await _chunked(
        fetch, "SELECT task_id, unit_id FROM task_cooperators WHERE task_id IN",
        [r["id"] for r in rows],
    ):  # fmt: skip
        cooperating.setdefault(task_id, []).append(unit_id)
    for units in cooperating.values():
        units.sort()
    return _task_records(rows, cooperating)


R = TypeVar("R", UnitRecord, PersonRecord, TaskRecord)
_CHUNK = 900  # values in one `IN (...)`: under the 999 bound parameters of older SQLite
SUBSET_SHARE = 4  # a file of under a quarter of the register reads its own rows only


async def _chunked(
    fetch: Fetch,
    select: str,
    values: Sequence[object],
    *first: object,
) -> list[sqlite3.Row]:
    """`select` (ending in `IN`) for the values, a chunk at a time; `first` are the
    parameters before the list."""
    found: list[sqlite3.Row] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        found.extend(await fetch(f"{select} ({', '.join('?' * len(chunk))})", (*first, *chunk)))
    return found


async def load_bases(
    db: Database, kind: ImportKind, codes: Collection[str] | None = None
) -> dict[str, str]:
    """What the last import of each row of this kind brought (encoded cells), by code: of
    every row, or of `codes` when the register holds many more."""
    select = "SELECT code, cells FROM import_base WHERE kind = ?"
    if codes is not None:
        held = await db.fetchval("SELECT count(*) FROM import_base WHERE kind = ?", (kind.value,))
        if _few(codes, held):
            rows = await _chunked(db.fetchall, f"{select} AND code IN", list(codes), kind.value)
            return {code: cells for code, cells in rows}
    return {code: cells for code, cells in await db.fetchall(select, (kind.value,))}


async def _remember(conn: Transaction, kind: ImportKind, bases: list[tuple[str, str]]) -> None:
    await conn.executemany(
        "INSERT INTO import_base (kind, code, cells) VALUES (?, ?, ?)"
        " ON CONFLICT (kind, code) DO UPDATE SET cells = excluded.cells",
        [(kind.value, code, cells) for code, cells in bases],
    )


def _reading(conn: Transaction) -> Fetch:
    """Reads inside the write transaction (through the writer, which holds the lock)."""

    async def fetch(sql: str, params: Sequence[object]) -> list[sqlite3.Row]:
        return list(await conn.execute_fetchall(sql, params))

    return fetch


def _merged_again(
    merged: Merged[R], fresh: Mapping[str, R], recheck: Recheck[R] | None
) -> Merged[R]:
    """The merge again if the bot changed a row it updates since it was read, else as it was."""
    changed = {
        c.old.code: fresh[c.old.code]
        for c in merged.plan.update
        if fresh.get(c.old.code, c.old) != c.old
    }
    return recheck(changed) if changed and recheck is not None else merged


async def apply_units(
    db: Database, merged: Merged[UnitRecord], *, recheck: Recheck[UnitRecord] | None = None
) -> Merged[UnitRecord]:
    async with db.transaction() as conn:
        ids = [c.old.id for c in merged.plan.update]
        rows = await _chunked(_reading(conn), "SELECT * FROM units WHERE id IN", ids)
        fresh = {r["code"]: record_from(unit_from_row(r), UnitRecord) for r in rows}
        merged = _merged_again(merged, fresh, recheck)
        plan = merged.plan
        await conn.executemany(
            "INSERT INTO units (code, name, kind, name_folded) VALUES (?, ?, ?, ?)",
            [(u.code, u.name, u.kind, fold(u.name)) for u in plan.create],
        )
        await conn.executemany(
            "UPDATE units SET name = ?, kind = ?, name_folded = ? WHERE id = ?",
            [(c.new.name, c.new.kind, fold(c.new.name), c.old.id) for c in plan.update],
        )
        await _remember(conn, ImportKind.UNITS, merged.bases)
    return merged


async def apply_people(
    db: Database, merged: Merged[PersonRecord], *, recheck: Recheck[PersonRecord] | None = None
) -> Merged[PersonRecord]:
    async with db.transaction() as conn:
        ids = [c.old.id for c in merged.plan.update]
        rows = await _chunked(_reading(conn), "SELECT * FROM people WHERE id IN", ids)
        fresh = {r["code"]: record_from(person_from_row(r), PersonRecord) for r in rows}
        merged = _merged_again(merged, fresh, recheck)
        plan = merged.plan
        moved = [c for c in plan.update if c.new.telegram_id != c.old.telegram_id]
        # Telegram ids are unique: free the ones that move before anyone takes them.
        await conn.executemany(
            "UPDATE people SET telegram_id = NULL WHERE id = ?", [(c.old.id,) for c in moved]
        )
        await conn.executemany(
            "UPDATE people SET name = ?, role = ?, unit_id = ?, phone = ?, phone_key = ?,"
            " telegram_id = ? WHERE id = ?",
            [
                (p.name, p.role.value, p.unit_id, p.phone, phone_key(p.phone), p.telegram_id,
                 c.old.id)
                for c in plan.update
                for p in (c.new,)
            ],
        )  # fmt: skip
        await conn.executemany(
            "INSERT INTO people (code, name, role, unit_id, phone, phone_key, telegram_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (p.code, p.name, p.role.value, p.unit_id, p.phone, phone_key(p.phone),
                 p.telegram_id)
                for p in plan.create
            ],
        )  # fmt: skip
        await _remember(conn, ImportKind.PEOPLE, merged.bases)
    return merged


class _Iso(dict[date | None, str | None]):
    """`iso` of each date, written once: the 100,000 tasks of an import share a few
    thousand dates."""

    def __missing__(self, day: date | None) -> str | None:
        text = self[day] = iso(day)
        return text


def _task_values(task: TaskRecord, extended_on: date | None, d: _Iso) -> tuple[object, ...]:
    return (
        task.doc_number, d[task.doc_date], task.title, task.content, task.assigner,
        task.assigner_id, task.lead_unit_id, task.officer_id, d[task.assigned_on],
        d[task.original_deadline], d[task.deadline], d[extended_on], d[task.completed_on],
    )  # fmt: skip


def _extended_on(change: Change[TaskRecord], today: date) -> date | None:
    """The day of the extension this update grants (today), else the task's last one.

    A deadline that moves away from the original, or on a task already extended, is an
    extension granted by the import; one that moves with the original is a correction.
    """
    old, new = change.old, change.new
    if new.deadline != old.deadline and (
        new.deadline != new.original_deadline or old.extended_on is not None
    ):
        return today
    return old.extended_on


async def apply_tasks(
    db: Database,
    merged: Merged[TaskRecord],
    *,
    today: date,
    now: datetime,
    source: str,
    recheck: Recheck[TaskRecord] | None = None,
) -> tuple[Merged[TaskRecord], list[int], list[int]]:
    """Write the merge; returns it (made again if the bot changed a row meanwhile) and the
    ids of the tasks created and of those reassigned."""
    at = utc_stamp(now)
    async with db.transaction() as conn, figures_summed_once(conn):
        ids = [c.old.id for c in merged.plan.update]
        fresh = await _tasks_where(_reading(conn), "t.id", ids)
        merged = _merged_again(merged, fresh, recheck)
        plan = merged.plan
        created = await _create_tasks(conn, plan.create, at)
        extended = {c.old.id: _extended_on(c, today) for c in plan.update}
        days = _Iso()
        await conn.executemany(
            f"UPDATE tasks SET ({_TASK_FIELDS}, updated_at) = ({_TASK_MARKS}, ?) WHERE id = ?",
            [(*_task_values(c.new, extended[c.old.id], days), at, c.old.id) for c in plan.update],
        )
        moved = [c for c in plan.update if "don_vi_phoi_hop" in c.fields]
        await conn.executemany(
            "DELETE FROM task_cooperators WHERE task_id = ?", [(c.old.id,) for c in moved]
        )
        await _add_cooperators(conn, ((c.old.id, c.new) for c in moved))
        await _add_extensions(
            conn,
            (
                (c.old.id, c.old.deadline, c.new.deadline, today)
                for c in plan.update
                if extended[c.old.id] == today and c.new.deadline != c.old.deadline
            ),
            at,
        )
        await conn.executemany(
            "INSERT INTO task_events (task_id, at, kind, detail)"
            " VALUES (?, ?, 'import_changed', ?)",
            [
                (c.old.id, at, json.dumps({"source": source, "fields": c.fields},
                                          ensure_ascii=False))
                for c in plan.update
            ],
        )  # fmt: skip
        await _remember(conn, ImportKind.TASKS, merged.bases)
        if plan.create or any(_counted_overdue(c) for c in plan.update):
            await recount_overdue(conn)  # its triggers wait too (migration 0013)
    reassigned = [
        c.old.id
        for c in plan.update
        if c.old.id is not None and ("don_vi_chu_tri" in c.fields or "can_bo_xu_ly" in c.fields)
    ]
    return merged, created, reassigned


def _counted_overdue(change: Change[TaskRecord]) -> bool:
    """Whether an update changes what the kept overdue counts are made of (the completion,
    the deadline, the lead unit: migration 0013's triggers). An import whose updates change
    none (titles, contents, officers) and that creates nothing leaves them as they are: no
    recount of the whole register (~0.3 s on a million tasks)."""
    old, new = change.old, change.new
    return (
        old.completed_on != new.completed_on
        or old.deadline != new.deadline
        or old.lead_unit_id != new.lead_unit_id
    )


async def _create_tasks(conn: Transaction, tasks: list[TaskRecord], at: str) -> list[int]:
    """Insert new tasks with their cooperators, initial extension and `created` event."""
    if not tasks:
        return []
    async with conn.execute("SELECT coalesce(max(id), 0) FROM tasks") as cursor:
        row = await cursor.fetchone()
    last_id = int(row[0]) if row else 0

    def extended_on(task: TaskRecord) -> date | None:
        return task.assigned_on if task.deadline != task.original_deadline else None

    days = _Iso()
    async with insert_triggers_idle(conn):
        await conn.executemany(
            f"INSERT INTO tasks (code, {_TASK_FIELDS}, created_at, updated_at)"
            f" VALUES (?, {_TASK_MARKS}, ?, ?)",
            [(t.code, *_task_values(t, extended_on(t), days), at, at) for t in tasks],
        )
    # New rows take ids above the largest one; the write lock keeps anyone else out.
    async with conn.execute("SELECT id, code FROM tasks WHERE id > ?", (last_id,)) as cursor:
        ids = {code: task_id for task_id, code in await cursor.fetchall()}
    await _add_cooperators(conn, ((ids[t.code], t) for t in tasks))
    await _add_extensions(
        conn,
        (
            (ids[t.code], t.original_deadline, t.deadline, t.assigned_on)
            for t in tasks
            if extended_on(t) is not None
        ),
        at,
    )
    detail = json.dumps({"source": "import"})
    await conn.executemany(
        "INSERT INTO task_events (task_id, at, kind, detail) VALUES (?, ?, 'created', ?)",
        [(ids[t.code], at, detail) for t in tasks],
    )
    return [ids[t.code] for t in tasks]


async def _add_cooperators(
    conn: Transaction, tasks: Iterable[tuple[int | None, TaskRecord]]
) -> None:
    await conn.executemany(
        "INSERT INTO task_cooperators (task_id, unit_id) VALUES (?, ?)",
        [(task_id, unit_id) for task_id, task in tasks for unit_id in task.cooperating_unit_ids],
    )


async def _add_extensions(
    conn: Transaction,
    changes: Iterable[tuple[int | None, date | None, date | None, date]],
    at: str,
) -> None:
    """Granted extensions: (task id, old deadline, new deadline, granted on)."""
    await conn.executemany(
        "INSERT INTO deadline_changes (task_id, old_deadline, new_deadline, granted_on,"
        " decided_at, reason) VALUES (?, ?, ?, ?, ?, '')",
        [(task_id, iso(old), iso(new), iso(granted), at) for task_id, old, new, granted in changes],
    )
