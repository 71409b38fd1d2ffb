"""The notices of an import: one message per person per import, however many tasks it gives.

An import of a register (tens of thousands of tasks) would otherwise announce every task on
its own: thousands of messages to one officer, hours of sending at Telegram's limits. Here
a person who gets one task of the import gets the usual notice of it (with its buttons);
a person who gets more gets one message that counts them and lists the most urgent
(`rem.folded.imported`), the rest being in /tasks. Who is told follows `notify_on_assign`
(bot/reminders/planner.py `fold_assignments`, as `plan_assignments`): the named officer,
else the lead unit's officers and head. bot/services/imports.py puts them in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.models import OpenTask, PlannedReminder, Recipient
from bot.reminders.planner import fold_assignments
from bot.reminders.policy import Policy, send_time

IMPORTED = "imported"  # the digest's `of`: its heading is the catalogue's rem.folded.imported


def import_notices(
    tasks: Iterable[OpenTask],
    people: Sequence[Recipient],
    *,
    now: datetime,
    policy: Policy,
    batch: str,
) -> list[PlannedReminder]:
    """The notices of the open tasks an import created or reassigned; `batch` names the
    import (each import's digests are new rows of the outbox)."""
    at = send_time(now, policy)
    day = policy.local(at).date()  # a digest is for the day it can be sent
    subject = f"{IMPORTED}:{batch}"
    return fold_assignments(tasks, people, day=day, at=at, subject=subject, of=IMPORTED)
