"""The notices of an import: one message per person per import, however many tasks it gives.

An import of a register (tens of thousands of tasks) would otherwise announce every task on
its own: thousands of messages to one officer, hours of sending at Telegram's limits. Here
a person who gets one task of the import gets the usual notice of it (with its buttons);
a person who gets more gets one message that counts them and lists the most urgent
(`rem.folded.imported`), the rest being in /tasks. Who is told follows `notify_on_assign`
(bot/reminders/planner.py `plan_assignments`): the named officer, else the lead unit's
officers and head.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from bot.config import Settings
from bot.models import Role
from bot.reminders.planner import LIST_LIMIT, Kind, OpenTask, PlannedReminder, Recipient
from bot.reminders.policy import Policy, send_time
from storage import Database
from storage import outbox as store

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
    reachable = {person.id for person in people}
    members: dict[int, list[int]] = {}
    for person in people:
        if person.unit_id is not None and person.role in (Role.OFFICER, Role.HEAD):
            members.setdefault(person.unit_id, []).append(person.id)
    given: dict[int, list[tuple[date, int, OpenTask]]] = {}
    for task in tasks:
        if task.completed_on is not None:
            continue
        entry = (task.deadline or date.max, task.id, task)
        if task.officer_id is not None and task.officer_id in reachable:
            given.setdefault(task.officer_id, []).append(entry)
        else:
            for person_id in members.get(task.lead_unit_id, ()):
                given.setdefault(person_id, []).append(entry)
    notices: list[PlannedReminder] = []
    subject, assigned = f"{IMPORTED}:{batch}", Kind.ASSIGNED.value
    items: dict[int, list[Any]] = {}  # a task's line, the same in every digest listing it
    for person_id, entries in given.items():
        if len(entries) == 1:
            task = entries[0][2]
            notices.append(
                PlannedReminder(
                    Kind.ASSIGNED, person_id, f"task:{task.id}", day, at, task.id, task.deadline
                )
            )
            continue
        entries.sort()  # the soonest deadline first (ids are unique: tasks are not compared)
        listed = []
        for deadline, task_id, task in entries[:LIST_LIMIT]:
            item = items.get(task_id)
            if item is None:
                shown = None if task.deadline is None else deadline.isoformat()
                item = items[task_id] = [task_id, shown, assigned, 0]
            listed.append(item)
        detail = {"of": IMPORTED, "count": len(entries), "tasks": listed}
        notices.append(PlannedReminder(Kind.FOLDED, person_id, subject, day, at, detail=detail))
    return notices


async def announce_import(
    db: Database, settings: Settings, tasks: Sequence[OpenTask], *, now: datetime
) -> int:
    """Put the import's notices in the outbox (when `notify_on_assign` is on); the bot sends
    them at its next tick. Returns the rows added."""
    policy = Policy.from_settings(settings)
    if not policy.notify_on_assign or not tasks:
        return 0
    batch = now.isoformat(timespec="microseconds")
    notices = import_notices(tasks, await store.recipients(db), now=now, policy=policy, batch=batch)
    return await store.add_planned(db, notices, now=now) or 0
