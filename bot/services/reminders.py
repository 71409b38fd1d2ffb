"""The running bot's jobs: the tick (the day's round planned when due, the daily backup
and upkeep), the scheduled pull from the e-office, and the sender's lifecycle (one sender
per bot, draining the outbox).

The JobQueue only ticks (handlers/reminders.py, every `[reminders] tick_seconds`) and pulls
(handlers/sync.py, every `[sync] every_minutes`); everything it decides comes from the
database: the round is planned when due and not planned yet, and the sender drains what the
outbox holds. Tests call `tick(application, wait=True)` or `pull_now(application)` instead
of waiting.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import Application

from bot.context import Services
from bot.models import Person, Recipient
from bot.onboarding import failures_matter_since
from bot.reminders.messenger import BotMessenger, Messenger, close_outbox_bot, outbox_bot
from bot.reminders.pacing import Backoff, SendLimiter, default_window
from bot.reminders.policy import Policy
from bot.reminders.render import Upcoming
from bot.services import rounds
from bot.services.accounts import person_for_telegram
from bot.services.review import OutboxCards
from bot.services.sender import Sender
from bot.services.sync import KindPull, pull
from storage import outbox as store
from storage.db import Database
from storage.upkeep import daily_upkeep

log = logging.getLogger(__name__)


@dataclass
class SenderSetup:
    """How this bot sends its outbox; tests may change it before a tick."""

    limiter: SendLimiter
    window: int
    backoff: Backoff = field(default_factory=Backoff)
    read_timeout: float | None = None
    messenger: Messenger | None = None  # None: the application's bot, without its limiter


def sender_setup(application: Application[Any, Any, Any, Any, Any, Any]) -> SenderSetup:
    data = application.bot_data
    setup = data.sender_setup
    if setup is None:
        settings = _services(application).settings
        limiter = SendLimiter.from_settings(settings)
        setup = data.sender_setup = SenderSetup(limiter, default_window(limiter.rate))
    assert isinstance(setup, SenderSetup)
    return setup


def _services(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    services = application.bot_data.services
    if services is None:
        raise RuntimeError("the application has not been initialised")
    assert isinstance(services, Services)
    return services


async def tick(
    application: Application[Any, Any, Any, Any, Any, Any], *, wait: bool = False
) -> None:
    """Plan the day's round if it is due, take the daily backup, and (re)start the sender.
    With `wait`, return only when nothing due is left to send."""
    services = _services(application)
    now = services.clock.now()
    policy = Policy.from_settings(services.settings)
    try:
        await rounds.daily_backup(services.db, services.settings, day=policy.local(now).date())
    except (OSError, sqlite3.Error):
        log.exception("the daily backup failed; the next tick tries again")
    try:  # old task messages and wrong codes forgotten, overdue counts, planner statistics
        await daily_upkeep(
            services.db,
            now=now,
            today=policy.local(now).date(),
            failures_before=failures_matter_since(now),
        )
    except sqlite3.Error:
        log.exception("the daily upkeep failed; the next tick tries again")
    await rounds.plan_round(services.db, now=now, calendar=services.calendar, policy=policy)
    if wait:
        await flush(application)
    else:
        start_sender(application)


async def flush(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Run the sender and return only when nothing due is left to send (tests: a notice
    stored by a handler has then been delivered)."""
    services = _services(application)
    due = None
    while True:
        await start_sender(application)
        # Rows due now but not sent: a drain that ended as another began. Go on while that
        # makes progress (in quiet hours, or on a shutdown, the drain sends nothing).
        left = await store.due_count(services.db, now=services.clock.now())
        if not left or left == due:
            return
        due = left


async def pull_now(application: Application[Any, Any, Any, Any, Any, Any]) -> list[KindPull]:
    """One pull of every address by the running bot; the notices it stored are sent at once.
    A pull that fails, however it fails, is logged and tried again at the next run: the bot
    stays up."""
    services = _services(application)
    clock = services.clock
    try:
        pulls = await pull(services.db, services.settings, today=clock.today(), now=clock.now())
    except Exception:  # a bug or a full disk: logged, and the next run tries again
        log.exception("the sync failed; the next run tries again")
        return []
    start_sender(application)
    return pulls


def start_sender(application: Application[Any, Any, Any, Any, Any, Any]) -> asyncio.Task[Any]:
    """The running sender, or a new one: one per bot, so rows are never sent twice."""
    data = application.bot_data
    running = data.sender
    if isinstance(running, asyncio.Task) and not running.done():
        return running
    task: asyncio.Task[Any] = application.create_task(_drain(application), name="reminders.sender")
    data.sender = task
    return task


async def _drain(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services = _services(application)
    setup = sender_setup(application)
    bot = None
    messenger = setup.messenger
    if messenger is None:
        bot = outbox_bot(application.bot, services.settings, connections=setup.window)
        paid = services.settings.telegram.paid_broadcast
        messenger = BotMessenger(bot, read_timeout=setup.read_timeout, paid_broadcast=paid)
    sender = Sender(
        services.db,
        messenger,
        clock=services.clock,
        policy=Policy.from_settings(services.settings),
        limiter=setup.limiter,
        window=setup.window,
        backoff=setup.backoff,
        cards=OutboxCards(services),
    )
    try:
        await sender.drain(should_stop=lambda: not application.running)
    finally:
        if bot is not None:
            await close_outbox_bot(bot)


async def reminders_ahead(services: Services, person: Person, *, days: int) -> list[Upcoming]:
    """The reminders `person` is due to get in the next `days` working days (/reminders)."""
    found = await rounds.upcoming(
        services.db,
        person=Recipient(person.id, person.role, person.unit_id),
        start=services.clock.today(),
        days=days,
        calendar=services.calendar,
        policy=Policy.from_settings(services.settings),
    )
    lines = await store.task_lines(services.db, (r.task_id for _, r in found if r.task_id))
    codes = {task_id: line.code for task_id, line in lines.items()}
    return [
        Upcoming(day, r.kind, codes.get(r.task_id or 0, ""),
                 int(r.detail.get("days_overdue", r.detail.get("days_left", 0))))
        for day, r in found
    ]  # fmt: skip


async def weekly_paused(db: Database, person_id: int) -> bool:
    """Whether the person paused their weekly summary (/reminders pause)."""
    return await store.is_weekly_paused(db, person_id=person_id)


async def pause_weekly(db: Database, person_id: int, *, paused: bool, now: datetime) -> None:
    await store.set_weekly_paused(db, person_id=person_id, paused=paused, now=now)


async def reachable_again(db: Database, telegram_id: int) -> Person | None:
    """The person linked to this account, when Telegram had refused them and they are
    reachable again (their waiting reminders may go out); None otherwise."""
    person = await person_for_telegram(db, telegram_id)
    if person is None or not await store.clear_unreachable(db, person_id=person.id):
        return None
    return person
