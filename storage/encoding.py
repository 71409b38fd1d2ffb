"""How dates and moments are stored as text (the decoders read back what the encoders write).

A day is ISO 8601 (`2020-04-15`). A moment is ISO 8601 to the second in UTC
(`2020-04-15T02:05:00+00:00`), in every table, so that the moments of a column compare and
sort as text. `parse_stamp` reads one back as an aware datetime in UTC: whoever shows it to
a person, or takes a day from it, converts it to the Office's zone first (the local day of
`…T23:30:00+00:00` is the next day in Hanoi). Migration 0020 rewrote into this form the
moments that older versions stored with the Office's offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import overload


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@overload
def parse_stamp(value: str) -> datetime: ...
@overload
def parse_stamp(value: str | None) -> datetime | None: ...
def parse_stamp(value: str | None) -> datetime | None:
    """A stored moment (`utc_stamp`), aware and in UTC."""
    return None if value is None else datetime.fromisoformat(value)


def utc_stamp(value: datetime) -> str:
    """A moment (aware, in any zone) as stored: in UTC, to the second."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be aware")
    return value.astimezone(UTC).isoformat(timespec="seconds")


def local_days(first: date, last: date, tz: tzinfo) -> tuple[str, str]:
    """The stored moments that fall on the local days `first` to `last` (both included) in
    `tz` are those from the first text up to, not including, the second."""
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    return utc_stamp(start), utc_stamp(end)
