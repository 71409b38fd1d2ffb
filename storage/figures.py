"""The report figures in SQL: the same numbers as `bot.figures.compute_figures`, in milliseconds
on a register of a million tasks.

Migration 0005 keeps each task's counts summed into cells by triggers, as steps on days
(see its header): the figures as of T are the sums of the steps on days <= T, taking each
task's current deadline. Two corrections make them exact, read from the few tasks they
concern: tasks extended after T (their deadline on T was an earlier one), and, for the year,
tasks assigned after the end of P but by T (they exist on T but are not in the year's window).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.figures import (
    Figures,
    Period,
    PeriodFigures,
    YearFigures,
    leader_groups,
    unit_groups,
    year_figures,
    year_window,
)
from storage.db import Database

# The deadline in force on T (?1), for the task `t`: bot.status.deadline_on in SQL.
DEADLINE_ON_T = """CASE
    WHEN t.extended_on IS NULL OR t.extended_on <= ?1 THEN t.deadline
    WHEN EXISTS (SELECT 1 FROM deadline_changes dc WHERE dc.task_id = t.id AND dc.granted_on <= ?1)
    THEN (SELECT dc.new_deadline FROM deadline_changes dc
           WHERE dc.task_id = t.id AND dc.granted_on <= ?1
           ORDER BY dc.granted_on DESC, dc.id DESC LIMIT 1)
    ELSE t.original_deadline END"""


def _late(deadline: str) -> str:
    """1 when the task was completed by T (?1) after `deadline`, else 0."""
    return f"coalesce(completed_on <= ?1 AND completed_on > {deadline}, 0)"


def _overdue(deadline: str) -> str:
    """1 when the task is open on T (?1) and `deadline` has passed, else 0."""
    return f"coalesce((completed_on IS NULL OR completed_on > ?1) AND {deadline} < ?1, 0)"


def _extended(deadline: str) -> str:
    """1 when `deadline` is later than the original one (or was removed), else 0."""
    return (
        f"(original_deadline IS NOT NULL"
        f" AND ({deadline} IS NULL OR {deadline} > original_deadline))"
    )


_COMPLETED = "coalesce(completed_on <= ?1, 0)"


@dataclass(slots=True)
class _Counts:
    """Tasks counted as of T; the rest follows (open = assigned - completed, ...)."""

    assigned: int = 0
    completed: int = 0
    late: int = 0
    overdue: int = 0

    def add(self, assigned: int, completed: int, late: int, overdue: int) -> None:
        self.assigned += assigned
        self.completed += completed
        self.late += late
        self.overdue += overdue

    def figures(self) -> YearFigures:
        return year_figures(
            on_time=self.completed - self.late,
            late=self.late,
            open_in_time=self.assigned - self.completed - self.overdue,
            open_overdue=self.overdue,
        )


def _month(d: date) -> str:
    return d.isoformat()[:7]


def _month_bounds(d: date) -> tuple[date, date]:
    first = d.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


async def _sum_cells(
    db: Database, kind: str, *, first_year: int, as_of: date
) -> dict[str, _Counts]:
    """The steps up to T of tasks assigned from `first_year` on, summed per unit or leader.

    Whole months from January of `first_year` plus the days of T's month up to T, or,
    when T is in the second half of its month, the whole of T's month less its days after T
    (fewer cells to read either way).
    """
    month_start, month_end = _month_bounds(as_of)
    upper = as_of.replace(day=1) - timedelta(days=1)  # the month before T's
    sign = 1
    days: tuple[date, date] = (month_start, as_of)
    if (month_end - as_of) < (as_of - month_start):
        upper, sign, days = as_of, -1, (as_of + timedelta(days=1), month_end)
    select = (
        "SELECT key, total(assigned), total(completed), total(late), total(overdue)"
        " FROM figure_groups"
        " WHERE grain = ? AND at BETWEEN ? AND ? AND kind = ? AND year BETWEEN ? AND ?"
        " GROUP BY key"
    )
    years = (first_year, as_of.year)
    counts: dict[str, _Counts] = {}
    for grain, lower_at, upper_at, factor in (
        ("m", f"{first_year:04d}-01", _month(upper), 1),
        ("d", days[0].isoformat(), days[1].isoformat(), sign),
    ):
        for row in await db.fetchall(select, (grain, lower_at, upper_at, kind, *years)):
            counts.setdefault(row[0], _Counts()).add(*(factor * int(v) for v in row[1:]))
    return counts


async def _year_corrections(
    db: Database, window: Period, as_of: date
) -> list[tuple[int, str, int, int, int, int]]:
    """Per (unit, assigner): what the cells count wrongly for the year window as of T.

    Tasks assigned after the window's end but by T are in the cells and must go; tasks
    extended after T are in the cells with their current deadline instead of T's (found by
    the date of their extension: `+assigned_on` keeps SQLite from scanning the whole year).
    """
    rows = await db.fetchall(
        f"""
        SELECT lead_unit_id, assigner,
               -sum(NOT in_window),
               -sum(NOT in_window AND {_COMPLETED}),
               sum(in_window * {_late("dl")}) - sum({_late("deadline")}),
               sum(in_window * {_overdue("dl")}) - sum({_overdue("deadline")})
          FROM (SELECT t.lead_unit_id, t.assigner, t.completed_on, t.deadline,
                       t.assigned_on <= ?3 AS in_window, {DEADLINE_ON_T} AS dl
                  FROM tasks t
                 WHERE t.assigned_on > ?3 AND t.assigned_on <= ?1
                UNION ALL
                SELECT t.lead_unit_id, t.assigner, t.completed_on, t.deadline,
                       1, {DEADLINE_ON_T}
                  FROM tasks t
                 WHERE t.extended_on > ?1 AND +t.assigned_on BETWEEN ?2 AND ?3)
         GROUP BY lead_unit_id, assigner
        """,
        (as_of.isoformat(), window.start.isoformat(), window.end.isoformat()),
    )
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


async def _year(db: Database, period: Period, as_of: date) -> tuple[
    _Counts, dict[int, _Counts], dict[str, _Counts]
]:  # fmt: skip
    window = year_window(period, as_of)
    total = _Counts()
    if window.end < window.start:
        return total, {}, {}
    first_year = window.start.year
    cells = await _sum_cells(db, "unit", first_year=first_year, as_of=as_of)
    by_unit = {int(key): counts for key, counts in cells.items()}
    by_leader = await _sum_cells(db, "leader", first_year=first_year, as_of=as_of)
    for unit_id, assigner, *deltas in await _year_corrections(db, window, as_of):
        by_unit.setdefault(unit_id, _Counts()).add(*deltas)
        by_leader.setdefault(assigner, _Counts()).add(*deltas)
    for counts in by_unit.values():
        total.add(counts.assigned, counts.completed, counts.late, counts.overdue)
    units = {k: c for k, c in by_unit.items() if c.assigned}
    leaders = {k: c for k, c in by_leader.items() if c.assigned}
    return total, units, leaders


async def _period(db: Database, period: Period, as_of: date) -> PeriodFigures:
    t, start, end = as_of.isoformat(), period.start.isoformat(), period.end.isoformat()
    assigned = await db.fetchval(
        "SELECT count(*) FROM tasks WHERE assigned_on BETWEEN ?1 AND ?2",
        (start, min(period.end, as_of).isoformat()),
    )
    cells = await db.fetchone(
        "SELECT total(due), total(completed), total(late), total(overdue), total(extended)"
        " FROM figure_due WHERE original_deadline BETWEEN ?1 AND ?2 AND at <= ?3",
        (start, end, t),
    )
    # Tasks extended after T: found by the date of their extension (few, or none when T is
    # today); `+original_deadline` keeps SQLite from scanning the period's due tasks instead.
    fix = await db.fetchone(
        f"""
        SELECT total({_late("dl")}) - total({_late("deadline")}),
               total({_overdue("dl")}) - total({_overdue("deadline")}),
               total({_extended("dl")}) - total({_extended("deadline")})
          FROM (SELECT t.completed_on, t.deadline, t.original_deadline, {DEADLINE_ON_T} AS dl
                  FROM tasks t
                 WHERE t.extended_on > ?1 AND t.assigned_on <= ?1
                   AND +t.original_deadline BETWEEN ?2 AND ?3)
        """,
        (t, start, end),
    )
    assert cells is not None and fix is not None
    due, completed, late, overdue, extended = (int(v) for v in cells)
    late, overdue, extended = late + int(fix[0]), overdue + int(fix[1]), extended + int(fix[2])
    return PeriodFigures(
        assigned=int(assigned),
        due=due,
        completed=completed,
        on_time=completed - late,
        late=late,
        open_in_time=due - completed - overdue,
        open_overdue=overdue,
        extended=extended,
    )


async def _unit_names(db: Database, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await db.fetchall("SELECT id, code, name FROM units")
    return {r[0]: (r[1], r[2]) for r in rows if r[0] in wanted}


async def _person_names(db: Database, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    rows = await db.fetchall(f"SELECT code, name FROM people WHERE code IN ({marks})", wanted)
    return {r[0]: r[1] for r in rows}


async def load_figures(db: Database, *, period: Period, as_of: date) -> Figures:
    """The figures of `bot.figures.compute_figures` for the whole register, from SQL."""
    period_figures = await _period(db, period, as_of)
    total, units, leaders = await _year(db, period, as_of)
    unit_names = await _unit_names(db, units)
    leader_names = await _person_names(db, leaders)
    return Figures(
        as_of=as_of,
        period=period,
        period_figures=period_figures,
        year_figures=total.figures(),
        units=unit_groups({k: c.figures() for k, c in units.items()}, unit_names),
        leaders=leader_groups({k: c.figures() for k, c in leaders.items()}, leader_names),
    )


async def unit_year_figures(
    db: Database, *, unit_id: int, year_start: date, as_of: date
) -> YearFigures:
    """One lead unit's tasks assigned from `year_start` to T, by status as of T (for /unit)."""
    row = await db.fetchone(
        f"""
        SELECT count(*), total({_COMPLETED}), total({_late("dl")}), total({_overdue("dl")})
          FROM (SELECT t.completed_on, {DEADLINE_ON_T} AS dl
                  FROM tasks t
                 WHERE t.lead_unit_id = ?2 AND t.assigned_on BETWEEN ?3 AND ?1)
        """,
        (as_of.isoformat(), unit_id, year_start.isoformat()),
    )
    assert row is not None
    counts = _Counts()
    counts.add(*(int(v) for v in row))
    return counts.figures()
