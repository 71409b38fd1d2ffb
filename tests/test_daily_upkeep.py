"""The daily job's upkeep (issue 7): once a day the reminders' tick refreshes the planner's
statistics, forgets task messages older than 90 days and wrong codes that can no longer
lock an account, and brings the kept overdue counts to the day."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.reminders import tick
from storage import accounts, messages
from tests.factories import make_task, small_world
from tests.harness import TZ, Harness, HarnessFactory

MORNING = datetime(2020, 4, 15, 7, 0, tzinfo=TZ)
QUIET_TICKS = {"tick_seconds": 3600}  # the JobQueue stays out of the way: the test ticks


async def _tick(harness: Harness) -> None:
    assert harness.app is not None
    await tick(harness.app, wait=True)


async def _task_rows_counted(harness: Harness) -> set[int]:
    """How many tasks the planner's statistics say each index of `tasks` has."""
    rows = await harness.db.fetchall("SELECT stat FROM sqlite_stat1 WHERE tbl = 'tasks'")
    return {int(r[0].split()[0]) for r in rows}


async def test_the_daily_tick_refreshes_the_planners_statistics(
    harness_factory: HarnessFactory,
) -> None:
    harness = await harness_factory(now=MORNING, reminders=QUIET_TICKS)
    world = await small_world(harness.db)
    for n in range(40):
        await make_task(harness.db, world.health, harness.now, code=f"NV-{n:03d}")
    assert 40 not in await _task_rows_counted(harness)  # the statistics of the bot's start
    await _tick(harness)
    assert await _task_rows_counted(harness) == {40}
    for n in range(40, 60):
        await make_task(harness.db, world.health, harness.now, code=f"NV-{n:03d}")
    harness.clock.set(MORNING + timedelta(hours=5))
    await _tick(harness)
    assert await _task_rows_counted(harness) == {40}  # once a day
    harness.clock.set(MORNING + timedelta(days=1))
    await _tick(harness)
    assert await _task_rows_counted(harness) == {60}


async def test_old_task_messages_and_wrong_codes_are_forgotten_once_a_day(
    harness_factory: HarnessFactory,
) -> None:
    harness = await harness_factory(now=MORNING, reminders=QUIET_TICKS)
    world = await small_world(harness.db)
    db, now = harness.db, harness.now
    task = await make_task(db, world.health, now, code="NV-001")
    ages = {1: timedelta(days=91), 2: timedelta(days=89), 3: timedelta(days=1)}
    for message_id, age in ages.items():
        await messages.remember_message(db, chat_id=7, message_id=message_id, task_id=task.id,
                                        at=now - age)  # fmt: skip
    await messages.remember_message(db, chat_id=7, message_id=4, task_id=task.id)  # no time
    for age in (timedelta(hours=3), timedelta(minutes=121), timedelta(minutes=20)):
        await accounts.add_failure(db, telegram_id=99, at=now - age)

    await _tick(harness)

    kept = [m for m in range(1, 5) if await messages.task_for_message(db, chat_id=7, message_id=m)]
    assert kept == [2, 3, 4]  # a reply to the 89-day-old reminder still finds its task
    failures = await accounts.failures_since(db, telegram_id=99, since=now - timedelta(days=1))
    assert failures == [now - timedelta(minutes=20)]  # two hours back at most can lock

    await accounts.add_failure(db, telegram_id=99, at=now - timedelta(hours=5))
    harness.clock.set(now + timedelta(hours=1))
    await _tick(harness)  # the same day: done already
    assert (
        len(await accounts.failures_since(db, telegram_id=99, since=now - timedelta(days=1))) == 2
    )
    harness.clock.set(now + timedelta(days=2))
    await _tick(harness)  # two days later, message 2 is 91 days old
    kept = [m for m in range(1, 5) if await messages.task_for_message(db, chat_id=7, message_id=m)]
    assert kept == [3, 4]
    assert await accounts.failures_since(db, telegram_id=99, since=now - timedelta(days=1)) == []


async def test_the_daily_tick_brings_the_overdue_counts_to_the_day(
    harness_factory: HarnessFactory,
) -> None:
    harness = await harness_factory(now=MORNING, reminders=QUIET_TICKS)
    await _tick(harness)
    anchor = "SELECT day FROM overdue_anchor"
    assert await harness.db.fetchval(anchor) == "2020-04-15"
    harness.clock.set(MORNING + timedelta(days=3))
    await _tick(harness)
    assert await harness.db.fetchval(anchor) == "2020-04-18"
