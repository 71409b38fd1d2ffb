"""The daily upkeep: old messages and wrong codes forgotten, the kept counts brought to the
day, the planner's statistics refreshed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage.accounts import prune_failures
from storage.db import Database
from storage.messages import prune_messages
from storage.reports import move_overdue_anchor

MESSAGES_KEPT_DAYS = 90  # a reply to a card or reminder older than this needs the task's code


async def daily_upkeep(
    db: Database, *, now: datetime, today: date, failures_before: datetime
) -> bool:
    """Once a day (the reminders' tick): forget old task messages and the wrong codes made
    before `failures_before` (`bot.onboarding.failures_matter_since`), bring the kept
    overdue counts to `today` (its anchor day is also the mark of the day's upkeep) and
    refresh the planner's statistics. False when it was done for `today` already."""
    if await db.fetchval("SELECT day FROM overdue_anchor") == today.isoformat():
        return False
    await prune_messages(db, before=now - timedelta(days=MESSAGES_KEPT_DAYS))
    await prune_failures(db, before=failures_before)
    await move_overdue_anchor(db, today=today)
    await db.refresh_statistics()
    return True
