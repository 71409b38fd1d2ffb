"""The bot's decisions handed back to the e-office: one row per change, as a sheet
(`dondoc export changes`, and /export for admins in the bot)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from bot.exporter import write_table
from bot.importer import parse_day
from bot.texts import plain
from storage import Database
from storage.changes import bot_changes

COLUMNS = (
    "code", "doc_number", "what", "completed_on", "reply_doc", "old_deadline", "new_deadline",
    "text", "decided_by", "decided_at",
)  # fmt: skip
DEFAULT_DAYS = 7  # /export without dates: the last seven days, today included


def last_days(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


async def export_changes(
    db: Database, path: Path, *, since: date, until: date, lang: str, tz: tzinfo
) -> int:
    """The decisions made from `since` to `until` (local days, both included) written to a
    .csv or .xlsx file, headers in `lang`; returns the rows. FileProblem if it cannot be."""
    start = datetime.combine(since, time(), tz)
    end = datetime.combine(until + timedelta(days=1), time(), tz)
    changes = await bot_changes(db, start=start, end=end)
    header = [plain(lang, f"changes.col.{name}") for name in COLUMNS]
    rows = [
        (c.code, c.doc_number, plain(lang, f"changes.what.{c.what}"), c.completed_on,
         c.reply_doc, c.old_deadline, c.new_deadline, c.text, c.decided_by,
         c.decided_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"))
        for c in changes
    ]  # fmt: skip
    return await asyncio.to_thread(write_table, path, header, rows)


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
