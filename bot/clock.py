"""The one clock: every rule takes `now`/`today` from here, so tests can set the time."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    """Tells the time, aware, in the organisation's time zone."""

    @property
    def tz(self) -> tzinfo: ...

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The real time."""

    def __init__(self, tz: tzinfo) -> None:
        self._tz = tz

    @property
    def tz(self) -> tzinfo:
        return self._tz

    def now(self) -> datetime:
        return datetime.now(self._tz)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock that stands still until moved: for tests and previews."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = at

    @property
    def tz(self) -> tzinfo:
        tz = self._now.tzinfo
        assert tz is not None
        return tz

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = at

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class ShiftedClock:
    """The real time moved by a shift that can be changed: it runs like a watch, and `set`
    puts it on another moment (the practice room's clock, moved a working day at a time)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        self._tz = at.tzinfo
        self._shift = timedelta(0)
        self.set(at)

    @property
    def tz(self) -> tzinfo:
        return self._tz

    def now(self) -> datetime:
        return datetime.now(self._tz) + self._shift

    def today(self) -> date:
        return self.now().date()

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        self._shift = at - datetime.now(self._tz)
