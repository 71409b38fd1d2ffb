"""The report figures in SQL: the same numbers as `bot.figures.compute_figures`, in milliseconds
on a register of a million tasks.

Migration 0005 keeps each task's counts summed into cells by triggers, as steps on days
(see its header), by day and by month, and 0008 by assigned year: the figures as of T are
the sums of the steps on days <= T, taking each task's current deadline. Two corrections
make them exact, read from the few tasks they concern: tasks extended after T (their
deadline on T was an earlier one), and, for the year, tasks assigned after the end of P but
by T (they exist on T but are not in the year's window; many only when T is long after P).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from bot.models import (
    Figures,
    Period,
    PeriodFigures,
    YearFigures,
    leader_groups,
    unit_groups,
    year_figures,
    year_window,
)
from storage.db import Database, Transaction

# The steps waiting in figure_changes (migrations 0010, 0014), summed into the cells at once:
# the statements of the triggers figure_changes_sum (0005) and figure_steps_years (0008),
# set-based. The steps are written once into a temporary table (memory); the day cells are
# summed from them, the month cells from the day cells and the years from the months, so
# that only three statements read every step.
_SUMS = "sum(sign * assigned), sum(sign * completed), sum(sign * late), sum(sign * overdue)"
_TOTALS = "sum(assigned), sum(completed), sum(late), sum(overdue)"
_ADD = (
    "assigned = assigned + excluded.assigned, completed = completed + excluded.completed,"
    " late = late + excluded.late, overdue = overdue + excluded.overdue"
)
_COUNTS = "assigned INTEGER, completed INTEGER, late INTEGER, overdue INTEGER"
_SUM_ONCE = (
    # The tasks inserted meanwhile, as they stand (their triggers left nothing: 0014).
    "INSERT INTO figure_changes (sign, assigned_on, original_deadline, deadline, completed_on,"
    " lead_unit_id, assigner) SELECT 1, assigned_on, original_deadline, deadline, completed_on,"
    " lead_unit_id, assigner FROM tasks WHERE id > (SELECT tasks_after FROM figure_bulk)",
    "CREATE TEMP TABLE IF NOT EXISTS bulk_steps (sign INTEGER, lead_unit_id INTEGER,"
    " assigner TEXT, original_deadline TEXT, year INTEGER, at TEXT, assigned INTEGER,"
    " completed INTEGER, late INTEGER, overdue INTEGER, extended INTEGER)",
    f"CREATE TEMP TABLE IF NOT EXISTS bulk_cells (grain TEXT, kind TEXT, at TEXT, key TEXT,"
    f" year INTEGER, {_COUNTS})",
    "INSERT INTO bulk_steps SELECT sign, lead_unit_id, assigner, original_deadline, year, at,"
    " assigned, completed, late, overdue, extended FROM figure_change_steps",
    *(
        f"INSERT INTO bulk_cells SELECT 'd', {kind}, at, {key}, year, {_SUMS} FROM bulk_steps"
        f" GROUP BY at, {group}, year"
        for kind, key, group in (
            ("'unit'", "CAST(lead_unit_id AS TEXT)", "lead_unit_id"),
            ("'leader'", "assigner", "assigner"),
        )
    ),
    f"INSERT INTO bulk_cells SELECT 'm', kind, substr(at, 1, 7), key, year, {_TOTALS}"
    " FROM bulk_cells GROUP BY kind, substr(at, 1, 7), key, year",
    "INSERT INTO figure_groups (grain, at, kind, key, year, assigned, completed, late,"
    " overdue) SELECT grain, at, kind, key, year, assigned, completed, late, overdue"
    f" FROM bulk_cells WHERE true ON CONFLICT (grain, at, kind, key, year) DO UPDATE SET {_ADD}",
    "INSERT INTO figure_years (kind, key, year, assigned, completed, late, overdue)"
    f" SELECT kind, key, year, {_TOTALS} FROM bulk_cells WHERE grain = 'm'"
    f" GROUP BY kind, key, year ON CONFLICT (kind, year, key) DO UPDATE SET {_ADD}",
    "INSERT INTO figure_due (original_deadline, at, due, completed, late, overdue, extended)"
    f" SELECT original_deadline, at, {_SUMS}, sum(sign * extended) FROM bulk_steps"
    " WHERE original_deadline IS NOT NULL GROUP BY 1, 2"
    " ON CONFLICT (original_deadline, at) DO UPDATE SET due = due + excluded.due,"
    " completed = completed + excluded.completed, late = late + excluded.late,"
    " overdue = overdue + excluded.overdue, extended = extended + excluded.extended",
    "DELETE FROM bulk_steps",
    "DELETE FROM bulk_cells",
    "DELETE FROM figure_changes",
    "DELETE FROM figure_bulk",
)


@asynccontextmanager
async def figures_summed_once(conn: Transaction) -> AsyncIterator[None]:
    """Within the caller's transaction: the tasks written meanwhile leave their figure steps
    in figure_changes (the new ones nothing at all), summed into the cells at the end in a
    few set-based statements rather than row by row by the triggers (an import of 100,000
    tasks: ~13 s less)."""
    await conn.execute(
        "INSERT INTO figure_bulk (id, tasks_after) SELECT 1, coalesce(max(id), 0) FROM tasks"
    )
    yield
    for sql in _SUM_ONCE:
        await conn.execute(sql)


# The tasks' AFTER INSERT triggers that do nothing for a new task while figure_bulk has its
# row: their WHEN asks that no row be there (0013), or none below the task's id (0014).
IDLE_IN_BULK = ("figure_tasks_insert", "overdue_tasks_insert")


@asynccontextmanager
async def insert_triggers_idle(conn: Transaction) -> AsyncIterator[None]:
    """Within `figures_summed_once`, around an insert of new tasks: the triggers of
    IDLE_IN_BULK are set aside, then made again from their own text, in the same
    transaction (a failure rolls the schema back with the rest). Even idle, a trigger costs
    a call of its program per row: ~1 s of an import of 100,000 tasks for these two."""
    bulk = list(await conn.execute_fetchall("SELECT tasks_after FROM figure_bulk"))
    if not bulk or bulk[0][0] is None:
        raise RuntimeError("insert_triggers_idle outside figures_summed_once")
    marks = ", ".join("?" * len(IDLE_IN_BULK))
    rows = await conn.execute_fetchall(
        f"SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND name IN ({marks})",
        IDLE_IN_BULK,
    )
    idle = [(str(name), str(sql)) for name, sql in rows]
    for name, _ in idle:
        await conn.execute(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in idle:
        await conn.execute(sql)


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


Named = tuple[str, str, _Counts]  # a unit's or a person's code and name, and the counts


def _month(d: date) -> str:
    return d.isoformat()[:7]


def _month_bounds(d: date) -> tuple[date, date]:
    first = d.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


# One part of the sum of steps up to T: year totals, or cells of a grain between two `at`.
# (?1 is the kind, ?2 and ?3 the years; each bare ? after them takes the next number.)
_YEARS = (
    "SELECT key, assigned, completed, late, overdue FROM figure_years"
    " WHERE kind = ?1 AND year BETWEEN ?2 AND ?3"
)
_CELLS = (
    "SELECT key, {sign}assigned, {sign}completed, {sign}late, {sign}overdue FROM figure_groups"
    " WHERE kind = ?1 AND year BETWEEN ?2 AND ?3 AND grain = ? AND at BETWEEN ? AND ?"
)


def _parts(first_year: int, as_of: date) -> tuple[str, list[str]]:
    """The parts whose sum is the steps up to T of the tasks assigned from `first_year` on,
    chosen to read few cells: the months before T's month, or the years' totals less the
    months from T's on; then the days of T's month up to T, or the whole month less its
    days after T, whichever is shorter."""
    month_start, month_end = _month_bounds(as_of)
    previous, following = month_start - timedelta(days=1), month_end + timedelta(days=1)
    first_half = (as_of - month_start) <= (month_end - as_of)
    months_before = 12 * (as_of.year - first_year) + as_of.month - 1
    months_after = 13 - as_of.month  # the rest of the year and a little after, roughly
    parts: list[str] = []
    params: list[str] = []
    if months_before <= months_after:
        upper = _month(previous) if first_half else _month(as_of)
        parts.append(_CELLS.format(sign=""))
        params += ["m", f"{first_year:04d}-01", upper]
    else:
        lower = _month(as_of) if first_half else _month(following)
        parts += [_YEARS, _CELLS.format(sign="-")]
        params += ["m", lower, "9999-12"]
    if first_half:
        parts.append(_CELLS.format(sign=""))
        params += ["d", month_start.isoformat(), as_of.isoformat()]
    else:
        parts.append(_CELLS.format(sign="-"))
        params += ["d", (as_of + timedelta(days=1)).isoformat(), month_end.isoformat()]
    return " UNION ALL ".join(parts), params


async def _sum_cells(db: Database, kind: str, *, first_year: int, as_of: date) -> dict[str, Named]:
    """The steps up to T of tasks assigned from `first_year` on, summed per unit or per
    assigner, with the unit's code and name or the person's code and name."""
    parts, params = _parts(first_year, as_of)
    names = (
        "LEFT JOIN units n ON n.id = CAST(s.key AS INTEGER)"
        if kind == "unit"
        else "LEFT JOIN people n ON n.code = s.key"
    )
    rows = await db.fetchall(
        f"SELECT s.key, n.code, n.name, s.a, s.c, s.l, s.o"
        f" FROM (SELECT key, sum(assigned) AS a, sum(completed) AS c, sum(late) AS l,"
        f" sum(overdue) AS o FROM ({parts}) GROUP BY key) s {names}",
        (kind, first_year, as_of.year, *params),
    )
    return {r[0]: (r[1], r[2], _Counts(r[3], r[4], r[5], r[6])) for r in rows}


async def _year_corrections(
    db: Database, window: Period, as_of: date, *, extended_after: bool
) -> list[tuple[int, str, int, int, int, int]]:
    """Per (unit, assigner): what the cells count wrongly for the year window as of T.

    Tasks assigned after the window's end but by T are in the cells and must go; tasks
    extended after T are in the cells with their current deadline instead of T's (found by
    the date of their extension: `+assigned_on` keeps SQLite from scanning the whole year).
    None of either when the window ends on T or later and no task was extended after T.
    """
    if window.end >= as_of and not extended_after:
        return []
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


async def _extended_after(db: Database, as_of: date) -> bool:
    """Whether a task was extended after T. When none was (T is today, as for /stats), every
    task's deadline in force on T is its deadline, and what corrects the kept cells for T
    is nought: one probe of the index of extended tasks, instead of reading them."""
    found = await db.fetch_by_key(
        "SELECT 1 FROM tasks WHERE extended_on > ? LIMIT 1", (as_of.isoformat(),)
    )
    return found is not None


async def _year(
    db: Database, period: Period, as_of: date, *, extended_after: bool
) -> tuple[_Counts, dict[int, Named], dict[str, Named]]:
    window = year_window(period, as_of)
    total = _Counts()
    if window.end < window.start:
        return total, {}, {}
    first_year = window.start.year
    cells = await _sum_cells(db, "unit", first_year=first_year, as_of=as_of)
    by_unit = {int(key): named for key, named in cells.items()}
    by_leader = await _sum_cells(db, "leader", first_year=first_year, as_of=as_of)
    corrections = await _year_corrections(db, window, as_of, extended_after=extended_after)
    for unit_id, assigner, *deltas in corrections:
        # Every corrected task is in the cells, so its unit and assigner are there too.
        by_unit[unit_id][2].add(*deltas)
        by_leader[assigner][2].add(*deltas)
    for _, _, counts in by_unit.values():
        total.add(counts.assigned, counts.completed, counts.late, counts.overdue)
    units = {k: named for k, named in by_unit.items() if named[2].assigned}
    leaders = {k: named for k, named in by_leader.items() if named[2].assigned}
    return total, units, leaders


async def _period(
    db: Database, period: Period, as_of: date, *, extended_after: bool
) -> PeriodFigures:
    t, start, end = as_of.isoformat(), period.start.isoformat(), period.end.isoformat()
    # One statement of one-row parts: the tasks assigned in P by T; the cells of the tasks
    # due in P; when a task was extended after T, those of them due in P, from the index of
    # extended tasks by original deadline (migration 0008): a period's, whatever T.
    moved = (
        f""", (SELECT total({_late("dl")}) - total({_late("deadline")}),
                     total({_overdue("dl")}) - total({_overdue("deadline")}),
                     total({_extended("dl")}) - total({_extended("deadline")})
                FROM (SELECT t.completed_on, t.deadline, t.original_deadline,
                             {DEADLINE_ON_T} AS dl
                        FROM tasks t
                       WHERE t.original_deadline BETWEEN ?2 AND ?3
                         AND t.extended_on IS NOT NULL AND t.extended_on > ?1
                         AND t.assigned_on <= ?1)) f"""
        if extended_after
        else ", (SELECT 0, 0, 0) f"
    )
    row = await db.fetchone(
        f"""
        SELECT a.n, c.*, f.*
          FROM (SELECT count(*) AS n FROM tasks WHERE assigned_on BETWEEN ?2 AND ?4) a,
               (SELECT total(due), total(completed), total(late), total(overdue),
                       total(extended)
                  FROM figure_due WHERE original_deadline BETWEEN ?2 AND ?3 AND at <= ?1) c
               {moved}
        """,
        (t, start, end, min(period.end, as_of).isoformat()),
    )
    assert row is not None
    assigned, cells, fix = row[0], row[1:6], row[6:9]
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


async def _year_total(
    db: Database, period: Period, as_of: date, *, extended_after: bool
) -> _Counts:
    """The year-to-date counts of the whole register alone: `_year`'s total, without the
    per-unit and per-leader sums (a third of the cells read, no names joined)."""
    window = year_window(period, as_of)
    total = _Counts()
    if window.end < window.start:
        return total
    parts, params = _parts(window.start.year, as_of)
    row = await db.fetchone(
        f"SELECT total(assigned), total(completed), total(late), total(overdue) FROM ({parts})",
        ("unit", window.start.year, as_of.year, *params),
    )
    assert row is not None
    total.add(*(int(v) for v in row))
    corrections = await _year_corrections(db, window, as_of, extended_after=extended_after)
    for _unit, _assigner, *deltas in corrections:
        total.add(*deltas)
    return total


async def load_figures(
    db: Database, *, period: Period, as_of: date, groups: bool = True
) -> Figures:
    """The figures of `bot.figures.compute_figures` for the whole register, from SQL;
    with `groups=False` without the per-unit and per-leader lists (/stats shows neither)."""
    extended_after = await _extended_after(db, as_of)
    period_figures = await _period(db, period, as_of, extended_after=extended_after)
    if not groups:
        year = await _year_total(db, period, as_of, extended_after=extended_after)
        return Figures(as_of, period, period_figures, year.figures())
    total, units, leaders = await _year(db, period, as_of, extended_after=extended_after)
    return Figures(
        as_of=as_of,
        period=period,
        period_figures=period_figures,
        year_figures=total.figures(),
        units=unit_groups(
            {k: c.figures() for k, (_, _, c) in units.items()},
            {k: (code, name) for k, (code, name, _) in units.items() if code is not None},
        ),
        leaders=leader_groups(
            {k: c.figures() for k, (_, _, c) in leaders.items()},
            {k: name for k, (code, name, _) in leaders.items() if code is not None},
        ),
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
