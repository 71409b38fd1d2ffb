"""/overdue from kept counts (migration 0013, issue 7): on random registers, changed row by
row, by an import or by a bulk write, with the anchor day moved back and forth, the kept
counts give exactly what counting the overdue tasks gives, on any day."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import Change, Merged, Plan, TaskRecord
from bot.services.figures import overdue_page
from storage import Database
from storage.figures import figures_summed_once
from storage.importing import apply_tasks
from storage.register import add_task, add_unit
from storage.reports import (
    move_overdue_anchor,
    overdue_units,
    recount_overdue,
)

BASE = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)

# The former query, as the reference: overdue open tasks per lead unit, counted.
DIRECT = (
    "SELECT u.code, count(*) AS n, min(t.deadline) AS oldest"
    " FROM tasks t JOIN units u ON u.id = t.lead_unit_id"
    " WHERE t.completed_on IS NULL AND t.deadline < ?"
    " GROUP BY t.lead_unit_id ORDER BY n DESC, u.code"
)


@dataclass(frozen=True)
class Spec:
    unit: int  # 0..2
    deadline: int | None  # days after BASE
    completed: bool


@dataclass(frozen=True)
class Step:
    """A change to task `task % len(register)`: complete, reopen, a new deadline (or none),
    another unit, delete; or the anchor moved to BASE + `days`."""

    kind: str
    task: int
    days: int | None
    unit: int


specs = st.builds(
    Spec,
    unit=st.integers(0, 2),
    deadline=st.one_of(st.none(), st.integers(-10, 10)),
    completed=st.booleans(),
)
steps = st.builds(
    Step,
    kind=st.sampled_from(["complete", "reopen", "deadline", "unit", "delete", "anchor"]),
    task=st.integers(0, 1000),
    days=st.one_of(st.none(), st.integers(-10, 10)),
    unit=st.integers(0, 2),
)
# (the anchor moved to this day, then asked on that day)
days_asked = st.lists(st.tuples(st.integers(-12, 12), st.integers(-12, 12)), min_size=1, max_size=4)


def _day(days: int | None) -> str | None:
    return None if days is None else (BASE + timedelta(days=days)).isoformat()


async def _direct(db: Database, today: date) -> list[tuple[str, int, int]]:
    rows = await db.fetchall(DIRECT, (today.isoformat(),))
    return [(r[0], r[1], (today - date.fromisoformat(r[2])).days) for r in rows]


async def _kept(db: Database, today: date) -> list[tuple[str, int, int]]:
    """The kept counts' list, after checking that /overdue's pages of two lines (and one
    page past the end, which shows the last) hold the same lines and the whole list's sums."""
    everything = await overdue_units(db, today=today, offset=0, limit=10_000)
    whole = [(u.code, u.overdue, u.oldest_days) for u in everything.lines]
    last = max(len(whole) - 1, 0) // 2
    pages = [await overdue_page(db, today=today, page=n, per_page=2) for n in range(last + 2)]
    assert [p.page for p in pages] == [*range(last + 1), last]
    assert [(u.code, u.overdue, u.oldest_days) for p in pages[:-1] for u in p.first.lines] == whole
    sums = {(p.first.tasks, p.first.total, p.count) for p in pages}
    assert sums == {(sum(n for _, n, _ in whole), len(whole), last + 1)}
    return whole


async def _units(db: Database) -> list[int]:
    return [(await add_unit(db, code=f"U{n}", name=f"Đơn vị {n}")).id for n in range(3)]


def _record(n: int, spec: Spec, units: list[int]) -> TaskRecord:
    deadline = None if spec.deadline is None else BASE + timedelta(days=spec.deadline)
    return TaskRecord(
        code=f"NV-{n:04d}",
        title="t",
        lead_unit_id=units[spec.unit],
        assigned_on=BASE - timedelta(days=60),
        original_deadline=deadline,
        deadline=deadline,
        completed_on=BASE - timedelta(days=40) if spec.completed else None,
    )


async def _step(db: Database, step: Step, ids: list[int], units: list[int]) -> None:
    """One change, as the bot's own writes make it (each in its transaction)."""
    if step.kind == "anchor":
        await move_overdue_anchor(db, today=BASE + timedelta(days=step.days or 0))
        return
    if not ids:
        return
    task_id = ids[step.task % len(ids)]
    sql, params = {
        "complete": ("UPDATE tasks SET completed_on = ? WHERE id = ?", (_day(-1), task_id)),
        "reopen": ("UPDATE tasks SET completed_on = NULL WHERE id = ?", (task_id,)),
        "deadline": ("UPDATE tasks SET deadline = ? WHERE id = ?", (_day(step.days), task_id)),
        "unit": ("UPDATE tasks SET lead_unit_id = ? WHERE id = ?", (units[step.unit], task_id)),
        "delete": ("DELETE FROM tasks WHERE id = ?", (task_id,)),
    }[step.kind]
    if step.kind == "delete":
        await db.execute("DELETE FROM task_events WHERE task_id = ?", (task_id,))
        await db.execute("DELETE FROM deadline_changes WHERE task_id = ?", (task_id,))
        ids.remove(task_id)
    await db.execute(sql, params)


async def _by_rows(db: Database, register: list[Spec], changes: list[Step]) -> None:
    units = await _units(db)
    await move_overdue_anchor(db, today=BASE)  # among the deadlines (else: the day it ran)
    ids = []
    for n, spec in enumerate(register):
        record = _record(n, spec, units)
        task = await add_task(
            db,
            code=record.code,
            title=record.title,
            lead_unit_id=record.lead_unit_id,
            assigned_on=record.assigned_on,
            deadline=record.deadline,
            completed_on=record.completed_on,
            now=NOW,
        )
        ids.append(task.id)
    for step in changes:
        await _step(db, step, ids, units)


async def _by_import(db: Database, register: list[Spec], changes: list[Step]) -> None:
    """The register imported, then imported again with the changes that an import makes
    (completed, reopened, new deadlines, other units), then the bot's own changes."""
    units = await _units(db)
    records = [_record(n, spec, units) for n, spec in enumerate(register)]
    await move_overdue_anchor(db, today=BASE + timedelta(days=3))  # among the deadlines
    await apply_tasks(
        db, Merged(Plan(create=records, update=[], unchanged=0)), today=BASE, now=NOW, source="test"
    )
    rows = await db.fetchall("SELECT id, code FROM tasks ORDER BY id")
    ids = [r[0] for r in rows]
    stored = [replace(record, id=task_id) for record, task_id in zip(records, ids, strict=True)]
    updates = []
    for step in changes[: len(changes) // 2]:
        if not stored or step.kind in ("delete", "anchor"):
            continue
        old = stored[step.task % len(stored)]
        new = {
            "complete": replace(old, completed_on=BASE - timedelta(days=1)),
            "reopen": replace(old, completed_on=None),
            "deadline": replace(
                old, deadline=None if step.days is None else BASE + timedelta(days=step.days)
            ),
            "unit": replace(old, lead_unit_id=units[step.unit]),
        }[step.kind]
        if all(change.old.id != old.id for change in updates):
            updates.append(Change(old=old, new=new, fields={}))
    await apply_tasks(
        db, Merged(Plan(create=[], update=updates, unchanged=0)), today=BASE, now=NOW, source="test"
    )
    for step in changes[len(changes) // 2 :]:
        await _step(db, step, ids, units)


async def _by_bulk(db: Database, register: list[Spec], changes: list[Step]) -> None:
    """A bulk write of the changes (the triggers wait), then counted afresh in it."""
    await _by_rows(db, register, [])
    async with db.transaction() as conn, figures_summed_once(conn):
        await conn.execute(
            "UPDATE tasks SET completed_on = CASE WHEN id % 2 = 0 THEN NULL ELSE ? END,"
            " deadline = CASE WHEN id % 3 = 0 THEN date(deadline, '+10 day') ELSE deadline END,"
            " lead_unit_id = CASE WHEN id % 5 = 0 THEN (SELECT min(id) FROM units)"
            " ELSE lead_unit_id END",
            (_day(-1),),
        )
        await conn.execute(
            "INSERT INTO tasks (code, title, lead_unit_id, assigned_on, deadline, created_at,"
            " updated_at) SELECT code || '-b', title, lead_unit_id, assigned_on, deadline,"
            " created_at, updated_at FROM tasks"
        )
        await recount_overdue(conn)
    ids = [r[0] for r in await db.fetchall("SELECT id FROM tasks ORDER BY id")]
    units = [r[0] for r in await db.fetchall("SELECT id FROM units ORDER BY id")]
    for step in changes:
        await _step(db, step, ids, units)


WRITERS = {"rows": _by_rows, "import": _by_import, "bulk": _by_bulk}


async def _both(
    path: Path,
    writer: str,
    register: list[Spec],
    changes: list[Step],
    asked: list[tuple[int, int]],
) -> list[tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]]:
    db = await Database.open(path)
    try:
        await WRITERS[writer](db, register, changes)
        found = []
        for anchor, days in asked:
            day = BASE + timedelta(days=days)
            found.append((await _kept(db, day), await _direct(db, day)))
            await move_overdue_anchor(db, today=BASE + timedelta(days=anchor))
            found.append((await _kept(db, day), await _direct(db, day)))
        return found
    finally:
        await db.close()


@pytest.mark.parametrize("writer", sorted(WRITERS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    register=st.lists(specs, max_size=25),
    changes=st.lists(steps, max_size=12),
    asked=days_asked,
)
def test_kept_overdue_counts_are_the_counted_ones(
    empty_register: Path,
    writer: str,
    register: list[Spec],
    changes: list[Step],
    asked: list[tuple[int, int]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.sqlite3"
        shutil.copyfile(empty_register, path)
        for kept, direct in asyncio.run(_both(path, writer, register, changes, asked)):
            assert kept == direct


async def test_an_example_register(tmp_path: Path) -> None:
    """Three units: two overdue tasks of U0 (the oldest 5 days), one of U1; completed,
    in-time and deadline-less tasks are not counted; the anchor day changes nothing."""
    db = await Database.open(tmp_path / "r.sqlite3")
    try:
        register = [
            Spec(0, -5, False),
            Spec(0, -1, False),
            Spec(0, -9, True),
            Spec(1, -2, False),
            Spec(1, 0, False),
            Spec(2, None, False),
            Spec(2, 4, False),
        ]
        await _by_rows(db, register, [])
        expected = [("U0", 2, 5), ("U1", 1, 2)]
        assert await _kept(db, BASE) == expected
        for days in (-20, 0, 20):
            await move_overdue_anchor(db, today=BASE + timedelta(days=days))
            assert await _kept(db, BASE) == expected
        assert await _kept(db, BASE + timedelta(days=1)) == [("U0", 2, 6), ("U1", 2, 3)]
    finally:
        await db.close()
