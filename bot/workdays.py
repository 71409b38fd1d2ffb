"""Vietnam's working days: Monday to Friday, less public holidays, plus swapped Saturdays.

The `holidays` package knows Vietnam's holidays with Tết, the observed (nghỉ bù) days and
the days moved by the Government's swap decisions; a swap also turns a Saturday into a
working day (`weekend_workdays`), which is counted here too.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache

import holidays

_WEEKEND = (5, 6)  # Saturday, Sunday
# A swap decided in year Y may move a working day into Y-1 or Y+1, so a day's year is
# answered only after its neighbours are loaded.
_NEIGHBOURS = (-1, 0, 1)


class WorkCalendar:
    """Which days are working days. Holiday years are loaded once, when first asked about.

    `extra_holidays` and `extra_workdays` add days on top of the package's (tests, or a
    provincial decision the package does not know).
    """

    def __init__(
        self,
        *,
        country: str = "VN",
        language: str = "vi",
        extra_holidays: Mapping[date, str] | None = None,
        extra_workdays: Iterable[date] = (),
    ) -> None:
        self._country = country
        self._language = language
        self._extra_holidays = dict(extra_holidays or {})
        self._extra_workdays = frozenset(extra_workdays)
        self._years: set[int] = set()  # loaded from the package
        self._ready: set[int] = set()  # loaded with both neighbours
        self._names: dict[date, str] = dict(self._extra_holidays)
        self._weekend_workdays: set[date] = set(self._extra_workdays)
        # Sorted exceptions to "Monday to Friday", rebuilt when a year is loaded.
        self._off_weekdays: list[date] = []
        self._on_weekends: list[date] = []

    # --- loading ---------------------------------------------------------------------------

    def _ensure(self, *years: int) -> None:
        if self._ready.issuperset(years):
            return
        wanted = {y + n for y in years for n in _NEIGHBOURS} - self._years
        found = holidays.country_holidays(
            self._country, years=sorted(wanted), language=self._language
        )
        for day, name in found.items():
            self._names.setdefault(day, name)
        self._weekend_workdays.update(found.weekend_workdays)
        self._years |= wanted
        self._ready.update(years)
        self._off_weekdays = sorted(
            d for d in self._names if d.weekday() not in _WEEKEND and d not in self._extra_workdays
        )
        self._on_weekends = sorted(d for d in self._weekend_workdays if d.weekday() in _WEEKEND)

    # --- questions -------------------------------------------------------------------------

    def holiday_name(self, d: date) -> str | None:
        """The holiday's name (in the calendar's language), or None on an ordinary day."""
        self._ensure(d.year)
        return self._names.get(d)

    def is_working_day(self, d: date) -> bool:
        self._ensure(d.year)
        if d in self._extra_workdays:
            return True
        if d.weekday() in _WEEKEND:
            return d in self._weekend_workdays
        return d not in self._names

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after d (before d when n < 0); d itself when n == 0."""
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days passed walking from a to b: the start a excluded, the end b included.

        For a <= b that is the working days in (a, b]; for b < a it is minus the working days
        in [b, a). So `add_working_days(a, working_days_between(a, b)) == b` whenever b is a
        working day, in both directions.
        """
        if b >= a:
            return self._count(a + timedelta(days=1), b)
        return -self._count(b, a - timedelta(days=1))

    def _count(self, first: date, last: date) -> int:
        """Working days in [first, last], counted without walking day by day."""
        if last < first:
            return 0
        self._ensure(*range(first.year, last.year + 1))
        weekdays = _weekdays_through(last) - _weekdays_through(first - timedelta(days=1))
        off = _in_range(self._off_weekdays, first, last)
        on = _in_range(self._on_weekends, first, last)
        return weekdays - off + on


def _weekdays_through(d: date) -> int:
    """Mondays to Fridays from a fixed Monday (0001-01-01) up to and including d."""
    days = d.toordinal()  # 0001-01-01 is ordinal 1 and a Monday
    weeks, rest = divmod(days, 7)
    return weeks * 5 + min(rest, 5)


def _in_range(days: list[date], first: date, last: date) -> int:
    return bisect.bisect_right(days, last) - bisect.bisect_left(days, first)


@cache
def vietnam_calendar() -> WorkCalendar:
    """The shared calendar of Vietnam's working days (one per process)."""
    return WorkCalendar()


def is_working_day(d: date) -> bool:
    return vietnam_calendar().is_working_day(d)


def add_working_days(d: date, n: int) -> date:
    return vietnam_calendar().add_working_days(d, n)


def working_days_between(a: date, b: date) -> int:
    return vietnam_calendar().working_days_between(a, b)
