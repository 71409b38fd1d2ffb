"""Which reminders are due: a pure function of the register, the calendar, the policy and a
time. `plan_reminders` never reads a clock or a database; the round (bot/services/rounds.py)
feeds it from storage/outbox.py and stores what it returns in the outbox, whose unique key
makes planning twice plan nothing new.

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
from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from bot.models import OpenTask, PlannedReminder, Recipient, ReminderKind, Role, UnitCounts
from bot.reminders.policy import (
    Calendar,
    Policy,
    horizon,
    is_sending_day,
    is_weekly_day,
    send_time,
)

LIST_LIMIT = 10  # tasks listed in one digest message; the rest are counted
UNITS_LIMIT = 30  # units listed in the Office's digest


# A round over a register of a million tasks reads ~110.000 tasks and plans ~120.000
# reminders: the rows below are named tuples (made and read at C speed, and left alone by
# the garbage collector), and what is the same for many rows is made once.


@dataclass(frozen=True)
class RegisterView:
    """The part of the register one round looks at.

    `tasks` may hold any tasks, in any order (the planner leaves out what gets nothing);
    storage loads only the candidates, by deadline: open, not waiting for review,
    deadline up to the day or one of `deadlines_ahead`. `unit_counts` and `totals` are read
    on the weekly day only.
    """

    tasks: Sequence[OpenTask]
    people: Sequence[Recipient]
    units: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # id → (code, name)
    weekly_paused: frozenset[int] = frozenset()
    unit_counts: Mapping[int, UnitCounts] = field(default_factory=dict)
    totals: Mapping[str, int] | None = None


class _Place(NamedTuple):
    """What a deadline means in today's round (or a task given in an assignment): the
    same for every task with that deadline, so worked out once per deadline."""

    kind: ReminderKind | None  # the reminder due today; None: none today
    days: int  # working days left (calendar days when working days are off), or overdue
    late: bool  # overdue
    escalate: bool  # overdue `escalate_after` working days or more
    deadline: date | None  # as the reminder carries it
    detail: Mapping[str, Any]  # what a reminder of a task with this deadline says
    shown: str | None  # the deadline as a digest lists it
    listed_as: str  # the kind as a digest lists it


# A task in a list: by deadline then id, the most overdue first, then the soonest due. Plain
# tuples, compared without a key function (ids are unique, so the place is never compared).
_Entry = tuple[date, int, _Place]  # (deadline to sort by, task id, its place)

_UNIT_ROLES = (Role.OFFICER, Role.HEAD)  # who gets their unit's tasks that name nobody


def plan_reminders(
    view: RegisterView, *, now: datetime, calendar: Calendar, policy: Policy, fold: bool = True
) -> list[PlannedReminder]:
    """The round due at `now`: every person's reminders, escalations, digests, summaries.

    A person reminded of one task gets that task's reminder; of more, one morning message
    (`ReminderKind.FOLDED`, "round") naming the `max_per_round` most urgent and counting them all.
    `fold=False` gives each of those most urgent as a reminder of its own (for /reminders)."""
    today = policy.local(now).date()
    if not is_sending_day(today, calendar, policy):
        return []
    places = _Places(today, calendar, policy)
    rows = _Rows(today, send_time(now, policy))
    reachable = {person.id for person in view.people}
    heads = _unit_members(view.people, (Role.HEAD,))
    weekly = is_weekly_day(today, calendar, policy)

    own: defaultdict[int, list[_Entry]] = defaultdict(list)  # named officer → due today
    unit_wide: defaultdict[int, list[_Entry]] = defaultdict(list)  # unit → for all of it
    escalated: defaultdict[int, list[_Entry]] = defaultdict(list)
    overdue: defaultdict[int, list[_Entry]] = defaultdict(list)  # unit → every overdue task
    assigned_overdue: defaultdict[int, list[_Entry]] = defaultdict(list)  # by their leader
    for task_id, unit_id, deadline, officer, assigner, report_state, completed in view.tasks:
        if deadline is None or completed is not None or report_state == "pending":
            continue
        place = places[deadline]
        kind, _, late, escalate = place[:4]
        if kind is None and not late:
            continue
        entry = (deadline, task_id, place)
        if kind is not None:
            if officer is not None and officer in reachable:
                own[officer].append(entry)
            else:
                unit_wide[unit_id].append(entry)
        if late:
            overdue[unit_id].append(entry)
            if escalate:
                escalated[unit_id].append(entry)
            if assigner is not None and weekly:
                assigned_overdue[assigner].append(entry)

    for group in (own, unit_wide, overdue, escalated, assigned_overdue):
        for entries in group.values():
            entries.sort()  # nearly in order already: the tasks come by deadline
    # One morning message a person: their task, or all their tasks in one list.
    planned: list[PlannedReminder] = []
    for person_id, role, home in view.people:
        mine = own.get(person_id, ())
        shared = unit_wide.get(home, ()) if home and role in _UNIT_ROLES else ()
        if mine or shared:
            rows.task_reminders(planned, person_id, mine, shared, policy.max_per_round, fold)
    planned += _escalations(escalated, heads, view, rows)
    planned += _office_digest(overdue, view, rows)
    if weekly:
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
    planned: list[list[PlannedReminder]] = []
    given = _assignees(sorted(tasks, key=lambda t: t.id), people)
    for person_id, entries in given.items():  # in the order of the tasks, not by deadline
        out = [rows.task_reminder(person_id, e) for e in entries[: policy.max_per_round]]
        rest = entries[policy.max_per_round :]
        if rest:
            subject = f"assigned:{rest[0][1]}"  # one fold per batch of assignments
            out.append(rows.fold(person_id, subject, "assigned", rest, len(rest)))
        planned.append(out)
    return [row for layer in itertools.zip_longest(*planned) for row in layer if row is not None]


def fold_assignments(
    tasks: Iterable[OpenTask],
    people: Sequence[Recipient],
    *,
    day: date,
    at: datetime,
    subject: str,
    of: str,
) -> list[PlannedReminder]:
    """One notice per person for a batch of tasks given (an import's): told as
    `plan_assignments` tells, a person given one task gets its notice, a person given more
    one digest (`of`) that counts them all and lists the soonest due."""
    rows = _Rows(day, at)
    notices: list[PlannedReminder] = []
    for person_id, entries in _assignees(tasks, people).items():
        if len(entries) == 1:
            notices.append(rows.task_reminder(person_id, entries[0]))
            continue
        entries.sort()  # the soonest deadline first (ids are unique: places are not compared)
        notices.append(rows.fold(person_id, subject, of, entries, len(entries)))
    return notices


def _assignees(tasks: Iterable[OpenTask], people: Sequence[Recipient]) -> dict[int, list[_Entry]]:
    """Who is told of each open task given, in the order of `tasks`: the named officer when
    linked, else the lead unit's officers and head."""
    reachable = {p.id for p in people}
    members = _unit_members(people, _UNIT_ROLES)
    places: dict[date | None, _Place] = {}
    given: dict[int, list[_Entry]] = {}
    for task in tasks:
        if task.completed_on is not None:
            continue
        place = places.get(task.deadline) or places.setdefault(
            task.deadline, _assigned(task.deadline)
        )
        entry: _Entry = (task.deadline or date.max, task.id, place)
        if task.officer_id is not None and task.officer_id in reachable:
            given.setdefault(task.officer_id, []).append(entry)
        else:
            for person_id in members.get(task.lead_unit_id, ()):
                given.setdefault(person_id, []).append(entry)
    return given


def deadlines_ahead(day: date, calendar: Calendar, policy: Policy) -> list[date]:
    """The deadlines after `day` whose tasks are reminded on `day` (due, or `days_before`
    ahead). With every deadline up to `day` (overdue or due), all that a round reads."""
    places = _Places(day, calendar, policy)
    last, found, deadline = horizon(day, calendar, policy), [], day
    while deadline < last:
        deadline += timedelta(days=1)
        if places[deadline].kind is not None:
            found.append(deadline)
    return found


def _assigned(deadline: date | None) -> _Place:
    shown = None if deadline is None else deadline.isoformat()
    return _Place(
        ReminderKind.ASSIGNED, 0, False, False, deadline, {}, shown, ReminderKind.ASSIGNED.value
    )


# --- counting days ---------------------------------------------------------------------------


class _Places(dict[date, _Place]):
    """Each deadline's place in today's round, worked out the first time it is asked for
    (a round sees a few hundred deadlines and a hundred thousand tasks)."""

    def __init__(self, today: date, calendar: Calendar, policy: Policy) -> None:
        super().__init__()
        self.today = today
        self.calendar = calendar
        self.policy = policy

    def __missing__(self, deadline: date) -> _Place:
        place = self[deadline] = self._find(deadline)
        return place

    def _count(self, a: date, b: date) -> int:
        """Days from a to b, a excluded: working days when the policy says so."""
        if self.policy.working_days:
            return self.calendar.working_days_between(a, b)
        return (b - a).days

    def _find(self, deadline: date) -> _Place:
        policy, today = self.policy, self.today
        shown = deadline.isoformat()
        if deadline >= today:
            left = self._count(today, deadline)
            if left == 0:
                detail = {"days_left": 0, "calendar_days_left": (deadline - today).days}
                return _Place(
                    ReminderKind.DUE,
                    0,
                    False,
                    False,
                    deadline,
                    detail,
                    shown,
                    ReminderKind.DUE.value,
                )
            if left in policy.days_before:
                detail = {"days_left": left}
                return _Place(
                    ReminderKind.BEFORE, left, False, False, deadline, detail, shown, "before"
                )
            return _Place(None, left, False, False, deadline, {}, shown, "")  # not today
        over = self._count(deadline, today)
        kind = ReminderKind.OVERDUE if (over - 1) % policy.overdue_every == 0 else None
        days = (today - deadline).days
        return _Place(
            kind, days, True, over >= policy.escalate_after, deadline,
            {"days_overdue": days} if kind else {}, shown, ReminderKind.OVERDUE.value,
        )  # fmt: skip


# --- people ----------------------------------------------------------------------------------


def _unit_members(people: Iterable[Recipient], roles: tuple[Role, ...]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for person in people:
        if person.role in roles and person.unit_id is not None:
            found.setdefault(person.unit_id, []).append(person.id)
    return found


# --- the rows --------------------------------------------------------------------------------


class _Rows:
    """Makes one round's rows. What is the same for every recipient of a task (its line in
    a digest) is made once: a unit's tasks reach each of its officers."""

    def __init__(self, day: date, at: datetime) -> None:
        self.day = day
        self.at = at
        self._items: dict[int, list[Any]] = {}
        self._folds: dict[int, list[list[Any]]] = {}  # a unit's list → its fold's items

    def task_reminders(
        self,
        out: list[PlannedReminder],
        person_id: int,
        mine: Sequence[_Entry],
        shared: Sequence[_Entry],
        most: int,
        fold: bool = True,
    ) -> None:
        """A person's reminders of the day into `out`: one task's reminder, or one message
        naming the `most` most urgent of their tasks and counting them all."""
        merged = mine or shared
        if mine and shared:  # a person's few tasks among their unit's (faster than sorted)
            merged = list(shared[:most])
            for entry in mine[:most]:
                insort(merged, entry)
        count = len(mine) + len(shared)
        day, at, new = self.day, self.at, tuple.__new__
        if count == 1 or not fold:
            for _, task_id, place in merged[:most]:
                out.append(  # PlannedReminder(...), made at C speed: a round makes 20.000
                    new(PlannedReminder, (place.kind, person_id, f"task:{task_id}", day, at,
                                          task_id, place.deadline, place.detail))
                )  # fmt: skip
            return
        if mine:
            known = self._items.get  # as self.items, inline: 20.000 lists a round
            items = [known(task_id) or self._item(task_id, place)
                     for _, task_id, place in merged[:most]]  # fmt: skip
        else:  # the same for every officer of the unit who has no task of their own
            items = self._folds.get(id(shared)) or self._folds.setdefault(
                id(shared), self.items(shared, most)
            )
        detail = {"of": "round", "count": count, "tasks": items}
        out.append(
            new(
                PlannedReminder,
                (ReminderKind.FOLDED, person_id, "round", day, at, None, None, detail),
            )
        )

    def task_reminder(self, person_id: int, entry: _Entry) -> PlannedReminder:
        _, task_id, place = entry
        assert place.kind is not None
        return PlannedReminder(
            place.kind, person_id, f"task:{task_id}", self.day, self.at, task_id,
            place.deadline, place.detail,
        )  # fmt: skip

    def items(self, entries: Sequence[_Entry], limit: int = LIST_LIMIT) -> list[list[Any]]:
        """The first tasks of a list as a digest lists them: [task id, deadline, kind, days
        left or overdue] (one list per task, shared by every digest that lists it)."""
        known = self._items.get
        return [
            known(task_id) or self._item(task_id, place) for _, task_id, place in entries[:limit]
        ]

    def _item(self, task_id: int, place: _Place) -> list[Any]:
        item = self._items[task_id] = [task_id, place.shown, place.listed_as, place.days]
        return item

    def fold(
        self, person_id: int, subject: str, of: str, entries: Sequence[_Entry], count: int
    ) -> PlannedReminder:
        detail = {"of": of, "count": count, "tasks": self.items(entries)}
        return self.digest(ReminderKind.FOLDED, person_id, subject, detail)

    def digest(
        self, kind: ReminderKind, person_id: int, subject: str, detail: Mapping[str, Any]
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
            out.append(rows.digest(ReminderKind.ESCALATION, head_id, f"unit:{unit_id}", detail))
    return out


def _office_digest(
    overdue: Mapping[int, list[_Entry]], view: RegisterView, rows: _Rows
) -> list[PlannedReminder]:
    if not overdue:
        return []
    by_count = sorted(  # a unit's list is by deadline: its first task is the longest overdue
        (-len(entries), _unit(view, unit_id), entries[0][2].days)
        for unit_id, entries in overdue.items()
    )
    units = [[*unit, -negative, longest] for negative, unit, longest in by_count]
    detail = {
        "count": sum(len(entries) for entries in overdue.values()),
        "unit_count": len(units),
        "units": units[:UNITS_LIMIT],
    }
    return [rows.digest(ReminderKind.OFFICE, p.id, "office", detail) for p in view.people
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
            out.append(rows.digest(ReminderKind.WEEKLY_HEAD, person.id, "week", detail))
        elif person.role is Role.LEADER:
            entries = assigned_overdue.get(person.id, [])
            detail = {
                "totals": dict(view.totals or {}),
                "count": len(entries),
                "tasks": rows.items(entries),
            }
            out.append(rows.digest(ReminderKind.WEEKLY_LEADER, person.id, "week", detail))
    return out
