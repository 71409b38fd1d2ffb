"""The SQL of the leaders' answers and of the monthly report's appendices.

Every query is set-based and bounded: counts are grouped in SQLite, lists come a page at a
time or up to a limit, each through an index (migrations 0001, 0006 and 0008). Whether a
task is late or overdue as of a day is decided by the figures' own SQL (the deadline in
force on T), so the appendices list exactly what the figures count.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from functools import partial
from typing import Any, TypeVar

from bot.models import (
    Appendix,
    Figures,
    MonthlyReport,
    OverduePage,
    Period,
    ProcessFigures,
    ReportTask,
    Unit,
    UnitOverdue,
    fold,
    year_window,
)
from storage.db import Database, Transaction
from storage.encoding import day, iso, local_days
from storage.figures import DEADLINE_ON_T, load_figures
from storage.register import TASK_SELECT_COLUMNS, unit_from_row

# Names by scalar subqueries, not joins: the query planner then always starts from the
# tasks index the WHERE clause names (with a join it may walk the units first).
_COLUMNS = (
    f"{TASK_SELECT_COLUMNS}, (SELECT u.name FROM units u WHERE u.id = t.lead_unit_id) AS unit_name,"
    " (SELECT o.name FROM people o WHERE o.id = t.officer_id) AS officer_name"
)
_FROM = "FROM tasks t"
Answer = TypeVar("Answer")
_NEVER = "9999-12-31"  # an upper bound, so that "completed after T" is a range the index serves
# Never more rows than this from one appendix query: the documents show fewer still.
APPENDIX_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class TaskPage:
    """One page of a task list, and how many tasks the whole list has."""

    tasks: list[ReportTask]
    total: int


# --- rows to report lines ------------------------------------------------------------------


def report_task(row: sqlite3.Row, as_of: date) -> ReportTask:
    """A report line from a row with `dl`, the deadline in force on `as_of`."""
    deadline = day(row["dl"])
    completed = day(row["completed_on"])
    if completed is not None and completed > as_of:
        completed = None  # completed after the report's day: open on it
    overdue = completed is None and deadline is not None and deadline < as_of
    assigned = day(row["assigned_on"])
    assert assigned is not None
    return ReportTask(
        code=row["code"],
        title=row["title"],
        lead_unit=row["unit_name"],
        assigned_on=assigned,
        original_deadline=day(row["original_deadline"]),
        deadline=deadline,
        completed_on=completed,
        days_overdue=(as_of - deadline).days if overdue and deadline else 0,
        doc_number=row["doc_number"],
        doc_date=day(row["doc_date"]),
        officer=row["officer_name"] or "",
        report_state=row["report_state"],
    )


def _lines(rows: Iterable[sqlite3.Row], as_of: date) -> list[ReportTask]:
    """Report lines, each task once (the unions below may find one twice)."""
    seen: set[int] = set()
    lines = []
    for row in rows:
        if row["id"] not in seen:
            seen.add(row["id"])
            lines.append(report_task(row, as_of))
    return lines


# --- the appendices ------------------------------------------------------------------------
# Late and overdue are decided in SQL by storage.figures.DEADLINE_ON_T (?1 is T), the very
# expression the figures are counted with, so an appendix lists what its figure counts.


async def late_in_period(db: Database, *, period: Period, as_of: date) -> list[ReportTask]:
    """Appendix 1: the tasks due in the period (original deadline in it) completed late by
    `as_of`, the latest first. Found by the partial index of tasks completed after their
    deadline, and by 0008's index of the tasks extended after T."""
    due = "t.original_deadline BETWEEN ?2 AND ?3 AND t.assigned_on <= ?1 AND t.completed_on <= ?1"
    rows = await db.fetchall(
        f"SELECT * FROM (SELECT {_COLUMNS}, {DEADLINE_ON_T} AS dl {_FROM}"
        f" WHERE {due} AND t.completed_on > t.deadline"
        f" UNION SELECT {_COLUMNS}, {DEADLINE_ON_T} AS dl {_FROM}"
        f" WHERE {due} AND t.extended_on > ?1) WHERE completed_on > dl LIMIT ?4",
        (iso(as_of), iso(period.start), iso(period.end), APPENDIX_LIMIT),
    )
    late = _lines(rows, as_of)
    late.sort(key=lambda task: (-task.days_late, task.lead_unit, task.code))
    return late


async def overdue_in_year(
    db: Database, *, window: Period, as_of: date, limit: int = APPENDIX_LIMIT
) -> list[ReportTask]:
    """Appendix 2: tasks assigned in the year's window (`bot.models.year_window`), not
    completed and overdue on `as_of`, the most overdue first (at most `limit`)."""
    # Open today with a deadline before T (the index of open tasks, in deadline order);
    # completed after T (open on T); extended after T (perhaps overdue on T). `+assigned_on`:
    # the year's range must not take the place of the narrow indexes (a scan of the year).
    year = "+t.assigned_on BETWEEN ?2 AND ?3"
    rows = await db.fetchall(
        f"SELECT * FROM (SELECT {_COLUMNS}, {DEADLINE_ON_T} AS dl {_FROM}"
        f" WHERE t.completed_on IS NULL AND t.deadline < ?1 AND {year}"
        " ORDER BY t.deadline LIMIT ?4)"
        f" UNION ALL SELECT * FROM (SELECT {_COLUMNS}, {DEADLINE_ON_T} AS dl {_FROM}"
        f" WHERE t.completed_on > ?1 AND t.completed_on <= ?5 AND t.deadline < ?1 AND {year}"
        " ORDER BY t.deadline LIMIT ?4)"
        f" UNION ALL SELECT * FROM (SELECT {_COLUMNS}, {DEADLINE_ON_T} AS dl {_FROM}"
        f" WHERE t.extended_on > ?1 AND (t.completed_on IS NULL OR t.completed_on > ?1)"
        f" AND {year})",
        (iso(as_of), iso(window.start), iso(window.end), limit, _NEVER),
    )
    return _most_overdue(_lines(rows, as_of), limit)


_WAITING = (
    f"SELECT {_COLUMNS}, {DEADLINE_ON_T} AS dl {_FROM} WHERE t.report_state IS NOT NULL"
    " AND (t.completed_on IS NULL OR t.completed_on > ?1) AND +t.assigned_on BETWEEN ?2 AND ?3"
)


async def waiting_in_year(
    db: Database, *, window: Period, as_of: date, limit: int = APPENDIX_LIMIT
) -> list[ReportTask]:
    """Appendix 3: the tasks of appendix 2 whose completion report waits for review or was
    returned (the seed's "done in reality, still shown overdue"), the most overdue first;
    found through the partial index on report_state."""
    rows = await db.fetchall(
        f"SELECT * FROM ({_WAITING}) WHERE dl < ?1 ORDER BY dl, code LIMIT ?4",
        (iso(as_of), iso(window.start), iso(window.end), limit),
    )
    return _most_overdue(_lines(rows, as_of), limit)


async def waiting_counts(db: Database, *, window: Period, as_of: date) -> tuple[int, int]:
    """How many tasks appendix 3 has in all: (a report waiting for review, returned)."""
    row = await db.fetchone(
        f"SELECT total(report_state = 'pending'), total(report_state = 'returned')"
        f" FROM ({_WAITING}) WHERE dl < ?1",
        (iso(as_of), iso(window.start), iso(window.end)),
    )
    assert row is not None
    return int(row[0]), int(row[1])


def _most_overdue(lines: list[ReportTask], limit: int) -> list[ReportTask]:
    lines = [line for line in lines if line.days_overdue > 0]
    lines.sort(key=lambda task: (-task.days_overdue, task.lead_unit, task.code))
    return lines[:limit]


# --- section 2: the process ----------------------------------------------------------------


async def _table_exists(db: Database, name: str) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    )
    return row is not None


async def _decided_in(
    db: Database, table: str, state: str, period: Period, tz: tzinfo
) -> int | None:
    """How many rows of `table` reached `state` on a local day of the period; None when
    the table does not exist (a register without that workflow cannot tell)."""
    if not await _table_exists(db, table):
        return None
    count = await db.fetchval(
        f"SELECT count(*) FROM {table} WHERE state = ? AND decided_at >= ? AND decided_at < ?",
        (state, *local_days(period.start, period.end, tz)),
    )
    return int(count)


async def process_figures(
    db: Database, *, period: Period, tz: tzinfo, waiting: tuple[int, int] = (0, 0)
) -> ProcessFigures:
    """Section 2: reports returned, extension requests granted and refused in the period;
    the tasks of appendix 3 by the state of their report (`waiting_counts`)."""
    return ProcessFigures(
        reports_returned=await _decided_in(db, "completion_reports", "returned", period, tz),
        extensions_granted=await _decided_in(db, "extension_requests", "granted", period, tz),
        extensions_refused=await _decided_in(db, "extension_requests", "refused", period, tz),
        waiting_pending=waiting[0],
        waiting_returned=waiting[1],
    )


async def load_report(
    db: Database, *, period: Period, as_of: date, tz: tzinfo, limit: int = APPENDIX_LIMIT
) -> MonthlyReport:
    """Everything the monthly report says, from the same figures as `dondoc stats`; each
    appendix lists at most `limit` tasks (the worst first) and counts them all."""
    figures = await kept_figures(db, period=period, as_of=as_of)
    window = year_window(period, as_of)
    late = await late_in_period(db, period=period, as_of=as_of)
    overdue = await overdue_in_year(db, window=window, as_of=as_of, limit=limit)
    waiting = await waiting_in_year(db, window=window, as_of=as_of, limit=limit)
    counts = await waiting_counts(db, window=window, as_of=as_of)
    return MonthlyReport(
        figures=figures,
        late=Appendix(late[:limit], figures.period_figures.late),
        overdue=Appendix(overdue, figures.year_figures.open_overdue),
        waiting=Appendix(waiting, sum(counts)),
        # Section 2 speaks of the same days as the figures: to T at the latest.
        process=await process_figures(
            db, period=Period(period.start, window.end), tz=tz, waiting=counts
        ),
    )


# --- the chat: /overdue, /unit, /mine ------------------------------------------------------


class _Kept:
    """Answers that stay true until the register changes: kept per database with the data
    version they were computed at (read before computing, so a write made meanwhile only
    makes the next call compute again)."""

    def __init__(self) -> None:
        self._kept: weakref.WeakKeyDictionary[Database, tuple[int, dict[object, Any]]] = (
            weakref.WeakKeyDictionary()
        )

    async def get(
        self, db: Database, key: object, compute: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        version = await db.data_version()
        kept = self._kept.get(db)
        if kept is None or kept[0] != version or len(kept[1]) > 64:
            kept = (version, {})
            self._kept[db] = kept
        if key not in kept[1]:
            kept[1][key] = await compute()
        found: Answer = kept[1][key]
        return found


_kept = _Kept()


async def kept_figures(
    db: Database, *, period: Period, as_of: date, groups: bool = True
) -> Figures:
    """`storage.figures.load_figures`, computed once until the register changes (leaders
    ask /stats, /chart, /mine over and over between two changes)."""
    return await _kept.get(
        db,
        ("figures", period, as_of, groups),
        lambda: load_figures(db, period=period, as_of=as_of, groups=groups),
    )


async def overdue_units(db: Database, *, today: date, offset: int, limit: int) -> OverduePage:
    """Lines `offset` to `offset + limit` of /overdue, with the sums of the whole list (an
    empty page past its end has them too): only the page's lines leave SQLite. The same for
    everyone until the register changes or the day turns: kept meanwhile (callers do not
    change it)."""
    return await _kept.get(
        db, ("overdue", today, offset, limit), lambda: _overdue_units(db, today, offset, limit)
    )


async def _overdue_units(db: Database, today: date, offset: int, limit: int) -> OverduePage:
    rows = await db.fetchall(
        f"WITH lines AS ({_OVERDUE_ROWS}),"
        " sums AS (SELECT count(*) AS units, total(n) AS tasks FROM lines)"
        " SELECT sums.units, sums.tasks, page.*"
        " FROM sums LEFT JOIN (SELECT * FROM lines ORDER BY n DESC, code LIMIT ?2 OFFSET ?3)"
        " page ON 1 ORDER BY page.n DESC, page.code",
        (iso(today), limit, max(offset, 0)),
    )
    lines = [_unit_overdue(row[2:]) for row in rows if row["id"] is not None]
    return OverduePage(lines=lines, total=int(rows[0]["units"]), tasks=int(rows[0]["tasks"]))


# Overdue on T (?1) per lead unit, from the counts kept by migration 0013: the open tasks due
# before the anchor day A, plus those due from A to T (less those due from T to A when T is
# before A). A unit with overdue tasks has its oldest open deadline overdue. The pages
# read: overdue_units', and those of the days from A to T.
# Columns: unit id, code, name, overdue count, days overdue of the oldest (UnitOverdue's).
_MOVED = (
    "SELECT d.unit_id, sum(iif(d.deadline < ?1, d.n, -d.n)) AS n"
    " FROM open_due d, overdue_anchor a"
    " WHERE d.deadline >= min(a.day, ?1) AND d.deadline < max(a.day, ?1) GROUP BY d.unit_id"
)
_OVERDUE_ROWS = f"""
WITH moved AS ({_MOVED})
SELECT u.id, u.code, u.name, k.below + coalesce(m.n, 0) AS n,
       CAST(julianday(?1) - julianday(k.oldest) AS INTEGER) AS oldest_days
  FROM overdue_units k LEFT JOIN moved m ON m.unit_id = k.unit_id
  JOIN units u ON u.id = k.unit_id
 WHERE k.below + coalesce(m.n, 0) > 0"""


# A UnitOverdue made in C from a row, its columns in order (NamedTuple's __new__ is Python).
_unit_overdue = partial(tuple.__new__, UnitOverdue)


async def move_overdue_anchor(db: Database, *, today: date) -> None:
    """Bring the kept overdue counts to `today` (the daily job), so that /overdue reads
    ~1,000 rows: the open tasks due between the old anchor day and `today` join the counts
    of those due before it (or leave them, when `today` is earlier)."""
    async with db.transaction() as conn:
        await conn.execute(
            f"UPDATE overdue_units SET below = below + m.n FROM ({_MOVED}) m"
            " WHERE overdue_units.unit_id = m.unit_id",
            (iso(today),),
        )
        await conn.execute("UPDATE overdue_anchor SET day = ?", (iso(today),))


# Count afresh (migration 0013's triggers leave the counts alone during a bulk write).
_RECOUNT = (
    "DELETE FROM open_due",
    "INSERT INTO open_due (deadline, unit_id, n) SELECT deadline, lead_unit_id, count(*)"
    " FROM tasks WHERE completed_on IS NULL AND deadline IS NOT NULL"
    " GROUP BY lead_unit_id, deadline",
    "DELETE FROM overdue_units",
    "INSERT INTO overdue_units (unit_id, below, oldest)"
    " SELECT unit_id, sum(n * (deadline < (SELECT day FROM overdue_anchor))), min(deadline)"
    " FROM open_due GROUP BY unit_id",
)


async def recount_overdue(conn: Transaction) -> None:
    """Within the caller's transaction: the kept overdue counts counted afresh from the
    tasks. A bulk write (`storage.figures.figures_summed_once`: its triggers wait while
    figure_bulk has a row) calls this before its transaction ends."""
    for sql in _RECOUNT:
        await conn.execute(sql)


async def unit_overdue_tasks(
    db: Database, *, unit_id: int, today: date, offset: int, limit: int
) -> TaskPage:
    """A page of one unit's overdue open tasks, the most overdue first."""
    where = "t.lead_unit_id = ? AND t.completed_on IS NULL AND t.deadline < ?"
    params = (unit_id, iso(today))
    return await _page(db, where, params, "t.deadline, t.code", today, offset, limit)


async def unit_open_tasks(
    db: Database, *, unit_id: int, today: date, offset: int, limit: int
) -> TaskPage:
    """A page of one unit's open tasks, by deadline (tasks without one last)."""
    where = "t.lead_unit_id = ? AND t.completed_on IS NULL"
    order = "t.deadline IS NULL, t.deadline, t.code"
    return await _page(db, where, (unit_id,), order, today, offset, limit)


async def leader_open_tasks(
    db: Database, *, leader_id: int, today: date, overdue: bool, offset: int, limit: int
) -> TaskPage:
    """A page of the open tasks a leader assigned: the overdue ones (most overdue first),
    or those still in time (soonest deadline first, tasks without one last)."""
    if overdue:
        where = "t.assigner_id = ? AND t.completed_on IS NULL AND t.deadline < ?"
        order = "t.deadline, t.code"
    else:
        where = (
            "t.assigner_id = ? AND t.completed_on IS NULL"
            " AND (t.deadline IS NULL OR t.deadline >= ?)"
        )
        order = "t.deadline IS NULL, t.deadline, t.code"
    return await _page(db, where, (leader_id, iso(today)), order, today, offset, limit)


async def _page(
    db: Database,
    where: str,
    params: Sequence[object],
    order: str,
    today: date,
    offset: int,
    limit: int,
) -> TaskPage:
    total = int(await db.fetchval(f"SELECT count(*) FROM tasks t WHERE {where}", params))
    rows = await db.fetchall(
        f"SELECT {_COLUMNS}, t.deadline AS dl {_FROM} WHERE {where}"
        f" ORDER BY {order} LIMIT ? OFFSET ?",
        (*params, limit, max(offset, 0)),
    )
    return TaskPage(tasks=[report_task(row, today) for row in rows], total=total)


async def find_units(db: Database, query: str, *, limit: int = 20) -> list[Unit]:
    """Units by code (exactly, any case) or by name, without diacritics and by part:
    "y te" finds "Sở Y tế"; "so tai nguyen moi truong" finds "Sở Tài nguyên và Môi trường"."""
    text = query.strip()
    if not text:
        return []
    row = await db.fetchone("SELECT * FROM units WHERE code = ? COLLATE NOCASE", (text,))
    if row is not None:
        return [unit_from_row(row)]
    words = fold(text).split()
    phrase = " ".join(words)
    order = "ORDER BY length(name), code LIMIT ?"
    # Whole words first ("y te" is in "so y te"), then any part ("y t"), then each word.
    rows = await db.fetchall(
        f"SELECT * FROM units WHERE instr(' ' || name_folded || ' ', ?) > 0 {order}",
        (f" {phrase} ", limit),
    )
    if not rows:
        rows = await db.fetchall(
            f"SELECT * FROM units WHERE instr(name_folded, ?) > 0 {order}", (phrase, limit)
        )
    if not rows:  # every word somewhere in the name, in any order
        conditions = " AND ".join("instr(name_folded, ?) > 0" for _ in words)
        rows = await db.fetchall(
            f"SELECT * FROM units WHERE {conditions} {order}",
            (*words, limit),
        )
    return [unit_from_row(r) for r in rows]
