"""The benchmarks' own SQL: the bare query for each answer bench.answers times (the floor a
handler is judged by), and the picking of subjects (who acts in bench.e2e).

Each answer function asks SQLite, through the same `Database` the bot uses, for the numbers
and rows that one reply shows, and nothing else: no rules, no texts, no Telegram. As of
T = today, so the deadline in force is the current one (every extension was granted by T).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from storage import Database

_COUNTS = """
    count(*) AS assigned,
    sum(completed_on IS NOT NULL AND completed_on <= :t) AS completed,
    sum(completed_on IS NOT NULL AND completed_on <= :t
        AND (deadline IS NULL OR completed_on <= deadline)) AS on_time,
    sum((completed_on IS NULL OR completed_on > :t)
        AND (deadline IS NULL OR deadline >= :t)) AS open_in_time,
    sum((completed_on IS NULL OR completed_on > :t) AND deadline < :t) AS open_overdue
"""


async def overdue_by_unit(db: Database, *, today: date) -> list[Any]:
    """/overdue: overdue open tasks per lead unit, most first, with the oldest deadline,
    from the counts that triggers keep (migration 0013): per unit the open tasks due before
    the anchor day and its oldest open deadline, and the tasks due between the anchor day and
    today (the least SQL for the answer)."""
    return await db.fetchall(
        "SELECT u.code, u.name, k.below + coalesce(m.n, 0) AS n, k.oldest"
        " FROM overdue_units k LEFT JOIN ("
        "  SELECT d.unit_id, sum(iif(d.deadline < :t, d.n, -d.n)) AS n"
        "  FROM open_due d, overdue_anchor a"
        "  WHERE d.deadline >= min(a.day, :t) AND d.deadline < max(a.day, :t)"
        "  GROUP BY d.unit_id) m ON m.unit_id = k.unit_id JOIN units u ON u.id = k.unit_id"
        " WHERE k.below + coalesce(m.n, 0) > 0 ORDER BY n DESC, u.code",
        {"t": today.isoformat()},
    )


async def overdue_by_unit_counted(db: Database, *, today: date) -> list[Any]:
    """/overdue the hard way: the overdue tasks counted (~100,000 on the million-task
    register, through the index of open tasks), no kept counts (for comparison)."""
    return await db.fetchall(
        "SELECT u.code, u.name, count(*) AS n, min(t.deadline) AS oldest"
        " FROM tasks t JOIN units u ON u.id = t.lead_unit_id"
        " WHERE t.completed_on IS NULL AND t.deadline < ?"
        " GROUP BY t.lead_unit_id ORDER BY n DESC, u.code",
        (today.isoformat(),),
    )


async def month_figures(db: Database, *, start: date, end: date, today: date) -> list[Any]:
    """/stats: the month's figures and the year to date, as of today, from the figure cells
    that triggers keep (migration 0005): the least SQL that gives the answer."""
    t = today.isoformat()
    assigned = await db.fetchval(
        "SELECT count(*) FROM tasks WHERE assigned_on BETWEEN ? AND ?",
        (start.isoformat(), min(end, today).isoformat()),
    )
    due = await db.fetchone(
        "SELECT total(due), total(completed), total(late), total(overdue), total(extended)"
        " FROM figure_due WHERE original_deadline BETWEEN ? AND ? AND at <= ?",
        (start.isoformat(), end.isoformat(), t),
    )
    # The year's total (migration 0008) less what its tasks stepped after T: the months
    # after T's month, then the days of T's month after T.
    month = t[:7]
    year = await db.fetchone(
        "SELECT total(a), total(c), total(l), total(o) FROM ("
        " SELECT assigned AS a, completed AS c, late AS l, overdue AS o FROM figure_years"
        "  WHERE kind = 'unit' AND year = :y"
        " UNION ALL SELECT -assigned, -completed, -late, -overdue FROM figure_groups"
        "  WHERE grain = 'm' AND at > :m AND kind = 'unit' AND year = :y"
        " UNION ALL SELECT -assigned, -completed, -late, -overdue FROM figure_groups"
        "  WHERE grain = 'd' AND at > :t AND at < :next AND kind = 'unit' AND year = :y)",
        {"y": today.year, "m": month, "t": t, "next": _next_month(today)},
    )
    return [assigned, due, year]


def _next_month(day: date) -> str:
    return f"{day.year + day.month // 12:04d}-{day.month % 12 + 1:02d}-01"


async def unit_answer(db: Database, *, code: str, today: date) -> list[Any]:
    """/unit CODE: the unit, its year-to-date figures and its open tasks by deadline."""
    unit = await db.fetchone("SELECT id, code, name FROM units WHERE code = ?", (code,))
    assert unit is not None
    t, y = today.isoformat(), date(today.year, 1, 1).isoformat()
    year = await db.fetchone(
        f"SELECT {_COUNTS} FROM tasks WHERE lead_unit_id = :u AND assigned_on BETWEEN :y AND :t",
        {"u": unit["id"], "y": y, "t": t},
    )
    return [unit, year, *await open_tasks_of_unit(db, unit_id=unit["id"])]


async def open_tasks_of_unit(db: Database, *, unit_id: int) -> list[Any]:
    """A head's /tasks: the unit's open tasks, by deadline (no deadline last)."""
    return await db.fetchall(
        "SELECT id, code, title, deadline, officer_id FROM tasks"
        " WHERE lead_unit_id = ? AND completed_on IS NULL"
        " ORDER BY deadline IS NULL, deadline, code",
        (unit_id,),
    )


# --- subjects ------------------------------------------------------------------------------


async def officers_with_open_task(db: Database, *, count: int) -> list[tuple[int, str]]:
    """`count` linked officers, each with (telegram id, the code of an open task of theirs
    that waits for nothing), the officers in register order."""
    rows = await db.fetchall(
        "SELECT p.telegram_id, min(t.code) FROM tasks t JOIN people p ON p.id = t.officer_id"
        " WHERE t.completed_on IS NULL AND t.report_state IS NULL AND p.role = 'officer'"
        " AND p.telegram_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM completion_reports r"
        "                 WHERE r.task_id = t.id AND r.state = 'pending')"
        " GROUP BY p.id ORDER BY p.id LIMIT ?",
        (count,),
    )
    return [(int(r[0]), str(r[1])) for r in rows]


async def linked_telegram_ids(db: Database) -> list[int]:
    """Everyone the bot may write to (admins, leaders, heads, officers)."""
    rows = await db.fetchall("SELECT telegram_id FROM people WHERE telegram_id IS NOT NULL")
    return [int(r[0]) for r in rows]


async def task_count(db: Database) -> int:
    return int(await db.fetchval("SELECT count(*) FROM tasks"))


async def touch_register(db: Database) -> None:
    """A write that changes nothing but is a write: answers kept until the register changes
    (storage.reports) must be computed again after it."""
    async with db.transaction() as conn:  # (SQLite skips an UPDATE that changes nothing)
        await conn.execute("INSERT INTO units (code, name) VALUES ('BENCH-TOUCH', 'bench')")
        await conn.execute("DELETE FROM units WHERE code = 'BENCH-TOUCH'")
