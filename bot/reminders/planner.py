"""Which reminders are due: a pure function of the register, the calendar, the policy and a
time. `plan` never reads a clock or a database; storage/outbox.py feeds it and stores what
it returns in the outbox, whose unique key makes planning twice plan nothing new.

A deadline D is counted from today T in working days (or calendar days when
`working_days` is off): `left` = working days in (T, D], `over` = working days in (D, T].
- before: `left` is one of `days_before`;
- due: `left` is 0: the deadline day, or the last working day before a deadline that falls
  on a day off (a Saturday deadline is reminded on Friday);
- overdue: every `overdue_every` working days from the first one after D;
- escalation: from `escalate_after` working days overdue, the unit head gets the list.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.models import Role
from bot.reminders.policy import Calendar, Policy, is_sending_day, is_weekly_day, send_time

LIST_LIMIT = 10  # tasks listed in one digest message; the rest are counted
UNITS_LIMIT = 30  # units listed in the Office's digest
TITLE_LIMIT = 80  # characters of a title kept in a digest


class Kind(StrEnum):
    ASSIGNED = "assigned"  # a task was given to this person (or their unit)
    BEFORE = "before"  # `days_before` working days before the deadline
    DUE = "due"  # the deadline day (or the last working day before it)
    OVERDUE = "overdue"  # every `overdue_every` working days while overdue
    FOLDED = "folded"  # the rest of a person's task reminders, in one message
    ESCALATION = "escalation"  # a unit head: the unit's tasks overdue `escalate_after`+
    OFFICE = "office"  # the Office's admins: everything overdue, per unit
    WEEKLY_HEAD = "weekly_head"  # a unit head: open, due this week, overdue
    WEEKLY_LEADER = "weekly_leader"  # a leader: the totals and their overdue tasks
    UNREACHABLE = "unreachable"  # the Office: Telegram refused a person (sender.py)


# Reminders about one task: they carry its buttons and a reply to them finds the task.
TASK_KINDS = frozenset({Kind.ASSIGNED, Kind.BEFORE, Kind.DUE, Kind.OVERDUE})
# The news of one round: replaced by the next round, so never sent on a later day.
ROUND_KINDS = frozenset(
    {
        Kind.BEFORE,
        Kind.DUE,
        Kind.OVERDUE,
        Kind.FOLDED,
        Kind.ESCALATION,
        Kind.OFFICE,
        Kind.WEEKLY_HEAD,
        Kind.WEEKLY_LEADER,
    }
)
# What a person may pause; deadline reminders cannot be paused.
PAUSABLE = frozenset({Kind.WEEKLY_HEAD, Kind.WEEKLY_LEADER})


@dataclass(frozen=True, slots=True)
class OpenTask:
    """What the planner needs of a task."""

    id: int
    code: str
    title: str
    lead_unit_id: int
    deadline: date | None  # in force
    officer_id: int | None = None
    assigner_id: int | None = None
    report_state: str | None = None
    completed_on: date | None = None

    @property
    def remindable(self) -> bool:
        """Open, with a deadline, and not waiting for the Office's review."""
        return (
            self.completed_on is None
            and self.deadline is not None
            and self.report_state != "pending"
        )


@dataclass(frozen=True, slots=True)
class Recipient:
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


@dataclass(frozen=True)
class RegisterView:
    """The part of the register one round looks at.

    `tasks` may hold any tasks (the planner leaves out what gets nothing); storage loads only
    the candidates: open, not waiting for review, deadline overdue or within the horizon.
    `unit_counts` and `totals` are read on the weekly day only.
    """

    tasks: Sequence[OpenTask]
    people: Sequence[Recipient]
    units: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # id → (code, name)
    weekly_paused: frozenset[int] = frozenset()
    unit_counts: Mapping[int, UnitCounts] = field(default_factory=dict)
    totals: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One notice to one person. `subject` is `task:<id>` or the digest's name."""

    kind: Kind
    person_id: int
    subject: str
    day: date
    not_before: datetime
    task_id: int | None = None
    deadline: date | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


# An entry sorts by deadline then code: the most overdue first, then the soonest due.
# (deadline, code, task, kind or None when not reminded today, days left or overdue)
_Entry = tuple[date, str, OpenTask, Kind | None, int]


def plan(
    view: RegisterView, *, now: datetime, calendar: Calendar, policy: Policy
) -> list[PlannedReminder]:
    """The round due at `now`: every person's reminders, escalations, digests, summaries."""
    today = policy.local(now).date()
    if not is_sending_day(today, calendar, policy):
        return []
    at = send_time(now, policy)
    days = _Days(today, calendar, policy)
    people = {p.id: p for p in view.people}
    heads = _unit_members(view.people, (Role.HEAD,))

    own: dict[int, list[_Entry]] = {}  # named officer → reminders due today
    unit_wide: dict[int, list[_Entry]] = {}  # unit → reminders for all its officers and head
    escalated: dict[int, list[_Entry]] = {}
    overdue: dict[int, list[_Entry]] = {}  # unit → every overdue task
    assigned_overdue: dict[int, list[_Entry]] = {}  # leader → overdue tasks they assigned
    for task in view.tasks:
        entry = _entry(task, days, policy)
        if entry is None:
            continue
        if entry[3] is not None:
            if task.officer_id is not None and task.officer_id in people:
                own.setdefault(task.officer_id, []).append(entry)
            else:
                unit_wide.setdefault(task.lead_unit_id, []).append(entry)
        if task.deadline is not None and task.deadline < today:
            overdue.setdefault(task.lead_unit_id, []).append(entry)
            if days.over(task.deadline) >= policy.escalate_after:
                escalated.setdefault(task.lead_unit_id, []).append(entry)
            if task.assigner_id is not None:
                assigned_overdue.setdefault(task.assigner_id, []).append(entry)

    for entries in itertools.chain(own.values(), unit_wide.values(), overdue.values()):
        entries.sort(key=_order)
    per_person: list[list[PlannedReminder]] = []
    for person in view.people:
        mine = own.get(person.id, [])
        shared = unit_wide.get(person.unit_id, []) if person.unit_id and _in_unit(person) else []
        if mine or shared:
            per_person.append(
                _task_reminders(person.id, mine, shared, today=today, at=at, policy=policy)
            )
    planned = _round_robin(per_person)
    planned += _escalations(escalated, heads, view, today=today, at=at)
    planned += _office_digest(overdue, view, today=today, at=at)
    if is_weekly_day(today, calendar, policy):
        planned += _weekly(view, overdue, assigned_overdue, today=today, at=at)
    return planned


def plan_assignments(
    tasks: Iterable[OpenTask],
    people: Sequence[Recipient],
    *,
    now: datetime,
    policy: Policy,
) -> list[PlannedReminder]:
    """Notices for tasks just created, imported or reassigned: to the named officer, else
    to the lead unit's officers and head; more than `max_per_round` are folded into one."""
    today = policy.local(now).date()
    at = send_time(now, policy)
    by_id = {p.id: p for p in people}
    members = _unit_members(people, (Role.OFFICER, Role.HEAD))
    given: dict[int, list[_Entry]] = {}
    for task in sorted(tasks, key=lambda t: t.id):
        if task.completed_on is not None:
            continue
        entry: _Entry = (task.deadline or date.max, task.code, task, Kind.ASSIGNED, 0)
        if task.officer_id is not None and task.officer_id in by_id:
            given.setdefault(task.officer_id, []).append(entry)
        else:
            for person_id in members.get(task.lead_unit_id, ()):
                given.setdefault(person_id, []).append(entry)
    planned: list[list[PlannedReminder]] = []
    for person_id, entries in given.items():
        first = entries[: policy.max_per_round]
        rows = [_task_reminder(person_id, e, today=today, at=at) for e in first]
        rest = entries[policy.max_per_round :]
        if rest:
            subject = f"assigned:{rest[0][2].id}"  # one fold per batch of assignments
            rows.append(_fold(person_id, subject, "assigned", rest, len(rest), today, at))
        planned.append(rows)
    return _round_robin(planned)


# --- counting days ---------------------------------------------------------------------------


class _Days:
    """Days left and overdue from today, in working days when the policy says so; each
    deadline is counted once."""

    __slots__ = ("_calendar", "_left", "_over", "_working", "today")

    def __init__(self, today: date, calendar: Calendar, policy: Policy) -> None:
        self.today = today
        self._calendar = calendar
        self._working = policy.working_days
        self._left: dict[date, int] = {}
        self._over: dict[date, int] = {}

    def left(self, deadline: date) -> int:
        found = self._left.get(deadline)
        if found is None:
            found = (
                self._calendar.working_days_between(self.today, deadline)
                if self._working
                else (deadline - self.today).days
            )
            self._left[deadline] = found
        return found

    def over(self, deadline: date) -> int:
        found = self._over.get(deadline)
        if found is None:
            found = (
                self._calendar.working_days_between(deadline, self.today)
                if self._working
                else (self.today - deadline).days
            )
            self._over[deadline] = found
        return found


def _entry(task: OpenTask, days: _Days, policy: Policy) -> _Entry | None:
    """The task's place in today's round, or None when it plays no part in it."""
    if not task.remindable:
        return None
    deadline = task.deadline
    assert deadline is not None
    today = days.today
    if deadline >= today:
        left = days.left(deadline)
        if left == 0:
            return (deadline, task.code, task, Kind.DUE, 0)
        if left in policy.days_before:
            return (deadline, task.code, task, Kind.BEFORE, left)
        return None
    over = days.over(deadline)
    kind = Kind.OVERDUE if (over - 1) % policy.overdue_every == 0 else None
    return (deadline, task.code, task, kind, (today - deadline).days)


def _order(entry: _Entry) -> tuple[date, str]:
    return entry[0], entry[1]


# --- people ----------------------------------------------------------------------------------


def _unit_members(people: Iterable[Recipient], roles: tuple[Role, ...]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for person in people:
        if person.role in roles and person.unit_id is not None:
            found.setdefault(person.unit_id, []).append(person.id)
    return found


def _in_unit(person: Recipient) -> bool:
    """Whether the person gets their unit's tasks that name no officer."""
    return person.unit_id is not None and person.role in (Role.OFFICER, Role.HEAD)


def _round_robin(per_person: list[list[PlannedReminder]]) -> list[PlannedReminder]:
    """Everyone's first notice, then everyone's second...: one person's burst never holds
    the others back behind Telegram's per-chat limit."""
    out: list[PlannedReminder] = []
    for layer in itertools.zip_longest(*per_person):
        out.extend(row for row in layer if row is not None)
    return out


# --- the rows --------------------------------------------------------------------------------


def _task_reminders(
    person_id: int,
    mine: list[_Entry],
    shared: list[_Entry],
    *,
    today: date,
    at: datetime,
    policy: Policy,
) -> list[PlannedReminder]:
    """A person's task reminders, most urgent first; past `max_per_round`, one fold."""
    merged = heapq.merge(mine, shared, key=_order)
    first = list(itertools.islice(merged, policy.max_per_round))
    rows = [_task_reminder(person_id, entry, today=today, at=at) for entry in first]
    rest_count = len(mine) + len(shared) - len(first)
    if rest_count > 0:
        listed = list(itertools.islice(merged, LIST_LIMIT))
        rows.append(_fold(person_id, "round", "round", listed, rest_count, today, at))
    return rows


def _task_reminder(person_id: int, entry: _Entry, *, today: date, at: datetime) -> PlannedReminder:
    deadline, _, task, kind, n = entry
    assert kind is not None
    detail: dict[str, Any] = {}
    if kind is Kind.OVERDUE:
        detail["days_overdue"] = n
    elif kind is Kind.DUE:
        detail["days_left"] = 0
        detail["calendar_days_left"] = (deadline - today).days
    elif kind is Kind.BEFORE:
        detail["days_left"] = n
    return PlannedReminder(
        kind=kind,
        person_id=person_id,
        subject=f"task:{task.id}",
        day=today,
        not_before=at,
        task_id=task.id,
        deadline=task.deadline,
        detail=detail,
    )


def _item(entry: _Entry) -> list[Any]:
    """A task as a digest lists it: [id, code, title, deadline, kind, days]."""
    deadline, code, task, kind, n = entry
    return [
        task.id,
        code,
        task.title[:TITLE_LIMIT],
        None if task.deadline is None else deadline.isoformat(),
        str(kind) if kind is not None else str(Kind.OVERDUE),
        n,
    ]


def _fold(
    person_id: int,
    subject: str,
    of: str,
    entries: Iterable[_Entry],
    count: int,
    today: date,
    at: datetime,
) -> PlannedReminder:
    items = [_item(e) for e in itertools.islice(entries, LIST_LIMIT)]
    return PlannedReminder(
        kind=Kind.FOLDED,
        person_id=person_id,
        subject=subject,
        day=today,
        not_before=at,
        detail={"of": of, "count": count, "tasks": items},
    )


def _unit(view: RegisterView, unit_id: int) -> list[str]:
    code, name = view.units.get(unit_id, (str(unit_id), ""))
    return [code, name]


def _escalations(
    escalated: Mapping[int, list[_Entry]],
    heads: Mapping[int, list[int]],
    view: RegisterView,
    *,
    today: date,
    at: datetime,
) -> list[PlannedReminder]:
    rows = []
    for unit_id in sorted(escalated):
        entries = sorted(escalated[unit_id], key=_order)
        detail = {
            "unit": _unit(view, unit_id),
            "count": len(entries),
            "tasks": [_item(e) for e in entries[:LIST_LIMIT]],
        }
        for head_id in heads.get(unit_id, ()):
            rows.append(
                PlannedReminder(
                    Kind.ESCALATION, head_id, f"unit:{unit_id}", today, at, detail=detail
                )
            )
    return rows


def _office_digest(
    overdue: Mapping[int, list[_Entry]], view: RegisterView, *, today: date, at: datetime
) -> list[PlannedReminder]:
    if not overdue:
        return []
    by_count = sorted(
        (-len(entries), _unit(view, unit_id), max(e[4] for e in entries))
        for unit_id, entries in overdue.items()
    )
    units = [[*unit, -negative, longest] for negative, unit, longest in by_count]
    detail = {
        "count": sum(len(entries) for entries in overdue.values()),
        "unit_count": len(units),
        "units": units[:UNITS_LIMIT],
    }
    return [
        PlannedReminder(Kind.OFFICE, p.id, "office", today, at, detail=detail)
        for p in view.people
        if p.role is Role.ADMIN
    ]


def _weekly(
    view: RegisterView,
    overdue: Mapping[int, list[_Entry]],
    assigned_overdue: Mapping[int, list[_Entry]],
    *,
    today: date,
    at: datetime,
) -> list[PlannedReminder]:
    rows = []
    for person in view.people:
        if person.id in view.weekly_paused:
            continue
        if person.role is Role.HEAD and person.unit_id is not None:
            counts = view.unit_counts.get(person.unit_id, UnitCounts())
            entries = overdue.get(person.unit_id, [])
            detail: dict[str, Any] = {
                "unit": _unit(view, person.unit_id),
                "count": len(entries),
                "open": counts.open,
                "due_this_week": counts.due_this_week,
                "overdue": counts.overdue,
                "tasks": [_item(e) for e in entries[:LIST_LIMIT]],
            }
            rows.append(
                PlannedReminder(Kind.WEEKLY_HEAD, person.id, "week", today, at, detail=detail)
            )
        elif person.role is Role.LEADER:
            entries = sorted(assigned_overdue.get(person.id, []), key=_order)
            detail = {
                "totals": dict(view.totals or {}),
                "count": len(entries),
                "tasks": [_item(e) for e in entries[:LIST_LIMIT]],
            }
            rows.append(
                PlannedReminder(Kind.WEEKLY_LEADER, person.id, "week", today, at, detail=detail)
            )
    return rows
