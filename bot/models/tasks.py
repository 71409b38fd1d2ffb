"""Tasks, their extensions and history, and an open task as /tasks lists it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple


class ReportState(StrEnum):
    """Where a task's latest completion report stands (None: no open report)."""

    PENDING = "pending"  # chờ duyệt
    RETURNED = "returned"  # trả lại, yêu cầu phúc đáp lại


@dataclass(frozen=True, slots=True)
class Task:
    """One assigned task. Status is never stored: see `bot.status`."""

    id: int
    code: str
    title: str
    lead_unit_id: int
    assigned_on: date
    original_deadline: date | None = None
    deadline: date | None = None  # in force: the original or the last granted extension
    completed_on: date | None = None  # the day the unit reported, once the Office accepted
    extended_on: date | None = None  # the day the last extension was granted
    doc_number: str = ""  # số, ký hiệu văn bản
    doc_date: date | None = None
    content: str = ""
    assigner: str = ""  # a leader's person code, or the assigning body ("UBND tỉnh")
    assigner_id: int | None = None
    officer_id: int | None = None
    report_state: ReportState | None = None
    cooperating_unit_ids: tuple[int, ...] = ()
    # Extensions granted so far, oldest first: what the deadline was on an earlier day.
    extensions: tuple[DeadlineChange, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class DeadlineChange:
    """A granted extension: the original deadline is never overwritten."""

    task_id: int
    old_deadline: date | None
    new_deadline: date | None
    granted_on: date
    reason: str = ""
    decided_by: int | None = None


@dataclass(frozen=True, slots=True)
class TaskEvent:
    """One line of a task's history: who did what, when."""

    id: int
    task_id: int
    at: datetime
    kind: str
    actor_id: int | None = None
    detail: dict[str, object] = field(default_factory=dict)


class ListedTask(NamedTuple):
    """An open task as /tasks lists it on a day: what its line shows, and the deadline in
    force that day (which decides its section; `listed`). Its values as the register stores
    them: dates as ISO text (they compare as the dates do), the report's state as its value.
    A tuple, made from a row as it comes: a head's list has hundreds, made at every /tasks;
    a list of them is a key (`_layout`)."""

    code: str
    title: str
    deadline: str | None  # the current deadline, the one the line shows
    in_force: str | None  # `bot.status.deadline_on(task, day)`
    report_state: str | None = None  # a ReportState's value

    def days_overdue(self, today: date) -> int:
        """`bot.status.days_overdue` of the open task (`today`: the day it was listed on)."""
        if self.in_force is None or self.in_force >= today.isoformat():
            return 0
        return (today - date.fromisoformat(self.in_force)).days
