"""The statuses (docs/DOMAIN.md, "Statuses"), derived from a task and a day T; never stored.

A deadline D means "by the end of day D": on D the task is in time, from D+1 it is overdue.
As of T, a task is completed only if it was completed on or before T, and an extension
counts only if it was granted on or before T. A task assigned after T does not exist yet:
these functions do not check that (`exists_on`); the figures leave such tasks out.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from bot.models import Task


class Status(StrEnum):
    COMPLETED_ON_TIME = "completed_on_time"  # hoàn thành đúng hạn
    COMPLETED_LATE = "completed_late"  # hoàn thành quá hạn
    OPEN_IN_TIME = "open_in_time"  # chưa hoàn thành, trong hạn
    OPEN_OVERDUE = "open_overdue"  # chưa hoàn thành, quá hạn

    @property
    def completed(self) -> bool:
        return self in (Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE)


def exists_on(task: Task, day: date) -> bool:
    """Whether the task had been assigned by the end of `day`."""
    return task.assigned_on <= day


def deadline_on(task: Task, day: date) -> date | None:
    """The deadline in force on `day`: the original, or the last extension granted by then.

    When the last extension was granted on or before `day` (or there is none) that is the
    task's current deadline; otherwise the latest extension in `task.extensions` granted by
    `day` decides, else the original deadline. storage/figures.py says the same in SQL.
    """
    if task.extended_on is None or task.extended_on <= day:
        return task.deadline
    granted = [change for change in task.extensions if change.granted_on <= day]
    if not granted:
        return task.original_deadline
    # The latest grant wins; among grants of one day, the later one (extensions are in order).
    latest = max(enumerate(granted), key=lambda pair: (pair[1].granted_on, pair[0]))[1]
    return latest.new_deadline


def is_completed_on(task: Task, day: date) -> bool:
    return task.completed_on is not None and task.completed_on <= day


def is_open_on(task: Task, day: date) -> bool:
    return not is_completed_on(task, day)


def is_extended_on(task: Task, day: date) -> bool:
    """Whether the deadline in force on `day` is later than the original one."""
    if task.original_deadline is None:
        return False
    deadline = deadline_on(task, day)
    return deadline is None or deadline > task.original_deadline


def status_on(task: Task, day: date) -> Status:
    deadline = deadline_on(task, day)
    if task.completed_on is not None and task.completed_on <= day:
        if deadline is None or task.completed_on <= deadline:
            return Status.COMPLETED_ON_TIME
        return Status.COMPLETED_LATE
    if deadline is None or day <= deadline:
        return Status.OPEN_IN_TIME
    return Status.OPEN_OVERDUE


def days_overdue(task: Task, day: date) -> int:
    """Calendar days past the deadline in force, for an open task; 0 when not overdue."""
    if status_on(task, day) is not Status.OPEN_OVERDUE:
        return 0
    deadline = deadline_on(task, day)
    assert deadline is not None
    return (day - deadline).days


def is_due_soon(task: Task, day: date, window_days: int) -> bool:
    """Open, in time, with a deadline within `window_days` calendar days (0: due today)."""
    if status_on(task, day) is not Status.OPEN_IN_TIME:
        return False
    deadline = deadline_on(task, day)
    return deadline is not None and (deadline - day).days <= window_days
