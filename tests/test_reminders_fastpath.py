"""The round's fast path (issue 7) plans exactly what the former planner planned.

`plan_reminders` and `plan_assignments` were rewritten for a round of 120.000 reminders
(named tuples, one place per deadline, layers instead of a round robin of lists, candidates
read in order); the former implementation (bot/reminders/planner.py at 730f73d) is kept
below, verbatim but for the name of its row type and the morning message of issue 15 (a
person reminded of several tasks gets one message naming the most urgent:
`_Rows.task_reminders`), as the oracle: on random registers, calendars, days and policies
both give the same reminders, in the same order, with equal details. The outbox rows a round
writes carry those same details (and the JSON `json.dumps` would write)."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import OpenTask, Recipient, ReminderKind, Role, UnitCounts
from bot.reminders.planner import (
    LIST_LIMIT,
    UNITS_LIMIT,
    RegisterView,
    deadlines_ahead,
    plan_assignments,
    plan_reminders,
)
from bot.reminders.policy import (
    Calendar,
    Policy,
    horizon,
    is_sending_day,
    is_weekly_day,
    send_time,
)
from bot.services.rounds import load_view, plan_round
from bot.workdays import WorkCalendar
from storage import Database
from storage.encoding import utc_stamp
from storage.outbox import _json as outbox_json
from storage.register import add_task, add_unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_values(reminders: Iterable[Any]) -> list[tuple[Any, ...]]:
    """What a reminder says, whatever its type: its fields, the detail as a plain dict."""
    return [
        (r.kind, r.person_id, r.subject, r.day, r.not_before, r.task_id, r.deadline,
         dict(r.detail))
        for r in reminders
    ]  # fmt: skip


# --- random registers --------------------------------------------------------------------------

ROLES = [Role.OFFICER, Role.OFFICER, Role.OFFICER, Role.HEAD, Role.ADMIN, Role.LEADER]


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    return Policy(
        tz=TZ,
        days_before=tuple(draw(st.lists(st.integers(1, 10), max_size=4, unique=True))),
        working_days=draw(st.booleans()),
        overdue_every=draw(st.integers(1, 3)),
        escalate_after=draw(st.integers(0, 4)),
        weekly_on=draw(st.integers(0, 4)),
        daily_at=time(draw(st.sampled_from([6, 8, 10])), 0),
        max_per_round=draw(st.integers(1, 7)),
    )


@st.composite
def registers(draw: st.DrawFn) -> tuple[RegisterView, date]:
    day = draw(st.dates(date(2026, 1, 1), date(2026, 12, 31)))
    units = draw(st.integers(1, 4))
    unit_ids = st.sampled_from([None, *range(1, units + 1)])
    people = [
        Recipient(100 + i, draw(st.sampled_from(ROLES)), draw(unit_ids))
        for i in range(draw(st.integers(0, 12)))
    ]
    ids = [p.id for p in people]
    someone = st.sampled_from([None, 999, *ids]) if ids else st.sampled_from([None, 999])
    task_ids = draw(st.lists(st.integers(1, 10_000), max_size=60, unique=True))
    tasks = [
        OpenTask(
            task_id,
            draw(st.integers(1, units)),
            draw(st.one_of(st.none(), st.integers(-45, 16).map(lambda n: day + timedelta(n)))),
            draw(someone),
            draw(someone),
            draw(st.sampled_from([None, None, None, "pending", "returned"])),
            draw(st.sampled_from([None] * 6 + [day - timedelta(days=1)])),
        )
        for task_id in task_ids
    ]
    if draw(st.booleans()):  # as storage reads them: by deadline, then id
        tasks.sort(key=lambda t: (t.deadline or date.min, t.id))
    names = {u: (f"U{u:02d}", f"Đơn vị {u}") for u in range(1, units + 1) if draw(st.booleans())}
    view = RegisterView(
        tasks=tasks,
        people=people,
        units=names,
        weekly_paused=frozenset(draw(st.lists(st.sampled_from(ids), max_size=3)) if ids else []),
        unit_counts={u: UnitCounts(u, u + 1, u + 2) for u in range(1, units + 1)},
        totals={"assigned": 12, "completed": 5},
    )
    return view, day


# --- the fast path against the former one -----------------------------------------------------


@FAST
@given(register=registers(), policy=policies(), hour=st.sampled_from([6, 8, 22]))
def test_a_round_plans_what_the_former_planner_planned(
    register: tuple[RegisterView, date], policy: Policy, hour: int
) -> None:
    view, day = register
    now = datetime.combine(day, time(hour), tzinfo=TZ)
    expected = as_values(former_plan(view, now=now, calendar=CAL, policy=policy))
    assert as_values(plan_reminders(view, now=now, calendar=CAL, policy=policy)) == expected
    ahead = set(deadlines_ahead(day, CAL, policy))  # what a round reads is enough
    read = [
        t
        for t in view.tasks
        if t.deadline is not None and (t.deadline <= day or t.deadline in ahead)
    ]
    narrow = RegisterView(
        read, view.people, view.units, view.weekly_paused, view.unit_counts, view.totals
    )
    assert as_values(plan_reminders(narrow, now=now, calendar=CAL, policy=policy)) == expected
    shuffled = list(view.tasks)
    random.Random(len(shuffled)).shuffle(shuffled)  # any order of the tasks plans the same
    again = RegisterView(shuffled, view.people, view.units, view.weekly_paused,
                         view.unit_counts, view.totals)  # fmt: skip
    assert as_values(plan_reminders(again, now=now, calendar=CAL, policy=policy)) == expected


@FAST
@given(register=registers(), policy=policies(), hour=st.sampled_from([6, 15, 22]))
def test_assignment_notices_are_what_the_former_planner_gave(
    register: tuple[RegisterView, date], policy: Policy, hour: int
) -> None:
    view, day = register
    now = datetime.combine(day, time(hour), tzinfo=TZ)
    expected = former_plan_assignments(view.tasks, view.people, now=now, policy=policy)
    found = plan_assignments(view.tasks, view.people, now=now, policy=policy)
    assert as_values(found) == as_values(expected)


def random_register(seed: int, day: date, *, tasks: int = 300, people: int = 40) -> RegisterView:
    """A larger register, the same for a seed: units with officers, heads, admins, leaders;
    tasks overdue, due, ahead, named or not, waiting or returned, a few completed."""
    rng = random.Random(seed)
    units = 5
    folks = [Recipient(1, Role.ADMIN), Recipient(2, Role.LEADER), Recipient(3, Role.LEADER)]
    folks += [Recipient(10 + u, Role.HEAD, u) for u in range(1, units + 1)]
    folks += [Recipient(100 + i, Role.OFFICER, rng.randint(1, units)) for i in range(people)]
    officers = [p.id for p in folks if p.role is Role.OFFICER]
    register = [
        OpenTask(
            task_id,
            rng.randint(1, units),
            None if rng.random() < 0.03 else day + timedelta(days=rng.randint(-30, 12)),
            rng.choice([None, 999, *officers, *officers]),
            rng.choice([None, 2, 3]),
            rng.choice([None] * 8 + ["pending", "returned"]),
            day if rng.random() < 0.03 else None,
        )
        for task_id in rng.sample(range(1, 100_000), tasks)
    ]
    # Officers of a unit that leads nothing, with one task each: a day's single reminders
    # (due, before, overdue) among the morning messages of officers with several.
    loners = [Recipient(500 + i, Role.OFFICER, units + 1) for i in range(6)]
    folks += loners
    register += [
        OpenTask(100_000 + i, rng.randint(1, units), day + timedelta(days=(0, 1, -1)[i % 3]),
                 loner.id, rng.choice([None, 2, 3]))
        for i, loner in enumerate(loners)
    ]  # fmt: skip
    return RegisterView(
        tasks=register,
        people=folks,
        units={u: (f"U{u:02d}", f"Đơn vị {u}") for u in range(1, units + 2)},
        weekly_paused=frozenset({3}),
        unit_counts={u: UnitCounts(u * 3, u, u * 2) for u in range(1, units + 1)},
        totals={"assigned": 300, "completed": 120},
    )


MONDAY = date(2026, 3, 9)


@pytest.mark.parametrize("seed", range(6))
def test_larger_rounds_plan_what_the_former_planner_planned(seed: int) -> None:
    policy = Policy(tz=TZ, max_per_round=3, escalate_after=2)
    day = MONDAY + timedelta(days=seed % 3)
    view = random_register(seed, day)
    now = datetime.combine(day, time(8), tzinfo=TZ)
    planned = plan_reminders(view, now=now, calendar=CAL, policy=policy)
    assert as_values(planned) == as_values(former_plan(view, now=now, calendar=CAL, policy=policy))
    if day == MONDAY:  # every kind of a round is there to compare
        assert {r.kind for r in planned} == {
            ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.OVERDUE, ReminderKind.FOLDED,
            ReminderKind.ESCALATION, ReminderKind.OFFICE, ReminderKind.WEEKLY_HEAD,
            ReminderKind.WEEKLY_LEADER,
        }  # fmt: skip


# --- what the round writes -------------------------------------------------------------------


async def test_the_outbox_holds_what_the_former_planner_planned(tmp_path: Path) -> None:
    """A round on a real register: the outbox rows, in their order, are the former
    planner's reminders for the register the round read, their details written as
    `json.dumps` writes them."""
    day = MONDAY
    view = random_register(7, day, tasks=150, people=40)
    db = await Database.open(tmp_path / "dondoc.sqlite3")
    try:
        await _store(db, view, day)
        policy = Policy(tz=TZ, max_per_round=4)
        now = datetime.combine(day, time(8), tzinfo=TZ)
        read = await load_view(db, day=day, calendar=CAL, policy=policy)
        everything = [  # as the former round read them: every deadline up to the horizon
            OpenTask(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5])
            for r in await db.fetchall(
                "SELECT id, lead_unit_id, deadline, officer_id, assigner_id, report_state"
                " FROM tasks WHERE completed_on IS NULL AND deadline <= ?",
                (horizon(day, CAL, policy).isoformat(),),
            )
        ]
        assert len(read.tasks) < len(everything)
        former = RegisterView(everything, read.people, read.units, read.weekly_paused,
                              read.unit_counts, read.totals)  # fmt: skip
        expected = former_plan(former, now=now, calendar=CAL, policy=policy)
        assert len(expected) > 50 and len({e.kind for e in expected}) == 8  # all a round has
        result = await plan_round(db, now=now, calendar=CAL, policy=policy)
        assert result is not None and result.added == len(expected)
        rows = await db.fetchall(
            "SELECT kind, person_id, subject, day, not_before, task_id, deadline, detail"
            " FROM outbox ORDER BY id"
        )
    finally:
        await db.close()
    assert [tuple(r[:7]) for r in rows] == [
        (str(e.kind), e.person_id, e.subject, e.day.isoformat(), utc_stamp(e.not_before), e.task_id,
         None if e.deadline is None else e.deadline.isoformat())
        for e in expected
    ]  # fmt: skip
    assert [r[7] for r in rows] == [
        json.dumps(dict(e.detail), ensure_ascii=False, separators=(",", ":")) for e in expected
    ]


async def _store(db: Database, view: RegisterView, day: date) -> None:
    """The register of `view` in the database (the ids of units and people kept)."""
    now = datetime.combine(day, time(7), tzinfo=TZ)
    for unit_id, (code, name) in sorted(view.units.items()):
        made = await add_unit(db, code=code, name=name)
        assert made.id == unit_id
    insert = (
        "INSERT INTO people (id, code, name, role, unit_id, telegram_id) VALUES (?, ?, ?, ?, ?, ?)"
    )
    await db.execute(insert, (999, "P999", "Không dùng Telegram", "officer", 1, None))
    for p in view.people:
        await db.execute(insert, (p.id, f"P{p.id}", f"Người {p.id}", p.role.value, p.unit_id,
                                  5000 + p.id))  # fmt: skip
    for task in view.tasks:
        task_made = await add_task(
            db, code=f"NV-{task.id}", title=f"Việc {task.id}", lead_unit_id=task.lead_unit_id,
            assigned_on=day - timedelta(days=60), now=now, deadline=task.deadline,
            original_deadline=task.deadline, completed_on=task.completed_on,
            officer_id=task.officer_id, assigner_id=task.assigner_id,
        )  # fmt: skip
        if task.report_state is not None:
            await db.execute(
                "UPDATE tasks SET report_state = ? WHERE id = ?", (task.report_state, task_made.id)
            )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=4) | st.integers(0, 9), inner, max_size=4)
    ),
    max_leaves=20,
)


@FAST
@given(value=JSON_VALUES)
def test_details_are_written_as_json_dumps_writes_them(value: Any) -> None:
    assert outbox_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- the former planner (bot/reminders/planner.py at 730f73d), the oracle ----------------------


@dataclass(frozen=True, slots=True)
class Former:
    """The former PlannedReminder."""

    kind: ReminderKind
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
_Entry = tuple[date, int, OpenTask, ReminderKind | None, int]


def former_plan(
    view: RegisterView, *, now: datetime, calendar: Calendar, policy: Policy
) -> list[Former]:
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
    per_person: list[list[Former]] = []
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


def former_plan_assignments(
    tasks: Iterable[OpenTask],
    people: Sequence[Recipient],
    *,
    now: datetime,
    policy: Policy,
) -> list[Former]:
    """Notices for tasks just created, imported or reassigned: to the named officer, else
    to the lead unit's officers and head; more than `max_per_round` are folded into one."""
    rows = _Rows(policy.local(now).date(), send_time(now, policy))
    by_id = {p.id: p for p in people}
    members = _unit_members(people, (Role.OFFICER, Role.HEAD))
    given: dict[int, list[_Entry]] = {}
    for task in sorted(tasks, key=lambda t: t.id):
        if task.completed_on is not None:
            continue
        entry: _Entry = (task.deadline or date.max, task.id, task, ReminderKind.ASSIGNED, 0)
        if task.officer_id is not None and task.officer_id in by_id:
            given.setdefault(task.officer_id, []).append(entry)
        else:
            for person_id in members.get(task.lead_unit_id, ()):
                given.setdefault(person_id, []).append(entry)
    planned: list[list[Former]] = []
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
_Place = tuple[ReminderKind | None, int, bool, bool]


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
                place = (ReminderKind.DUE, 0, False, False)
            elif left in policy.days_before:
                place = (ReminderKind.BEFORE, left, False, False)
            else:
                place = (None, left, False, False)
        else:
            over = self._count(deadline, today)
            kind = ReminderKind.OVERDUE if (over - 1) % policy.overdue_every == 0 else None
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


def _round_robin(per_person: list[list[Former]]) -> list[Former]:
    """Everyone's first notice, then everyone's second...: one person's burst never holds
    the others back behind Telegram's per-chat limit."""
    out: list[Former] = []
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
    ) -> list[Former]:
        """A person's reminders of the day (the policy of issue 15): one task's reminder, or
        one message naming the `most` most urgent of all their tasks and counting them."""
        merged = sorted(mine + shared)
        if len(merged) == 1:
            return [self.task_reminder(person_id, merged[0])]
        detail = {"of": "round", "count": len(merged), "tasks": self.items(merged[:most], most)}
        return [self.digest(ReminderKind.FOLDED, person_id, "round", detail)]

    def task_reminder(self, person_id: int, entry: _Entry) -> Former:
        _, task_id, task, kind, _ = entry
        assert kind is not None
        detail = self._details.get(task_id) or self._detail(entry)
        subject = f"task:{task_id}"
        return Former(kind, person_id, subject, self.day, self.at, task_id, task.deadline, detail)

    def _detail(self, entry: _Entry) -> dict[str, Any]:
        found = self._details.get(entry[1])
        if found is None:
            deadline, task_id, _, kind, n = entry
            found = {}
            if kind is ReminderKind.OVERDUE:
                found["days_overdue"] = n
            elif kind is ReminderKind.DUE:
                found["days_left"] = 0
                found["calendar_days_left"] = (deadline - self.day).days
            elif kind is ReminderKind.BEFORE:
                found["days_left"] = n
            self._details[task_id] = found
        return found

    def items(self, entries: Iterable[_Entry], limit: int = LIST_LIMIT) -> list[list[Any]]:
        """Tasks as a digest lists them: [task id, deadline, kind, days left or overdue]."""
        found = []
        for entry in itertools.islice(entries, limit):
            item = self._items.get(entry[1])
            if item is None:
                deadline, task_id, task, kind, n = entry
                shown = None if task.deadline is None else deadline.isoformat()
                item = [task_id, shown, str(kind or ReminderKind.OVERDUE), n]
                self._items[task_id] = item
            found.append(item)
        return found

    def fold(
        self, person_id: int, subject: str, of: str, entries: Iterable[_Entry], count: int
    ) -> Former:
        detail = {"of": of, "count": count, "tasks": self.items(entries)}
        return self.digest(ReminderKind.FOLDED, person_id, subject, detail)

    def digest(
        self, kind: ReminderKind, person_id: int, subject: str, detail: Mapping[str, Any]
    ) -> Former:
        return Former(kind, person_id, subject, self.day, self.at, detail=detail)


def _unit(view: RegisterView, unit_id: int) -> list[str]:
    code, name = view.units.get(unit_id, (str(unit_id), ""))
    return [code, name]


def _escalations(
    escalated: Mapping[int, list[_Entry]],
    heads: Mapping[int, list[int]],
    view: RegisterView,
    rows: _Rows,
) -> list[Former]:
    out = []
    for unit_id in sorted(escalated):
        entries = escalated[unit_id]
        detail = {"unit": _unit(view, unit_id), "count": len(entries), "tasks": rows.items(entries)}
        for head_id in heads.get(unit_id, ()):
            out.append(rows.digest(ReminderKind.ESCALATION, head_id, f"unit:{unit_id}", detail))
    return out


def _office_digest(
    overdue: Mapping[int, list[_Entry]], view: RegisterView, rows: _Rows
) -> list[Former]:
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
    return [rows.digest(ReminderKind.OFFICE, p.id, "office", detail) for p in view.people
            if p.role is Role.ADMIN]  # fmt: skip


def _weekly(
    view: RegisterView,
    overdue: Mapping[int, list[_Entry]],
    assigned_overdue: Mapping[int, list[_Entry]],
    rows: _Rows,
) -> list[Former]:
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
