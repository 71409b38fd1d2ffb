"""The tasks on a person's /tasks list: in full, or as the list's lines show them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial

from bot.models import DeadlineChange, ListedTask, Person, Role, Task
from storage.db import Database, Params
from storage.figures import DEADLINE_ON_T
from storage.register import TASK_SELECT_COLUMNS, change_from_row, task_from_row


async def _tasks(db: Database, where: str, params: Params) -> list[Task]:
    """Tasks matching `where` (on the alias t), with their cooperating units and extensions."""
    rows = await db.fetchall(
        f"SELECT {TASK_SELECT_COLUMNS} FROM tasks t WHERE {where} ORDER BY t.deadline, t.code",
        params,
    )
    ids = [r["id"] for r in rows]
    cooperating: dict[int, list[int]] = {}
    changes: dict[int, list[DeadlineChange]] = {}
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            f"SELECT task_id, unit_id FROM task_cooperators WHERE task_id IN ({marks})"
            " ORDER BY task_id, unit_id",
            chunk,
        ):
            cooperating.setdefault(r[0], []).append(r[1])
        for r in await db.fetchall(
            f"SELECT * FROM deadline_changes WHERE task_id IN ({marks})"
            " ORDER BY task_id, granted_on, id",
            chunk,
        ):
            changes.setdefault(r["task_id"], []).append(change_from_row(r))
    return [
        task_from_row(
            r, cooperating=cooperating.get(r["id"], ()), extensions=changes.get(r["id"], ())
        )
        for r in rows
    ]


def _chunks(values: Sequence[int], size: int) -> list[Sequence[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _open_tasks_where(person: Person, first: int = 1) -> tuple[str, Params] | None:
    """Which tasks are on a person's /tasks list (see `bot.access.may_report`): a condition
    on the alias t, its parameters numbered from `first`; None for a role without a list."""
    if person.role == Role.HEAD and person.unit_id is not None:
        return f"t.completed_on IS NULL AND t.lead_unit_id = ?{first}", (person.unit_id,)
    if person.role == Role.OFFICER:
        return (
            f"t.completed_on IS NULL AND (t.officer_id = ?{first}"
            f" OR (t.officer_id IS NULL AND t.lead_unit_id = ?{first + 1}))",
            (person.id, person.unit_id),
        )
    return None


async def open_tasks_for(db: Database, person: Person) -> list[Task]:
    """The open tasks on a person's /tasks list, in full."""
    found = _open_tasks_where(person)
    return [] if found is None else await _tasks(db, *found)


async def listed_open_tasks(db: Database, person: Person, *, today: date) -> list[ListedTask]:
    """The open tasks on a person's /tasks list as it shows them on `today` (a head's list
    has hundreds): only the columns of a line, each row a ListedTask as it comes; the
    deadline in force on `today` by `DEADLINE_ON_T` (extensions read only of the tasks
    extended after `today`)."""
    found = _open_tasks_where(person, first=2)
    if found is None:
        return []
    where, params = found
    # By deadline alone, the order of the open tasks' index (no sort in SQLite): the list
    # is put in its own order (sections, deadline, code) by bot.views.
    rows = await db.fetchall(
        f"SELECT t.code, t.title, t.deadline, {DEADLINE_ON_T} AS in_force, t.report_state"
        f" FROM tasks t WHERE {where} ORDER BY t.deadline",
        (today.isoformat(), *params),
    )
    return list(map(_listed, rows))


# A ListedTask made in C from a row, its columns in order (NamedTuple's __new__ is Python).
_listed = partial(tuple.__new__, ListedTask)
