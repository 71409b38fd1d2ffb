"""The reminder planner on Vietnam's calendar: which reminders are due on a day, to whom."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.models import (
    TASK_KINDS,
    OpenTask,
    PlannedReminder,
    Recipient,
    ReminderKind,
    Role,
    UnitCounts,
)
from bot.reminders.planner import RegisterView, plan_assignments, plan_reminders
from bot.reminders.policy import (
    Policy,
    horizon,
    in_quiet_hours,
    is_weekly_day,
    round_day,
    send_time,
)
from bot.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
POLICY = Policy.from_settings(Settings())

OFFICER = Recipient(10, Role.OFFICER, unit_id=1)
OTHER_OFFICER = Recipient(11, Role.OFFICER, unit_id=1)
HEAD = Recipient(20, Role.HEAD, unit_id=1)
ADMIN = Recipient(30, Role.ADMIN)
LEADER = Recipient(40, Role.LEADER)
PEOPLE = [OFFICER, OTHER_OFFICER, HEAD, ADMIN, LEADER]
UNITS = {1: ("SNV", "Sở Nội vụ"), 2: ("STC", "Sở Tài chính")}


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def task(
    id: int,
    deadline: date | None,
    *,
    officer: int | None = OFFICER.id,
    unit: int = 1,
    assigner: int | None = None,
    report_state: str | None = None,
    completed_on: date | None = None,
) -> OpenTask:
    return OpenTask(id, unit, deadline, officer, assigner, report_state, completed_on)


def run(
    tasks: list[OpenTask], day: date, *, policy: Policy = POLICY, **view: object
) -> list[PlannedReminder]:
    register = RegisterView(tasks=tasks, people=PEOPLE, units=UNITS, **view)  # type: ignore[arg-type]
    return plan_reminders(register, now=at(day), calendar=CAL, policy=policy)


def task_kinds(planned: list[PlannedReminder], person: int = OFFICER.id) -> list[tuple[str, dict]]:
    return [
        (str(r.kind), dict(r.detail))
        for r in planned
        if r.person_id == person and r.task_id is not None
    ]


def days_reminded(one: OpenTask, first: date, last: date) -> dict[date, str]:
    """Every day from first to last on which the officer hears of the task, and how."""
    found = {}
    day = first
    while day <= last:
        for reminder in run([one], day):
            if reminder.person_id == OFFICER.id:
                found[day] = str(reminder.kind)
        day = date.fromordinal(day.toordinal() + 1)
    return found


# --- the schedule on the calendar ----------------------------------------------------------------


def test_a_deadline_after_tet_2026_is_counted_in_working_days() -> None:
    # Tết 2026: Monday 16 to Friday 20 February are days off. Deadline Wednesday 25/02.
    reminded = days_reminded(task(1, date(2026, 2, 25)), date(2026, 2, 1), date(2026, 2, 27))
    assert reminded == {
        date(2026, 2, 9): "before",  # 7 working days: 10-13, 23-25 February
        date(2026, 2, 13): "before",  # 3 working days, the Friday before Tết
        date(2026, 2, 24): "before",  # 1 working day
        date(2026, 2, 25): "due",
        date(2026, 2, 26): "overdue",
        date(2026, 2, 27): "overdue",
    }
    assert task_kinds(run([task(1, date(2026, 2, 25))], date(2026, 2, 13))) == [
        ("before", {"days_left": 3})
    ]


def test_a_saturday_deadline_is_due_on_friday_and_overdue_from_monday() -> None:
    saturday = date(2026, 1, 10)
    reminded = days_reminded(task(1, saturday), date(2026, 1, 7), date(2026, 1, 13))
    assert reminded == {
        date(2026, 1, 8): "before",
        date(2026, 1, 9): "due",
        date(2026, 1, 12): "overdue",
        date(2026, 1, 13): "overdue",
    }
    assert task_kinds(run([task(1, saturday)], date(2026, 1, 9))) == [
        ("due", {"days_left": 0, "calendar_days_left": 1})
    ]
    assert task_kinds(run([task(1, saturday)], date(2026, 1, 12))) == [
        ("overdue", {"days_overdue": 2})
    ]


def test_a_substituted_holiday_moves_reminders_and_a_swapped_saturday_gets_them() -> None:
    # 2026: Saturday 22/08 is worked in exchange for Monday 31/08 off.
    reminded = days_reminded(task(1, date(2026, 8, 24)), date(2026, 8, 17), date(2026, 8, 25))
    assert reminded == {
        date(2026, 8, 20): "before",  # 3 working days: 21, 22 (Saturday), 24
        date(2026, 8, 22): "before",  # 1 working day, on the worked Saturday
        date(2026, 8, 24): "due",
        date(2026, 8, 25): "overdue",
    }
    # Due Friday 28/08: nothing on Monday 31/08 (off), nor on 1-2/09 (National Day).
    reminded = days_reminded(task(2, date(2026, 8, 28)), date(2026, 8, 29), date(2026, 9, 4))
    assert reminded == {date(2026, 9, 3): "overdue", date(2026, 9, 4): "overdue"}


def test_calendar_days_when_working_days_are_off() -> None:
    policy = Policy(tz=TZ, working_days=False)
    saturday = date(2026, 1, 10)
    planned = plan_reminders(
        RegisterView([task(1, saturday)], PEOPLE),
        now=at(saturday),
        calendar=CAL,
        policy=policy,
    )
    assert task_kinds(planned) == [("due", {"days_left": 0, "calendar_days_left": 0})]
    planned = plan_reminders(
        RegisterView([task(1, saturday)], PEOPLE),
        now=at(date(2026, 1, 7)),
        calendar=CAL,
        policy=policy,
    )
    assert task_kinds(planned) == [("before", {"days_left": 3})]


def test_overdue_every_second_working_day() -> None:
    policy = Policy(tz=TZ, overdue_every=2)
    one = task(1, date(2026, 1, 9))  # Friday
    reminded = {
        day: [str(r.kind) for r in run([one], day, policy=policy) if r.person_id == OFFICER.id]
        for day in (date(2026, 1, 12), date(2026, 1, 13), date(2026, 1, 14))
    }
    assert reminded == {
        date(2026, 1, 12): ["overdue"],
        date(2026, 1, 13): [],
        date(2026, 1, 14): ["overdue"],
    }


def test_nothing_is_planned_on_a_day_off() -> None:
    assert run([task(1, date(2026, 1, 5))], date(2026, 1, 10)) == []  # a Saturday
    assert run([task(1, date(2026, 2, 10))], date(2026, 2, 17)) == []  # Tết


# --- which tasks, and whom ---------------------------------------------------------------------


def test_completed_and_waiting_tasks_are_left_alone() -> None:
    day = date(2026, 1, 14)
    tasks = [
        task(1, date(2026, 1, 12), completed_on=date(2026, 1, 13)),
        task(2, date(2026, 1, 12), report_state="pending"),
        task(3, date(2026, 1, 14), completed_on=date(2026, 1, 14)),
        task(4, None),
        task(5, date(2026, 1, 12), report_state="returned"),  # returned: reminded again
    ]
    planned = run(tasks, day)
    assert [(r.kind, r.subject) for r in planned if r.task_id is not None] == [
        (ReminderKind.OVERDUE, "task:5")
    ]


def test_an_extension_reschedules_to_the_new_deadline() -> None:
    # First due Monday 12/01, extended to Wednesday 21/01 (the deadline in force).
    extended = task(1, date(2026, 1, 21))
    reminded = days_reminded(extended, date(2026, 1, 12), date(2026, 1, 22))
    assert reminded == {
        date(2026, 1, 12): "before",  # 7 working days, not "due" any more
        date(2026, 1, 16): "before",  # 3 working days: 19, 20, 21
        date(2026, 1, 20): "before",
        date(2026, 1, 21): "due",
        date(2026, 1, 22): "overdue",
    }


def test_a_task_without_a_named_officer_goes_to_the_units_officers_and_head() -> None:
    planned = run([task(1, date(2026, 1, 14), officer=None)], date(2026, 1, 14))
    assert sorted((r.person_id, str(r.kind)) for r in planned) == [
        (OFFICER.id, "due"),
        (OTHER_OFFICER.id, "due"),
        (HEAD.id, "due"),
    ]


def test_a_named_officer_not_on_telegram_falls_back_to_the_unit() -> None:
    planned = run([task(1, date(2026, 1, 14), officer=999)], date(2026, 1, 14))
    assert sorted(r.person_id for r in planned) == [OFFICER.id, OTHER_OFFICER.id, HEAD.id]


def test_a_person_with_several_tasks_gets_one_morning_message_most_urgent_first() -> None:
    """Eight reminders of the day in one message: the `max_per_round` most urgent named
    (the longest overdue first), all eight counted."""
    day = date(2026, 1, 14)
    tasks = [task(i, date(2026, 1, 14)) for i in range(1, 6)]  # due today
    tasks += [task(i, date(2026, 1, 13)) for i in range(6, 9)]  # overdue since yesterday
    tasks.append(task(9, date(2026, 1, 12)))  # overdue two days
    planned = [r for r in run(tasks, day) if r.person_id == OFFICER.id]
    assert [(str(r.kind), r.subject, r.task_id) for r in planned] == [("folded", "round", None)]
    assert POLICY.max_per_round == 5
    assert planned[0].detail == {
        "of": "round",
        "count": 9,
        "tasks": [[9, "2026-01-12", "overdue", 2], [6, "2026-01-13", "overdue", 1],
                  [7, "2026-01-13", "overdue", 1], [8, "2026-01-13", "overdue", 1],
                  [1, "2026-01-14", "due", 0]],
    }  # fmt: skip


def test_one_task_of_the_day_keeps_its_own_reminder() -> None:
    tasks = [task(1, date(2026, 1, 14)), task(2, date(2026, 1, 14))]
    tasks.append(task(3, date(2026, 1, 14), officer=OTHER_OFFICER.id))
    planned = [r for r in run(tasks, date(2026, 1, 14)) if r.person_id == OTHER_OFFICER.id]
    assert [(str(r.kind), r.subject, r.task_id) for r in planned] == [("due", "task:3", 3)]
    assert planned[0].detail == {"days_left": 0, "calendar_days_left": 0}


def test_every_person_gets_at_most_one_morning_message_of_tasks() -> None:
    tasks = [task(i, date(2026, 1, 14) - timedelta(days=i % 4)) for i in range(1, 30)]
    tasks += [task(40 + i, date(2026, 1, 15), officer=OTHER_OFFICER.id) for i in range(3)]
    planned = [
        r for r in run(tasks, date(2026, 1, 14)) if r.kind in (*TASK_KINDS, ReminderKind.FOLDED)
    ]
    assert [(r.person_id, str(r.kind), r.detail["count"]) for r in planned] == [
        (OFFICER.id, "folded", 29),
        (OTHER_OFFICER.id, "folded", 3),
    ]


# --- escalation, digests, summaries --------------------------------------------------------------


def test_escalation_to_the_head_from_two_working_days_overdue() -> None:
    one = task(1, date(2026, 1, 9))  # Friday; 12/01 is 1 working day overdue, 13/01 is 2
    assert [r for r in run([one], date(2026, 1, 12)) if r.kind is ReminderKind.ESCALATION] == []
    escalations = [r for r in run([one], date(2026, 1, 13)) if r.kind is ReminderKind.ESCALATION]
    assert [(r.person_id, r.subject) for r in escalations] == [(HEAD.id, "unit:1")]
    assert escalations[0].detail == {
        "unit": ["SNV", "Sở Nội vụ"],
        "count": 1,
        "tasks": [[1, "2026-01-09", "overdue", 4]],
    }


def test_the_office_gets_one_digest_of_everything_overdue_per_unit() -> None:
    tasks = [
        task(1, date(2026, 1, 13)),
        task(2, date(2026, 1, 5), unit=2, officer=None),
        task(3, date(2026, 1, 12), unit=2, officer=None),
        task(4, date(2026, 1, 20)),  # in time
    ]
    digests = [r for r in run(tasks, date(2026, 1, 14)) if r.kind is ReminderKind.OFFICE]
    assert [r.person_id for r in digests] == [ADMIN.id]
    assert digests[0].detail == {
        "count": 3,
        "unit_count": 2,
        "units": [["STC", "Sở Tài chính", 2, 9], ["SNV", "Sở Nội vụ", 1, 1]],
    }


def test_weekly_summaries_on_monday_for_heads_and_leaders_unless_paused() -> None:
    monday = date(2026, 1, 12)
    tasks = [task(1, date(2026, 1, 9), assigner=LEADER.id), task(2, date(2026, 1, 14))]
    counts = {1: UnitCounts(open=7, due_this_week=2, overdue=1)}
    totals = {"assigned": 12, "completed": 5}
    planned = run(tasks, monday, unit_counts=counts, totals=totals)
    weekly = {
        r.person_id: r
        for r in planned
        if r.kind in (ReminderKind.WEEKLY_HEAD, ReminderKind.WEEKLY_LEADER)
    }
    assert weekly[HEAD.id].detail == {
        "unit": ["SNV", "Sở Nội vụ"],
        "count": 1,
        "open": 7,
        "due_this_week": 2,
        "overdue": 1,
        "tasks": [[1, "2026-01-09", "overdue", 3]],
    }
    assert weekly[LEADER.id].detail == {
        "totals": totals,
        "count": 1,
        "tasks": [[1, "2026-01-09", "overdue", 3]],
    }
    assert sorted(weekly) == [HEAD.id, LEADER.id]
    paused = run(tasks, monday, weekly_paused=frozenset({HEAD.id}))
    assert [
        r.person_id
        for r in paused
        if r.kind in (ReminderKind.WEEKLY_HEAD, ReminderKind.WEEKLY_LEADER)
    ] == [LEADER.id]
    assert [r for r in run(tasks, date(2026, 1, 13)) if r.kind is ReminderKind.WEEKLY_HEAD] == []


def test_the_weekly_day_moves_to_the_next_working_day_after_a_holiday() -> None:
    # Monday 27/04/2026 is the observed Hùng Kings' day: the summaries go on Tuesday.
    assert not is_weekly_day(date(2026, 4, 27), CAL, POLICY)
    assert is_weekly_day(date(2026, 4, 28), CAL, POLICY)
    assert not is_weekly_day(date(2026, 4, 29), CAL, POLICY)


# --- time: the round, quiet hours ----------------------------------------------------------------


def test_the_round_is_due_from_daily_at_until_the_evening_quiet_hours() -> None:
    day = date(2026, 1, 14)
    assert round_day(at(day, 7, 59), POLICY) is None
    assert round_day(at(day, 8, 0), POLICY) == day
    assert round_day(at(day, 20, 59), POLICY) == day
    assert round_day(at(day, 21, 0), POLICY) is None


def test_quiet_hours_hold_notices_until_the_morning() -> None:
    day = date(2026, 1, 14)
    assert in_quiet_hours(at(day, 22), POLICY)
    assert in_quiet_hours(at(day, 6, 59), POLICY)
    assert not in_quiet_hours(at(day, 7), POLICY)
    assert send_time(at(day, 22, 30), POLICY) == at(date(2026, 1, 15), 7)
    assert send_time(at(day, 3), POLICY) == at(day, 7)
    assert send_time(at(day, 9), POLICY) == at(day, 9)
    off = Policy(tz=TZ, quiet=None)
    assert send_time(at(day, 23), off) == at(day, 23)


def test_a_round_planned_in_quiet_hours_waits_for_the_morning() -> None:
    early = Policy(tz=TZ, daily_at=time(6, 0))
    planned = plan_reminders(
        RegisterView([task(1, date(2026, 1, 14))], PEOPLE),
        now=at(date(2026, 1, 14), 6),
        calendar=CAL,
        policy=early,
    )
    assert [r.not_before for r in planned] == [at(date(2026, 1, 14), 7)]


def test_the_horizon_covers_the_furthest_reminder() -> None:
    # From Friday 13/02/2026 the 7th working day is Tuesday 03/03 (Tết in between): a
    # deadline up to then may get a reminder; the 8th, Wednesday 04/03, is out of reach.
    assert horizon(date(2026, 2, 13), CAL, POLICY) == date(2026, 3, 3)
    assert horizon(date(2026, 2, 13), CAL, Policy(tz=TZ, working_days=False)) == date(2026, 2, 20)


# --- assignments -------------------------------------------------------------------------------


def test_assignment_notices_go_at_once_and_fold_past_the_limit() -> None:
    tasks = [task(i, date(2026, 2, 1)) for i in range(1, 8)]
    tasks.append(task(8, None, officer=None))
    planned = plan_assignments(tasks, PEOPLE, now=at(date(2026, 1, 14), 15), policy=POLICY)
    mine = [(str(r.kind), r.subject) for r in planned if r.person_id == OFFICER.id]
    assert mine == [
        ("assigned", "task:1"),
        ("assigned", "task:2"),
        ("assigned", "task:3"),
        ("assigned", "task:4"),
        ("assigned", "task:5"),
        ("folded", "assigned:6"),
    ]
    assert [(str(r.kind), r.subject) for r in planned if r.person_id == HEAD.id] == [
        ("assigned", "task:8")
    ]
    assert {r.not_before for r in planned} == {at(date(2026, 1, 14), 15)}


@pytest.mark.parametrize("hour", [22, 5])
def test_assignment_notices_in_quiet_hours_wait_for_seven(hour: int) -> None:
    planned = plan_assignments(
        [task(1, None)], PEOPLE, now=at(date(2026, 1, 14), hour), policy=POLICY
    )
    expected = at(date(2026, 1, 15 if hour == 22 else 14), 7)
    assert [r.not_before for r in planned] == [expected]
