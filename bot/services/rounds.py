"""A day's round and the other scheduled work, around the pure planner: read what the round
needs, plan, put it in the outbox. Also the notices of new assignments, the preview of a
round, how the outbox stands, and the daily backup. Called by the tick
(bot/services/reminders.py) and the command line (bot/commands/reminders.py)."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.models import Period, Person, PlannedReminder, Recipient, TaskLine
from bot.reminders.planner import RegisterView, deadlines_ahead, plan_assignments, plan_reminders
from bot.reminders.policy import Calendar, Policy, is_sending_day, is_weekly_day, round_day
from storage import Database
from storage import outbox as store
from storage.figures import load_figures
from storage.workflow import people_by_id

log = logging.getLogger(__name__)

KEEP_DAYS = 60  # finished outbox rows are kept this long, for `dondoc reminders status`


async def load_view(db: Database, *, day: date, calendar: Calendar, policy: Policy) -> RegisterView:
    """What the round of `day` looks at: only candidate tasks, read set-based."""
    ahead = deadlines_ahead(day, calendar, policy)
    tasks = await store.round_candidates(db, today=day, ahead=ahead)
    weekly = is_weekly_day(day, calendar, policy)
    week_end = day + timedelta(days=6 - day.weekday())
    return RegisterView(
        tasks=tasks,
        people=await store.recipients(db),
        units=await store.unit_names(db),
        weekly_paused=await store.weekly_paused(db),
        unit_counts=await store.unit_counts(db, today=day, week_end=week_end) if weekly else {},
        totals=await leader_totals(db, day) if weekly else None,
    )


async def leader_totals(db: Database, day: date) -> dict[str, int]:
    """The year-to-date figures of `dondoc stats` as of `day`, for leaders' summaries."""
    figures = await load_figures(db, period=Period(day.replace(day=1), day), as_of=day)
    return {key: int(value) for key, value in asdict(figures.year_figures).items()}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held for a round. A round over a large register
    makes half a million small tuples and lists that hold no cycles (refcounting frees them
    all); the collector, which runs every 700 new ones, would walk them again and again: a
    third of the round's time. It runs as usual afterwards: its first pass then walks what
    is still alive of all that was made meanwhile, so free the round's objects first."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class RoundResult:
    day: date
    planned: int  # reminders the planner gave
    added: int  # rows new to the outbox


async def plan_round(
    db: Database, *, now: datetime, calendar: Calendar, policy: Policy
) -> RoundResult | None:
    """Plan the round due at `now` into the outbox, once per day. None when no round is
    due (before `daily_at`, late in the evening) or it was planned already."""
    day = round_day(now, policy)
    if day is None or await store.round_planned(db, day=day):
        return None
    with collector_paused():
        planned, added = await _plan_into_outbox(db, day, now=now, calendar=calendar, policy=policy)
    if added is None:
        return None  # another process planned it meanwhile
    await store.prune(db, before=day - timedelta(days=KEEP_DAYS))
    log.info("round of %s: %d reminders, %d new in the outbox", day, planned, added)
    return RoundResult(day, planned, added)


async def _plan_into_outbox(
    db: Database, day: date, *, now: datetime, calendar: Calendar, policy: Policy
) -> tuple[int, int | None]:
    """The round of `day` into the outbox: how many reminders, how many rows added (None:
    planned meanwhile by another process). The register's view and the reminders are
    freed when it returns, before the collector runs again (see `collector_paused`)."""
    planned: list[PlannedReminder] = []
    if is_sending_day(day, calendar, policy):
        view = await load_view(db, day=day, calendar=calendar, policy=policy)
        planned = plan_reminders(view, now=now, calendar=calendar, policy=policy)
    return len(planned), await store.add_planned(db, planned, now=now, round_day=day)


@dataclass(frozen=True, slots=True)
class RoundPreview:
    """What a round would send, with the people it reaches and the tasks it names."""

    reminders: list[PlannedReminder]
    people: dict[int, Person]
    tasks: dict[int, TaskLine]


async def preview_round(
    db: Database, *, at: datetime, calendar: Calendar, policy: Policy
) -> RoundPreview:
    """What a round at `at` would send (nothing is written), for `dondoc reminders preview`."""
    day = policy.local(at).date()
    view = await load_view(db, day=day, calendar=calendar, policy=policy)
    moment = max(at, datetime.combine(day, policy.daily_at, tzinfo=policy.tz))
    planned = plan_reminders(view, now=moment, calendar=calendar, policy=policy)
    people = await people_by_id(db, sorted({r.person_id for r in planned}))
    return RoundPreview(planned, people, await store.task_lines(db, _named_tasks(planned)))


def _named_tasks(planned: list[PlannedReminder]) -> set[int]:
    """The tasks the round's messages name: their own, and those their digests list."""
    named = {r.task_id for r in planned if r.task_id is not None}
    named.update(item[0] for r in planned for item in r.detail.get("tasks", ()))
    return named


async def outbox_status(db: Database, *, today: date) -> store.OutboxStatus:
    """How the outbox stands: rows by state, today's, the last rounds, who is unreachable,
    what failed (for `dondoc reminders status`)."""
    return await store.status(db, today=today)


async def notify_assigned(
    db: Database, settings: Settings, *, task_ids: Sequence[int], now: datetime
) -> int:
    """Tell the people of tasks just created, imported or reassigned (when
    `notify_on_assign` is on); the bot sends it at its next tick. Returns rows added."""
    policy = Policy.from_settings(settings)
    if not policy.notify_on_assign or not task_ids:
        return 0
    tasks = await store.tasks_by_id(db, task_ids)
    planned = plan_assignments(tasks, await store.recipients(db), now=now, policy=policy)
    return await store.add_planned(db, planned, now=now) or 0


async def upcoming(
    db: Database,
    *,
    person: Recipient,
    start: date,
    days: int,
    calendar: Calendar,
    policy: Policy,
) -> list[tuple[date, PlannedReminder]]:
    """The task reminders one person will get on the next `days` sending days from
    `start`, as the register stands (for /reminders)."""
    tasks = await store.tasks_reaching(db, person_id=person.id, unit_id=person.unit_id)
    view = RegisterView(tasks=tasks, people=[person])
    found: list[tuple[date, PlannedReminder]] = []
    day, seen = start, 0
    while seen < days:
        if is_sending_day(day, calendar, policy):
            seen += 1
            moment = datetime.combine(day, policy.daily_at, tzinfo=policy.tz)
            for reminder in plan_reminders(
                view, now=moment, calendar=calendar, policy=policy, fold=False
            ):
                if reminder.task_id is not None:
                    found.append((day, reminder))
        day += timedelta(days=1)
    return found


# --- the daily backup ---------------------------------------------------------------------------

_BACKUP_NAME = re.compile(r"^dondoc-(\d{4}-\d{2}-\d{2})\.sqlite3$")


def backup_name(day: date) -> str:
    return f"dondoc-{day.isoformat()}.sqlite3"


def backups_to_remove(names: Sequence[str], keep: int) -> list[str]:
    """Of the daily backups among `names`, those older than the newest `keep`."""
    dated = sorted((n for n in names if _BACKUP_NAME.match(n)), reverse=True)
    return dated[keep:]


async def daily_backup(db: Database, settings: Settings, *, day: date) -> Path | None:
    """Today's online backup into `[database] backup_dir`, once a day (the file is the
    record); the newest `backup_keep` are kept. None when there is nothing to do."""
    folder = settings.database.backup_dir
    if folder is None:
        return None
    target = folder / backup_name(day)
    if target.exists():
        return None
    written = await db.backup(target)
    for name in backups_to_remove(
        [p.name for p in folder.iterdir()], settings.database.backup_keep
    ):
        (folder / name).unlink(missing_ok=True)
    log.info("daily backup written: %s", written)
    return written
