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
    NOTICE = "notice"  # a workflow decision (accepted, returned, granted, refused)
    REVIEW = "review"  # a report or request put before a reviewer: its card, read when sent


# Reminders about one task: they carry its buttons and a reply to them finds the task.
TASK_KINDS = frozenset({Kind.ASSIGNED, Kind.BEFORE, Kind.DUE, Kind.OVERDUE})
# Messages a reply finds the task of: the reminders above and the notices of decisions.
REPLY_KINDS = TASK_KINDS | {Kind.NOTICE}
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
    """What the planner needs of a task (its code and title are read when a message is
    written: a round over a large register reads only an index)."""

    id: int
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
class TaskLine:
    """A task as a message names it."""

    code: str
    title: str
    deadline: date | None


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


# An entry sorts by deadline then id: the most overdue first, then the soonest due. Plain
# tuples, compared without a key function (ids are unique, so the task is never compared).
# (deadline, task id, task, kind or None when not reminded today, days left or overdue)
_Entry = tuple[date, int, OpenTask, Kind | None, int]


def plan(
    view: RegisterView, *, now: datetime, calendar: Calendar, policy: Policy
) -> list[PlannedReminder]:
    """The round due at `now`: every person's reminders, escalations, digests, summaries."""
    today = policy.local(now).date()
    if not is_sending_day(today, calendar, policy):
        return []
    places = _Places(today, calendar, policy)
    rows = _Rows(today, send_time(now, policy))
    people = {p.id: p for p in view.people}
    heads = _unit_members(view.people, (Role.HEAD,))

    own: dict[int, list[_Entry]] = {}  # named officer → reminders due today
    unit_wide: dict[int, list[_Entry]] = {}  # unit → reminders for all its officers and head
    escalated: dict[int, list[_Entry]] = {}
    overdue: dict[int, list[_Entry]] = {}  # unit → every overdue task
    assigned_overdue: dict[int, list[_Entry]] = {}  # leader → overdue tasks they assigned
    for task in view.tasks:  # a million-task register has 100.000 here: kept lean
        deadline = task.deadline
        if deadline is None or task.completed_on is not None or task.report_state == "pending":
            continue
        place = places.get(deadline) or places.find(deadline)
        kind, n, late, escalate = place
        if kind is None and not late:
            continue
        entry = (deadline, task.id, task, kind, n)
        if kind is not None:
            officer = task.officer_id
            if officer is not None and officer in people:
                own.setdefault(officer, []).append(entry)
            else:
                unit_wide.setdefault(task.lead_unit_id, []).append(entry)
        if late:
            overdue.setdefault(task.lead_unit_id, []).append(entry)
            if escalate:
                escalated.setdefault(task.lead_unit_id, []).append(entry)
            if task.assigner_id is not None:
                assigned_overdue.setdefault(task.assigner_id, []).append(entry)

    for group in (own, unit_wide, overdue, escalated, assigned_overdue):
        for entries in group.values():
            entries.sort()
    per_person: list[list[PlannedReminder]] = []
    for person in view.people:
        mine = own.get(person.id, [])
        shared = unit_wide.get(person.unit_id, []) if person.unit_id and _in_unit(person) else []
        if mine or shared:
            per_person.append(rows.task_reminders(person.id, mine, shared, policy.max_per_round))
    planned = _round_robin(per_person)
    planned += _escalations(escalated, heads, view, rows)
    planned += _office_digest(overdue, view, rows)
    if is_weekly_day(today, calendar, policy):
        planned += _weekly(view, overdue, assigned_overdue, rows)
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
    rows = _Rows(policy.local(now).date(), send_time(now, policy))
    by_id = {p.id: p for p in people}
    members = _unit_members(people, (Role.OFFICER, Role.HEAD))
    given: dict[int, list[_Entry]] = {}
    for task in sorted(tasks, key=lambda t: t.id):
        if task.completed_on is not None:
            continue
        entry: _Entry = (task.deadline or date.max, task.id, task, Kind.ASSIGNED, 0)
        if task.officer_id is not None and task.officer_id in by_id:
            given.setdefault(task.officer_id, []).append(entry)
        else:
            for person_id in members.get(task.lead_unit_id, ()):
                given.setdefault(person_id, []).append(entry)
    planned: list[list[PlannedReminder]] = []
    for person_id, entries in given.items():
        first = entries[: policy.max_per_round]
        out = [rows.task_reminder(person_id, e) for e in first]
        rest = entries[policy.max_per_round :]
        if rest:
            subject = f"assigned:{rest[0][1]}"  # one fold per batch of assignments
            out.append(rows.fold(person_id, subject, "assigned", rest, len(rest)))
        planned.append(out)
    return _round_robin(planned)


# --- counting days ---------------------------------------------------------------------------


# What a deadline means today: (kind or None, days left or overdue, overdue, escalated).
_Place = tuple[Kind | None, int, bool, bool]


class _Places(dict[date, _Place]):
    """Each deadline's place in today's round, worked out once per deadline (a round sees
    a few hundred deadlines and a hundred thousand tasks)."""

    def __init__(self, today: date, calendar: Calendar, policy: Policy) -> None:
        super().__init__()
        self.today = today
        self.calendar = calendar
        self.policy = policy

    def _count(self, a: date, b: date) -> int:
        """Days from a to b, a excluded: working days when the policy says so."""
        if self.policy.working_days:
            return self.calendar.working_days_between(a, b)
        return (b - a).days

    def find(self, deadline: date) -> _Place:
        policy, today = self.policy, self.today
        place: _Place
        if deadline >= today:
            left = self._count(today, deadline)
            if left == 0:
                place = (Kind.DUE, 0, False, False)
            elif left in policy.days_before:
                place = (Kind.BEFORE, left, False, False)
            else:
                place = (None, left, False, False)
        else:
            over = self._count(deadline, today)
            kind = Kind.OVERDUE if (over - 1) % policy.overdue_every == 0 else None
            place = (kind, (today - deadline).days, True, over >= policy.escalate_after)
        self[deadline] = place
        return place


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


class _Rows:
    """Makes one round's rows. What is the same for every recipient of a task (its detail,
    its line in a digest) is made once: a unit's tasks reach each of its officers."""

    def __init__(self, day: date, at: datetime) -> None:
        self.day = day
        self.at = at
        self._details: dict[int, dict[str, Any]] = {}
        self._items: dict[int, list[Any]] = {}
        self._folds: dict[int, list[list[Any]]] = {}  # a unit's list → its fold's items

    def task_reminders(
        self, person_id: int, mine: list[_Entry], shared: list[_Entry], most: int
    ) -> list[PlannedReminder]:
        """A person's task reminders, most urgent first; past `most`, one fold."""
        wanted = most + LIST_LIMIT  # both lists are sorted: their heads are enough
        merged = sorted(mine[:wanted] + shared[:wanted]) if mine and shared else mine or shared
        rows = [self.task_reminder(person_id, entry) for entry in merged[:most]]
        rest = len(mine) + len(shared) - most
        if rest > 0:
            if mine:
                items = self.items(merged[most:wanted])
            else:  # the same for every officer of the unit who has no task of their own
                items = self._folds.get(id(shared)) or self._folds.setdefault(
                    id(shared), self.items(shared[most:wanted])
                )
            detail = {"of": "round", "count": rest, "tasks": items}
            rows.append(self.digest(Kind.FOLDED, person_id, "round", detail))
        return rows

    def task_reminder(self, person_id: int, entry: _Entry) -> PlannedReminder:
        _, task_id, task, kind, _ = entry
        assert kind is not None
        detail = self._details.get(task_id) or self._detail(entry)
        subject = f"task:{task_id}"
        return PlannedReminder(
            kind, person_id, subject, self.day, self.at, task_id, task.deadline, detail
        )

    def _detail(self, entry: _Entry) -> dict[str, Any]:
        found = self._details.get(entry[1])
        if found is None:
            deadline, task_id, _, kind, n = entry
            found = {}
            if kind is Kind.OVERDUE:
                found["days_overdue"] = n
            elif kind is Kind.DUE:
                found["days_left"] = 0
                found["calendar_days_left"] = (deadline - self.day).days
            elif kind is Kind.BEFORE:
                found["days_left"] = n
            self._details[task_id] = found
        return found

    def items(self, entries: Iterable[_Entry]) -> list[list[Any]]:
        """Tasks as a digest lists them: [task id, deadline, kind, days left or overdue]."""
        found = []
        for entry in itertools.islice(entries, LIST_LIMIT):
            item = self._items.get(entry[1])
            if item is None:
                deadline, task_id, task, kind, n = entry
                shown = None if task.deadline is None else deadline.isoformat()
                item = [task_id, shown, str(kind or Kind.OVERDUE), n]
                self._items[task_id] = item
            found.append(item)
        return found

    def fold(
        self, person_id: int, subject: str, of: str, entries: Iterable[_Entry], count: int
    ) -> PlannedReminder:
        detail = {"of": of, "count": count, "tasks": self.items(entries)}
        return self.digest(Kind.FOLDED, person_id, subject, detail)

    def digest(
        self, kind: Kind, person_id: int, subject: str, detail: Mapping[str, Any]
    ) -> PlannedReminder:
        return PlannedReminder(kind, person_id, subject, self.day, self.at, detail=detail)


def _unit(view: RegisterView, unit_id: int) -> list[str]:
    code, name = view.units.get(unit_id, (str(unit_id), ""))
    return [code, name]


def _escalations(
    escalated: Mapping[int, list[_Entry]],
    heads: Mapping[int, list[int]],
    view: RegisterView,
    rows: _Rows,
) -> list[PlannedReminder]:
    out = []
    for unit_id in sorted(escalated):
        entries = escalated[unit_id]
        detail = {"unit": _unit(view, unit_id), "count": len(entries), "tasks": rows.items(entries)}
        for head_id in heads.get(unit_id, ()):
            out.append(rows.digest(Kind.ESCALATION, head_id, f"unit:{unit_id}", detail))
    return out


def _office_digest(
    overdue: Mapping[int, list[_Entry]], view: RegisterView, rows: _Rows
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
    return [rows.digest(Kind.OFFICE, p.id, "office", detail) for p in view.people
            if p.role is Role.ADMIN]  # fmt: skip


def _weekly(
    view: RegisterView,
    overdue: Mapping[int, list[_Entry]],
    assigned_overdue: Mapping[int, list[_Entry]],
    rows: _Rows,
) -> list[PlannedReminder]:
    out = []
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
                "tasks": rows.items(entries),
            }
            out.append(rows.digest(Kind.WEEKLY_HEAD, person.id, "week", detail))
        elif person.role is Role.LEADER:
            entries = assigned_overdue.get(person.id, [])
            detail = {
                "totals": dict(view.totals or {}),
                "count": len(entries),
                "tasks": rows.items(entries),
            }
            out.append(rows.digest(Kind.WEEKLY_LEADER, person.id, "week", detail))
    return out
