"""How dates and moments are stored as text (the decoders read back what the encoders write).

A day is ISO 8601 (`2020-04-15`). A moment is ISO 8601 to the second with its UTC offset,
in one of two forms: `stamp` keeps the offset it is given (the register's own moments:
tasks, history, reports and requests, dialogues, pulls, in the Office's zone), `utc_stamp`
writes it in UTC (the bot's working tables that SQL compares with a moment as text: invites,
wrong codes, messages, menus, the outbox). `parse_stamp` reads both forms.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
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
    """A stored moment, in either form (`stamp`, `utc_stamp`)."""
    return None if value is None else datetime.fromisoformat(value)


def stamp(value: datetime) -> str:
    """A moment with the offset it carries (it must carry one)."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be aware")
    return value.isoformat(timespec="seconds")


def utc_stamp(value: datetime) -> str:
    """A moment in UTC, so that the stored moments of a column compare as text."""
    return stamp(value.astimezone(UTC))
