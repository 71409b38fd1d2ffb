"""The `[reminders]` settings as the planner reads them, and the rules of time around them:
when a day's round is due, what quiet hours hold back, which day is the weekly one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol

from bot.config import WEEKDAYS, Settings


class Calendar(Protocol):
    """What the planner asks of the working-day calendar (bot.workdays.WorkCalendar)."""

    def is_working_day(self, d: date) -> bool: ...

    def working_days_between(self, a: date, b: date) -> int: ...


@dataclass(frozen=True, slots=True)
class Policy:
    """When, to whom and how often: see config.example.toml, section [reminders]."""

    tz: tzinfo
    days_before: tuple[int, ...] = (7, 3, 1)
    working_days: bool = True
    overdue_every: int = 1
    escalate_after: int = 2
    weekly_on: int = 0  # Monday
    daily_at: time = time(8, 0)
    quiet: tuple[time, time] | None = (time(21, 0), time(7, 0))
    max_per_round: int = 5
    notify_on_assign: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        reminders = settings.reminders
        quiet = reminders.quiet_window
        return cls(
            tz=settings.organization.tz,
            days_before=tuple(reminders.days_before),
            working_days=reminders.working_days,
            overdue_every=reminders.overdue_every,
            escalate_after=reminders.escalate_after,
            weekly_on=WEEKDAYS.index(reminders.weekly_on),
            daily_at=reminders.daily_time,
            quiet=None if quiet is None or quiet[0] == quiet[1] else quiet,
            max_per_round=reminders.max_per_round,
            notify_on_assign=reminders.notify_on_assign,
        )

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("reminders need an aware time")
        return moment.astimezone(self.tz)


def in_quiet_hours(moment: datetime, policy: Policy) -> bool:
    """Whether nothing but direct answers may be sent at `moment`."""
    if policy.quiet is None:
        return False
    start, end = policy.quiet
    now = policy.local(moment).time()
    if start < end:
        return start <= now < end
    return now >= start or now < end  # the window spans midnight


def send_time(moment: datetime, policy: Policy) -> datetime:
    """`moment`, or the end of the quiet hours it falls in (notices wait for the morning)."""
    if not in_quiet_hours(moment, policy):
        return moment
    assert policy.quiet is not None
    end = policy.quiet[1]
    local = policy.local(moment)
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=policy.tz)


def round_day(moment: datetime, policy: Policy) -> date | None:
    """The day whose round is due at `moment`: today from `daily_at` until the evening's
    quiet hours start (a round missed that long is left to the next day), else None."""
    local = policy.local(moment)
    now = local.time()
    if now < policy.daily_at:
        return None
    if policy.quiet is not None:
        start = policy.quiet[0]
        if policy.daily_at < start <= now:
            return None
    return local.date()


def is_sending_day(day: date, calendar: Calendar, policy: Policy) -> bool:
    """Rounds go out on working days only (every day when working_days is off)."""
    return not policy.working_days or calendar.is_working_day(day)


def is_weekly_day(day: date, calendar: Calendar, policy: Policy) -> bool:
    """The weekly summaries' day: `weekly_on`, or the first working day after it in the
    same week when that day is a holiday."""
    if not is_sending_day(day, calendar, policy) or day.weekday() < policy.weekly_on:
        return False
    if not policy.working_days:
        return day.weekday() == policy.weekly_on
    first = day - timedelta(days=day.weekday() - policy.weekly_on)
    return all(
        not calendar.is_working_day(first + timedelta(days=n)) for n in range((day - first).days)
    )


def horizon(day: date, calendar: Calendar, policy: Policy) -> date:
    """The latest deadline that can get a reminder on `day` (the earliest is unbounded:
    overdue tasks are reminded every `overdue_every` days)."""
    furthest = max(policy.days_before, default=0)
    if not policy.working_days:
        return day + timedelta(days=furthest)
    # The last day before the (furthest + 1)-th working day after `day`.
    d, seen = day, 0
    while True:
        d += timedelta(days=1)
        if calendar.is_working_day(d):
            seen += 1
            if seen > furthest:
                return d - timedelta(days=1)
