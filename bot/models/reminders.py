"""The reminders' rows: what the planner (`bot.reminders.planner`) reads of the register and
the notices it plans, as storage/outbox.py keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from bot.models.people import Role


class ReminderKind(StrEnum):
    ASSIGNED = "assigned"  # a task was given to this person (or their unit)
    BEFORE = "before"  # `days_before` working days before the deadline
    DUE = "due"  # the deadline day (or the last working day before it)
    OVERDUE = "overdue"  # every `overdue_every` working days while overdue
    FOLDED = "folded"  # a person's morning: all their task reminders in one message
    ESCALATION = "escalation"  # a unit head: the unit's tasks overdue `escalate_after`+
    OFFICE = "office"  # the Office's admins: everything overdue, per unit
    WEEKLY_HEAD = "weekly_head"  # a unit head: open, due this week, overdue
    WEEKLY_LEADER = "weekly_leader"  # a leader: the totals and their overdue tasks
    UNREACHABLE = "unreachable"  # the Office: Telegram refused a person (sender.py)
    NOTICE = "notice"  # a workflow decision (accepted, returned, granted, refused)
    REVIEW = "review"  # a report or request put before a reviewer: its card, read when sent


# Reminders about one task: they carry its buttons and a reply to them finds the task.
TASK_KINDS = frozenset(
    {ReminderKind.ASSIGNED, ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.OVERDUE}
)


# Messages a reply finds the task of: the reminders above and the notices of decisions.
REPLY_KINDS = TASK_KINDS | {ReminderKind.NOTICE}


# The news of one round: replaced by the next round, so never sent on a later day.
ROUND_KINDS = frozenset(
    {
        ReminderKind.BEFORE,
        ReminderKind.DUE,
        ReminderKind.OVERDUE,
        ReminderKind.FOLDED,
        ReminderKind.ESCALATION,
        ReminderKind.OFFICE,
        ReminderKind.WEEKLY_HEAD,
        ReminderKind.WEEKLY_LEADER,
    }
)


NO_DETAIL: Mapping[str, Any] = MappingProxyType({})  # a reminder that says nothing more


class OpenTask(NamedTuple):
    """What the planner needs of a task (its code and title are read when a message is
    written: a round over a large register reads only an index)."""

    id: int
    lead_unit_id: int
    deadline: date | None  # in force
    officer_id: int | None = None
    assigner_id: int | None = None
    report_state: str | None = None
    completed_on: date | None = None


@dataclass(frozen=True, slots=True)
class TaskLine:
    """A task as a message names it."""

    code: str
    title: str
    deadline: date | None
    settled: bool = False  # completed, or its completion waits for review: nothing to do now


class Recipient(NamedTuple):
    """A person who can get messages (linked to Telegram)."""

    id: int
    role: Role
    unit_id: int | None = None


@dataclass(frozen=True, slots=True)
class UnitCounts:
    """A unit's open tasks for its head's weekly summary."""

    open: int = 0
    due_this_week: int = 0
    overdue: int = 0


class PlannedReminder(NamedTuple):
    """One notice to one person. `subject` is `task:<id>` or the digest's name."""

    kind: ReminderKind
    person_id: int
    subject: str
    day: date
    not_before: datetime
    task_id: int | None = None
    deadline: date | None = None
    detail: Mapping[str, Any] = NO_DETAIL
