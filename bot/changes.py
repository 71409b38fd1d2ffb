"""The days `/export` asks for: the bot's decisions handed back to the e-office over a span
of local days (bot/services/exports.py writes them, as `dondoc export changes` does)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.importer import parse_day

DEFAULT_DAYS = 7  # /export without dates: the last seven days, today included


def last_days(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


def asked_days(args: Sequence[str], today: date) -> tuple[date, date] | None:
    """`/export [from] [to]`: the days asked (from: to today; none: the last seven days),
    or None when they are not days or not in order."""
    if len(args) > 2:
        return None
    days: list[date] = []
    for arg in args:
        try:
            found = parse_day(arg)
        except ValueError:
            return None
        if found is None:
            return None
        days.append(found)
    since, until = last_days(today)
    if days:
        since, until = days[0], days[-1] if len(days) == 2 else today
    return (since, until) if since <= until else None
