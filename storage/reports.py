"""The SQL of the leaders' answers and of the monthly report's appendices.

Every query is set-based and bounded: counts are grouped in SQLite, lists come a page at a
time or up to a limit, each through an index (migrations 0001 and 0006). Whether a task is
late or overdue as of a day is decided by `bot.status` on the rows that SQL preselects, so
the appendices say exactly what the figures count.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from bot.figures import Period, year_window
from bot.models import Task, Unit
from bot.report_data import Appendix, MonthlyReport, ProcessFigures, ReportTask, UnitOverdue
from bot.status import Status, days_overdue, deadline_on, status_on
from bot.text_search import fold
from storage.db import Database
from storage.figures import load_figures
from storage.register import TASK_COLUMNS, extensions_of, iso, task_from_row, unit_from_row

# Names by scalar subqueries, not joins: the query planner then always starts from the
# tasks index the WHERE clause names (with a join it may walk the units first).
_COLUMNS = (
    f"{TASK_COLUMNS}, (SELECT u.name FROM units u WHERE u.id = t.lead_unit_id) AS unit_name,"
    " (SELECT o.name FROM people o WHERE o.id = t.officer_id) AS officer_name"
)
_FROM = "FROM tasks t"
_NEVER = "9999-12-31"  # an upper bound, so that "completed after T" is a range the index serves
# Never more rows than this from one appendix query: the documents show fewer still.
APPENDIX_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class TaskPage:
    """One page of a task list, and how many tasks the whole list has."""

    tasks: list[ReportTask]
    total: int


# --- rows to report lines ------------------------------------------------------------------


def report_task(task: Task, row: sqlite3.Row, as_of: date) -> ReportTask:
    """A report line for `task` as of `as_of`: the deadline in force then, days overdue."""
    return ReportTask(
        code=task.code,
        title=task.title,
        lead_unit=row["unit_name"],
        assigned_on=task.assigned_on,
        original_deadline=task.original_deadline,
        deadline=deadline_on(task, as_of),
        completed_on=task.completed_on
        if task.completed_on and task.completed_on <= as_of
        else None,
        days_overdue=days_overdue(task, as_of),
        doc_number=task.doc_number,
        doc_date=task.doc_date,
        officer=row["officer_name"] or "",
        report_state=task.report_state.value if task.report_state else None,
    )


async def _tasks_as_of(
    db: Database, rows: Sequence[sqlite3.Row], as_of: date
) -> list[tuple[Task, sqlite3.Row]]:
    """Rows as tasks; those extended after `as_of` carry their extensions (to know the
    deadline in force on that day). Duplicate rows (from unions) are dropped."""
    later = [r["id"] for r in rows if r["extended_on"] and r["extended_on"] > iso(as_of)]
    changes = await extensions_of(db, later)
    seen: set[int] = set()
    found = []
    for row in rows:
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        found.append((task_from_row(row, extensions=changes.get(row["id"], ())), row))
    return found


# --- the appendices ------------------------------------------------------------------------


async def late_in_period(db: Database, *, period: Period, as_of: date) -> list[ReportTask]:
    """Appendix 1: tasks due in the period (original deadline in it) completed late by
    `as_of`, the latest first."""
    t = iso(as_of)
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} {_FROM} WHERE t.original_deadline BETWEEN ? AND ?"
        " AND t.assigned_on <= ? AND t.completed_on <= ?"
        " AND (t.completed_on > t.deadline OR t.extended_on > ?) LIMIT ?",
        (iso(period.start), iso(period.end), t, t, t, APPENDIX_LIMIT),
    )
    late = [
        report_task(task, row, as_of)
        for task, row in await _tasks_as_of(db, rows, as_of)
        if status_on(task, as_of) is Status.COMPLETED_LATE
    ]
    late.sort(key=lambda task: (-task.days_late, task.lead_unit, task.code))
    return late


async def overdue_in_year(
    db: Database, *, window: Period, as_of: date, limit: int = APPENDIX_LIMIT
) -> list[ReportTask]:
    """Appendix 2: tasks assigned in the year's window (`bot.figures.year_window`), not
    completed and overdue on `as_of`, the most overdue first (at most `limit`)."""
    t, y, w = iso(as_of), iso(window.start), iso(window.end)
    # Open today with a deadline before T (the index on open tasks, in deadline order);
    # completed after T (open on T); extended after T (perhaps overdue on T). `+assigned_on`:
    # the year's range must not take the place of the narrow indexes (a scan of the year).
    rows = await db.fetchall(
        f"SELECT * FROM (SELECT {_COLUMNS} {_FROM} WHERE t.completed_on IS NULL"
        " AND t.deadline < ? AND t.assigned_on BETWEEN ? AND ? ORDER BY t.deadline LIMIT ?)"
        f" UNION ALL SELECT * FROM (SELECT {_COLUMNS} {_FROM} WHERE t.completed_on > ?"
        " AND t.completed_on <= ? AND t.deadline < ? AND t.assigned_on BETWEEN ? AND ?"
        " ORDER BY t.deadline LIMIT ?)"
        f" UNION ALL SELECT {_COLUMNS} {_FROM} WHERE t.extended_on > ?"
        " AND (t.completed_on IS NULL OR t.completed_on > ?) AND +t.assigned_on BETWEEN ? AND ?",
        (t, y, w, limit, t, _NEVER, t, y, w, limit, t, t, y, w),
    )
    return _most_overdue(await _tasks_as_of(db, rows, as_of), as_of, limit)


async def waiting_in_year(db: Database, *, window: Period, as_of: date) -> list[ReportTask]:
    """Appendix 3: the tasks of appendix 2 whose completion report waits for review or was
    returned (the seed's "done in reality, still shown overdue"); found through the partial
    index on report_state (`+assigned_on` keeps SQLite off the year's range)."""
    t, y, w = iso(as_of), iso(window.start), iso(window.end)
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} {_FROM} WHERE t.report_state IS NOT NULL"
        " AND (t.completed_on IS NULL OR t.completed_on > ?) AND +t.assigned_on BETWEEN ? AND ?"
        " AND (t.deadline < ? OR t.extended_on > ?)",
        (t, y, w, t, t),
    )
    return _most_overdue(await _tasks_as_of(db, rows, as_of), as_of, APPENDIX_LIMIT)


def _most_overdue(
    tasks: Iterable[tuple[Task, sqlite3.Row]], as_of: date, limit: int
) -> list[ReportTask]:
    found = [
        report_task(task, row, as_of)
        for task, row in tasks
        if status_on(task, as_of) is Status.OPEN_OVERDUE
    ]
    found.sort(key=lambda task: (-task.days_overdue, task.lead_unit, task.code))
    return found[:limit]


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
    # Timestamps are ISO text with an offset: a text range a day wider on each side uses
    # the index; the exact local day is then checked here.
    rows = await db.fetchall(
        f"SELECT decided_at FROM {table} WHERE state = ? AND decided_at >= ? AND decided_at < ?",
        (state, iso(period.start - timedelta(days=1)), iso(period.end + timedelta(days=2))),
    )
    return sum(1 for r in rows if period.start <= _local_day(r[0], tz) <= period.end)


def _local_day(stamp: str, tz: tzinfo) -> date:
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:  # written without an offset: UTC, as the schema says
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).date()


async def process_figures(
    db: Database, *, period: Period, tz: tzinfo, waiting: Sequence[ReportTask] = ()
) -> ProcessFigures:
    """Section 2: reports returned, extension requests granted and refused in the period;
    the tasks of appendix 3 (`waiting`) by the state of their report."""
    pending = sum(1 for task in waiting if task.report_state == "pending")
    return ProcessFigures(
        reports_returned=await _decided_in(db, "completion_reports", "returned", period, tz),
        extensions_granted=await _decided_in(db, "extension_requests", "granted", period, tz),
        extensions_refused=await _decided_in(db, "extension_requests", "refused", period, tz),
        waiting_pending=pending,
        waiting_returned=len(waiting) - pending,
    )


async def load_report(
    db: Database, *, period: Period, as_of: date, tz: tzinfo, limit: int = APPENDIX_LIMIT
) -> MonthlyReport:
    """Everything the monthly report says, from the same figures as `dondoc stats`; each
    appendix lists at most `limit` tasks (the worst first) and counts them all."""
    figures = await load_figures(db, period=period, as_of=as_of)
    window = year_window(period, as_of)
    late = await late_in_period(db, period=period, as_of=as_of)
    overdue = await overdue_in_year(db, window=window, as_of=as_of, limit=limit)
    waiting = await waiting_in_year(db, window=window, as_of=as_of)
    return MonthlyReport(
        figures=figures,
        late=Appendix(late[:limit], figures.period_figures.late),
        overdue=Appendix(overdue, figures.year_figures.open_overdue),
        waiting=Appendix(waiting[:limit], len(waiting)),
        process=await process_figures(db, period=period, tz=tz, waiting=waiting),
    )


# --- the chat: /overdue, /unit, /mine ------------------------------------------------------


async def overdue_by_unit(
    db: Database, *, today: date, unit_id: int | None = None
) -> list[UnitOverdue]:
    """Overdue open tasks per lead unit (all years), most first, with the oldest."""
    where = "t.completed_on IS NULL AND t.deadline < ?"
    params: list[object] = [iso(today)]
    if unit_id is not None:
        where += " AND t.lead_unit_id = ?"
        params.append(unit_id)
    rows = await db.fetchall(
        "SELECT u.id, u.code, u.name, count(*) AS n, min(t.deadline) AS oldest"
        f" FROM tasks t JOIN units u ON u.id = t.lead_unit_id WHERE {where}"
        " GROUP BY t.lead_unit_id ORDER BY n DESC, u.code",
        params,
    )
    return [
        UnitOverdue(
            unit_id=r["id"],
            code=r["code"],
            name=r["name"],
            count=r["n"],
            oldest_days=(today - date.fromisoformat(r["oldest"])).days,
        )
        for r in rows
    ]


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
        f"SELECT {_COLUMNS} {_FROM} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        (*params, limit, max(offset, 0)),
    )
    tasks = [report_task(task, row, today) for task, row in await _tasks_as_of(db, rows, today)]
    return TaskPage(tasks=tasks, total=total)


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
