"""The report figures: the pure rule on examples and properties, and the SQL equal to it."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.figures import PeriodError, compute_figures, default_as_of, month_period, parse_period
from bot.models import (
    DeadlineChange,
    Figures,
    GroupFigures,
    Period,
    PeriodFigures,
    Role,
    Task,
    YearFigures,
)
from storage import Database
from storage.figures import figures_summed_once, load_figures, unit_year_figures
from storage.register import add_person, add_task, add_unit, all_tasks, list_units

NOW = datetime(2020, 4, 1, 8, 0, tzinfo=UTC)
BASE = date(2020, 1, 1)
MARCH = month_period(2020, 3)
APR_15 = date(2020, 4, 15)
UNIT_NAMES = {1: ("SYT", "Sở Y tế"), 2: ("SNV", "Sở Nội vụ"), 3: ("UBTP", "UBND thành phố")}
LEADER_NAMES = {"PCT1": "Phó Chủ tịch Nguyễn Văn A", "CT": "Chủ tịch Trần Văn B"}
ASSIGNERS = ("PCT1", "CT", "UBND tỉnh")


def task(
    id: int,
    assigned_on: date,
    deadline: date | None = None,
    completed_on: date | None = None,
    *,
    unit: int = 1,
    assigner: str = "UBND tỉnh",
    extensions: tuple[tuple[date, date | None], ...] = (),
) -> Task:
    """A task whose deadline was `deadline`, then each (granted_on, new deadline) in turn."""
    changes, current = [], deadline
    for granted_on, new in extensions:
        changes.append(DeadlineChange(id, current, new, granted_on))
        current = new
    return Task(
        id=id,
        code=f"NV-{id}",
        title="t",
        lead_unit_id=unit,
        assigned_on=assigned_on,
        original_deadline=deadline,
        deadline=current,
        completed_on=completed_on,
        extended_on=extensions[-1][0] if extensions else None,
        assigner=assigner,
        extensions=tuple(changes),
    )


def figures(tasks: list[Task], period: Period = MARCH, as_of: date = MARCH.end) -> Figures:
    return compute_figures(
        tasks, period=period, as_of=as_of, unit_names=UNIT_NAMES, leader_names=LEADER_NAMES
    )


# --- periods -------------------------------------------------------------------------------


def test_a_month_is_its_first_to_its_last_day() -> None:
    assert month_period(2020, 2) == Period(date(2020, 2, 1), date(2020, 2, 29))
    assert parse_period("2020-03") == Period(date(2020, 3, 1), date(2020, 3, 31))
    assert parse_period(" 2021-12 ") == Period(date(2021, 12, 1), date(2021, 12, 31))


@pytest.mark.parametrize(
    ("text", "reason"),
    [("2020-13", "bad_month"), ("2020-00", "bad_month"), ("2020-3", "bad_format"),
     ("03/2020", "bad_format"), ("", "bad_format"), ("2020-03-01", "bad_format")],
)  # fmt: skip
def test_a_bad_period_says_why(text: str, reason: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert caught.value.reason == reason


def test_as_of_defaults_to_the_periods_end_or_today_whichever_is_earlier() -> None:
    assert default_as_of(MARCH, date(2020, 4, 10)) == date(2020, 3, 31)
    assert default_as_of(MARCH, date(2020, 3, 15)) == date(2020, 3, 15)


# --- the rule on examples ----------------------------------------------------------------


def test_the_seeds_figures_for_march() -> None:
    """The period: assigned in March; due in March (original deadline) by status on 31/3."""
    tasks = [
        task(1, date(2020, 3, 2), date(2020, 3, 10), date(2020, 3, 10)),  # due, on time
        task(2, date(2020, 2, 20), date(2020, 3, 5), date(2020, 3, 6)),  # due, late
        task(3, date(2020, 3, 3), date(2020, 3, 20)),  # due, overdue
        task(4, date(2020, 3, 4), date(2020, 3, 25), extensions=((date(2020, 3, 24), APR_15),)),
        task(5, date(2020, 3, 30), date(2020, 4, 30)),  # assigned in March, due in April
        task(6, date(2020, 4, 1), date(2020, 3, 31)),  # assigned after T: does not exist yet
        task(7, date(2020, 1, 15)),  # no deadline, open: in time
        task(8, date(2020, 1, 20), None, date(2020, 2, 1)),  # no deadline, completed: on time
    ]  # fmt: skip
    result = figures(tasks)
    assert result.period_figures == PeriodFigures(
        assigned=4, due=4, completed=2, on_time=1, late=1, open_in_time=1, open_overdue=1,
        extended=1,
    )  # fmt: skip
    assert result.year_figures == YearFigures(
        assigned=7, completed=3, on_time=2, late=1, open=4, open_in_time=3, open_overdue=1
    )


def test_completion_and_extension_after_the_as_of_day_do_not_count() -> None:
    late_completion = task(1, date(2020, 3, 2), date(2020, 3, 10), date(2020, 4, 2))
    late_extension = task(
        2, date(2020, 3, 2), date(2020, 3, 20), extensions=((date(2020, 4, 3), date(2020, 5, 1)),)
    )
    result = figures([late_completion, late_extension])
    assert result.period_figures == PeriodFigures(assigned=2, due=2, open_overdue=2)
    later = figures([late_completion, late_extension], as_of=date(2020, 4, 5))
    assert later.period_figures == PeriodFigures(
        assigned=2, due=2, completed=1, late=1, open_in_time=1, extended=1
    )


def test_the_year_runs_from_1_january_to_the_end_of_the_period() -> None:
    tasks = [
        task(1, date(2019, 12, 31), date(2020, 3, 10)),  # last year: due in March, not in the year
        task(2, date(2020, 1, 1)),
        task(3, date(2020, 3, 31)),
        task(4, date(2020, 4, 1)),  # after the period, though before T
    ]
    result = figures(tasks, as_of=date(2020, 4, 10))
    assert result.year_figures.assigned == 2
    assert result.period_figures.due == 1
    assert result.year_start == date(2020, 1, 1)


def test_figures_per_unit_and_per_leader_are_named_and_sorted_by_code() -> None:
    tasks = [
        task(1, date(2020, 3, 2), date(2020, 3, 10), date(2020, 3, 9), unit=1, assigner="PCT1"),
        task(2, date(2020, 3, 2), date(2020, 3, 10), unit=2, assigner="CT"),
        task(3, date(2020, 3, 2), unit=2, assigner="UBND tỉnh"),
        task(4, date(2019, 3, 2), unit=3, assigner="PCT1"),  # last year: the unit has none
    ]
    result = figures(tasks)
    assert result.units == [
        GroupFigures("SNV", "Sở Nội vụ", YearFigures(2, 0, 0, 0, 2, 1, 1)),
        GroupFigures("SYT", "Sở Y tế", YearFigures(1, 1, 1, 0, 0, 0, 0)),
    ]
    assert result.leaders == [
        GroupFigures("CT", "Chủ tịch Trần Văn B", YearFigures(1, 0, 0, 0, 1, 0, 1)),
        GroupFigures("PCT1", "Phó Chủ tịch Nguyễn Văn A", YearFigures(1, 1, 1, 0, 0, 0, 0)),
        GroupFigures("UBND tỉnh", "UBND tỉnh", YearFigures(1, 0, 0, 0, 1, 1, 0)),
    ]


def test_json_has_exactly_the_shape_of_the_issue() -> None:
    result = figures([task(1, date(2020, 3, 2), date(2020, 3, 10), date(2020, 3, 9))])
    assert result.to_json() == {
        "as_of": "2020-03-31",
        "period": {"from": "2020-03-01", "to": "2020-03-31"},
        "period_figures": {"assigned": 1, "due": 1, "completed": 1, "on_time": 1, "late": 0,
                           "open_in_time": 0, "open_overdue": 0, "extended": 0},
        "year_figures": {"assigned": 1, "completed": 1, "on_time": 1, "late": 0, "open": 0,
                         "open_in_time": 0, "open_overdue": 0},
        "units": [{"code": "SYT", "name": "Sở Y tế", "assigned": 1, "completed": 1,
                   "on_time": 1, "late": 0, "open_in_time": 0, "open_overdue": 0}],
    }  # fmt: skip


# --- random registers --------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One random task: days are offsets from BASE; extensions are (granted, new deadline)."""

    assigned: int
    deadline: int | None
    completed: int | None
    extensions: tuple[tuple[int, int | None], ...]
    unit: int
    assigner: str
    completed_later: bool  # written by an UPDATE after the extensions, as the workflow does
    moved_to: int | None  # the lead unit changed afterwards (a re-import)


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    assigned = draw(st.integers(-40, 400))
    deadline = draw(st.none() | st.integers(assigned - 3, assigned + 60))
    grants = sorted(draw(st.lists(st.integers(assigned, assigned + 70), max_size=2)))
    return Spec(
        assigned=assigned,
        deadline=deadline,
        completed=draw(st.none() | st.integers(assigned - 2, assigned + 80)),
        extensions=tuple(
            (g, draw(st.integers(assigned, assigned + 110) | st.none())) for g in grants
        ),
        unit=draw(st.integers(1, 3)),
        assigner=draw(st.sampled_from(ASSIGNERS)),
        completed_later=draw(st.booleans()),
        moved_to=draw(st.none() | st.integers(1, 3)),
    )


def day(offset: int | None) -> date | None:
    return None if offset is None else BASE + timedelta(days=offset)


def spec_task(id: int, spec: Spec) -> Task:
    made = task(
        id,
        BASE + timedelta(days=spec.assigned),
        day(spec.deadline),
        day(spec.completed),
        unit=spec.moved_to or spec.unit,
        assigner=spec.assigner,
        extensions=tuple((BASE + timedelta(days=g), day(n)) for g, n in spec.extensions),
    )
    return made


periods = st.sampled_from(
    [month_period(2020, m) for m in (1, 3, 5, 8, 11, 12)]
    + [month_period(2021, 1)]
    + [Period(date(2019, 12, 20), date(2020, 1, 10)), Period(date(2020, 2, 10), date(2020, 4, 20))]
)
as_of_days = st.integers(-30, 430).map(lambda n: BASE + timedelta(days=n))
registers = st.lists(specs(), max_size=25)


def total(groups: list[GroupFigures]) -> YearFigures:
    sums = [sum(getattr(g.figures, f) for g in groups) for f in YearFigures.__slots__]
    return YearFigures(*sums)


@settings(max_examples=100, deadline=None)
@given(register=registers, period=periods, as_of=as_of_days)
def test_the_parts_always_add_up(register: list[Spec], period: Period, as_of: date) -> None:
    result = figures([spec_task(i, s) for i, s in enumerate(register, 1)], period, as_of)
    p, y = result.period_figures, result.year_figures
    assert p.on_time + p.late == p.completed
    assert p.completed + p.open_in_time + p.open_overdue == p.due
    assert p.extended <= p.due
    assert y.on_time + y.late == y.completed
    assert y.completed + y.open == y.assigned
    assert y.open_in_time + y.open_overdue == y.open
    assert total(result.units) == y
    assert total(result.leaders) == y
    assert all(g.figures.assigned > 0 for g in result.units + result.leaders)
    existing = [s for s in register if BASE + timedelta(days=s.assigned) <= as_of]
    window_end = min(period.end, as_of)
    assert y.assigned == sum(
        date(period.start.year, 1, 1) <= BASE + timedelta(days=s.assigned) <= window_end
        for s in existing
    )


@settings(max_examples=100, deadline=None)
@given(register=registers, period=periods, as_of=as_of_days, later=st.integers(1, 60))
def test_completed_never_decreases_as_the_as_of_day_moves_on(
    register: list[Spec], period: Period, as_of: date, later: int
) -> None:
    """Within a fixed window of assigned days, a later T can only see more completed."""
    tasks = [spec_task(i, s) for i, s in enumerate(register, 1)]
    window = Period(period.start, min(period.end, as_of))  # fixed: the assigned days at T
    tasks = [t for t in tasks if t.assigned_on <= window.end]
    before = figures(tasks, window, as_of)
    after = figures(tasks, window, as_of + timedelta(days=later))
    assert after.year_figures.completed >= before.year_figures.completed
    assert after.period_figures.completed >= before.period_figures.completed
    assert after.year_figures.assigned == before.year_figures.assigned


# --- the SQL equals the rule -------------------------------------------------------------


async def write_register(db: Database, register: list[Spec]) -> None:
    """The specs through the register's own functions, then SQL updates as the workflow,
    the review and a re-import write them."""
    for code, name in UNIT_NAMES.values():
        await add_unit(db, code=code, name=name)
    for code, name in LEADER_NAMES.items():
        await add_person(db, code=code, name=name, role=Role.LEADER)
    for number, spec in enumerate(register, 1):
        made = await add_task(
            db, code=f"NV-{number}", title="t", lead_unit_id=spec.unit,
            assigned_on=BASE + timedelta(days=spec.assigned), now=NOW,
            original_deadline=day(spec.deadline),
            completed_on=None if spec.completed_later else day(spec.completed),
            assigner=spec.assigner,
        )  # fmt: skip
        current = made.deadline
        async with db.transaction() as conn:
            for granted, new in spec.extensions:
                await conn.execute(
                    "UPDATE tasks SET deadline = ?, extended_on = ? WHERE id = ?",
                    (iso(day(new)), iso(day(granted)), made.id),
                )
                await conn.execute(
                    "INSERT INTO deadline_changes (task_id, old_deadline, new_deadline,"
                    " granted_on, decided_at) VALUES (?, ?, ?, ?, ?)",
                    (made.id, iso(current), iso(day(new)), iso(day(granted)), NOW.isoformat()),
                )
                current = day(new)
            if spec.completed_later:
                await conn.execute(
                    "UPDATE tasks SET completed_on = ? WHERE id = ?",
                    (iso(day(spec.completed)), made.id),
                )
            if spec.moved_to:
                await conn.execute(
                    "UPDATE tasks SET lead_unit_id = ? WHERE id = ?", (spec.moved_to, made.id)
                )


def iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


async def both_ways(
    path: Path, register: list[Spec], period: Period, as_of: date
) -> tuple[Figures, Figures, list[Task]]:
    db = await Database.open(path)
    try:
        await write_register(db, register)
        tasks = await all_tasks(db)
        units = {u.id: (u.code, u.name) for u in await list_units(db)}
        pure = compute_figures(
            tasks, period=period, as_of=as_of, unit_names=units, leader_names=LEADER_NAMES
        )
        sql = await load_figures(db, period=period, as_of=as_of)
        # Without the per-unit and per-leader lists (/stats), the same totals.
        alone = await load_figures(db, period=period, as_of=as_of, groups=False)
        assert (alone.period_figures, alone.year_figures) == (sql.period_figures, sql.year_figures)
        assert (alone.units, alone.leaders) == ([], [])
        # The year totals the triggers keep are the sums of the monthly cells.
        totals = []
        for table in ("figure_years", "figure_groups WHERE grain = 'm'"):
            rows = await db.fetchall(
                "SELECT kind, key, year, sum(assigned), sum(completed), sum(late), sum(overdue)"
                f" FROM {table} GROUP BY 1, 2, 3 HAVING sum(assigned) <> 0"
                " OR sum(completed) <> 0 OR sum(late) <> 0 OR sum(overdue) <> 0 ORDER BY 1, 2, 3"
            )
            totals.append([tuple(r) for r in rows])
        assert totals[0] == totals[1]
    finally:
        await db.close()
    return pure, sql, tasks


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(register=registers, period=periods, as_of=as_of_days)
def test_load_figures_equals_compute_figures(
    empty_register: Path, register: list[Spec], period: Period, as_of: date
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.sqlite3"
        shutil.copyfile(empty_register, path)
        pure, sql, tasks = asyncio.run(both_ways(path, register, period, as_of))
    assert tasks == [replace(spec_task(i, s), title="t") for i, s in enumerate(register, 1)]
    assert sql == pure


# A bulk write's changes (storage.importing): every task moved, some reopened, extended or
# given to another unit, and a copy of each registered anew.
BULK_CHANGES = (
    "UPDATE tasks SET assigned_on = date(assigned_on, '-40 day'),"
    " completed_on = CASE WHEN id % 2 = 0 THEN NULL ELSE completed_on END,"
    " deadline = CASE WHEN id % 3 = 0 THEN date(deadline, '+10 day') ELSE deadline END,"
    " lead_unit_id = CASE WHEN id % 5 = 0 THEN (SELECT min(id) FROM units) ELSE lead_unit_id END",
    "INSERT INTO tasks (code, title, lead_unit_id, assigner, assigned_on, original_deadline,"
    " deadline, completed_on, created_at, updated_at) SELECT code || '-b', title, lead_unit_id,"
    " assigner, assigned_on, original_deadline, deadline, completed_on, created_at, updated_at"
    " FROM tasks",
)


async def figure_cells(path: Path, register: list[Spec], *, bulk: bool) -> list[list[object]]:
    """The register written, then BULK_CHANGES, summed at once (`bulk`) or row by row."""
    db = await Database.open(path)
    try:
        await write_register(db, register)
        async with db.transaction() as conn:
            summing: AbstractAsyncContextManager[None] = (
                figures_summed_once(conn) if bulk else nullcontext()
            )
            async with summing:
                for sql in BULK_CHANGES:
                    await conn.execute(sql)
        found: list[list[object]] = []
        for table in ("figure_groups", "figure_due", "figure_years"):
            rows = await db.fetchall(f"SELECT * FROM {table} ORDER BY 1, 2, 3")
            found.append([tuple(r) for r in rows if any(v != 0 for v in tuple(r)[-4:])])
        found.append([await db.fetchval("SELECT count(*) FROM figure_changes")])
    finally:
        await db.close()
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(register=registers)
def test_figures_summed_once_are_the_cells_the_triggers_sum_row_by_row(
    empty_register: Path, register: list[Spec]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name in ("rows", "bulk"):
            shutil.copyfile(empty_register, Path(folder) / name)
        rows = asyncio.run(figure_cells(Path(folder) / "rows", register, bulk=False))
        bulk = asyncio.run(figure_cells(Path(folder) / "bulk", register, bulk=True))
    assert bulk == rows
    assert bulk[3] == [0]  # nothing left waiting


async def test_one_units_year_equals_its_line_in_the_figures(tmp_path: Path) -> None:
    register = [
        Spec(60, 70, 69, (), 1, "CT", False, None),  # on time
        Spec(61, 70, 75, (), 1, "CT", True, None),  # late
        Spec(62, 80, None, ((75, 100),), 1, "PCT1", False, None),  # extended, in time on T
        Spec(63, 70, None, ((95, 120),), 1, "PCT1", False, None),  # extended after T: overdue
        Spec(64, 70, None, (), 2, "CT", False, 1),  # moved to unit 1, overdue
        Spec(65, 70, None, (), 2, "CT", False, None),  # another unit
    ]
    as_of = BASE + timedelta(days=90)
    db = await Database.open(tmp_path / "r.sqlite3")
    try:
        await write_register(db, register)
        figures_ = await load_figures(db, period=month_period(2020, 3), as_of=as_of)
        one = await unit_year_figures(db, unit_id=1, year_start=BASE, as_of=as_of)
    finally:
        await db.close()
    assert one == YearFigures(
        assigned=5, completed=2, on_time=1, late=1, open=3, open_in_time=1, open_overdue=2
    )
    assert figures_.units[1] == GroupFigures("SYT", "Sở Y tế", one)
