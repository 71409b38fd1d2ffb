"""Reminders in the bot: the tick job, /reminders, the pause buttons, and /start clearing
"unreachable".

The JobQueue only ticks (every `[reminders] tick_seconds`); everything it decides comes
from the database: the round is planned when due and not planned yet, and the sender drains
what the outbox holds. Tests call `tick(application, wait=True)` instead of waiting.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, JobQueue

from bot.context import DondocContext, Services
from bot.models import Recipient
from bot.onboarding import failures_matter_since
from bot.reminders import rounds
from bot.reminders.policy import Policy
from bot.reminders.render import WEEKLY_ROLES, Rendered, Upcoming, overview, plain_text
from bot.reminders.sender import (
    Backoff,
    BotMessenger,
    Cards,
    Messenger,
    Sender,
    SendLimiter,
    close_outbox_bot,
    default_window,
    outbox_bot,
)
from handlers.access import add_callback, add_command, keyboard, reply
from storage import outbox as store
from storage.register import get_person
from storage.upkeep import daily_upkeep

log = logging.getLogger(__name__)

UPCOMING_DAYS = 5  # working days /reminders looks ahead
_SETUP = "reminders.setup"
_SENDER = "reminders.sender"
_CARDS = "reminders.cards"


def register(application: Application) -> None:
    add_command(application, "reminders", reminders_command)
    add_callback(application, "rem", reminders_pressed)
    # After onboarding's /start (group 0): a person who comes back is reachable again.
    application.add_handler(CommandHandler("start", came_back), group=1)
    if application.job_queue is not None:
        application.job_queue.run_once(_schedule, when=0, name="reminders.schedule")


# --- the tick --------------------------------------------------------------------------------


async def _schedule(context: DondocContext) -> None:
    seconds = context.settings.reminders.tick_seconds
    queue: JobQueue[Any] | None = context.job_queue
    assert queue is not None
    queue.run_repeating(
        _tick_job,
        interval=seconds,
        first=seconds,
        name="reminders.tick",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )


async def _tick_job(context: DondocContext) -> None:
    await tick(context.application)


@dataclass
class SenderSetup:
    """How this bot sends its outbox; tests may change it before a tick."""

    limiter: SendLimiter
    window: int
    backoff: Backoff = field(default_factory=Backoff)
    read_timeout: float | None = None
    messenger: Messenger | None = None  # None: the application's bot, without its limiter


def sender_setup(application: Application[Any, Any, Any, Any, Any, Any]) -> SenderSetup:
    extra: dict[str, Any] = application.bot_data.extra
    setup = extra.get(_SETUP)
    if setup is None:
        settings = _services(application).settings
        limiter = SendLimiter.from_settings(settings)
        setup = extra[_SETUP] = SenderSetup(limiter, default_window(limiter.rate))
    assert isinstance(setup, SenderSetup)
    return setup


def use_cards(application: Application[Any, Any, Any, Any, Any, Any], cards: Cards) -> None:
    """Who writes the reviewers' cards the outbox holds (the workflow, at build time)."""
    application.bot_data.extra[_CARDS] = cards


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


def start_sender(application: Application[Any, Any, Any, Any, Any, Any]) -> asyncio.Task[Any]:
    """The running sender, or a new one: one per bot, so rows are never sent twice."""
    extra: dict[str, Any] = application.bot_data.extra
    running = extra.get(_SENDER)
    if isinstance(running, asyncio.Task) and not running.done():
        return running
    task: asyncio.Task[Any] = application.create_task(_drain(application), name="reminders.sender")
    extra[_SENDER] = task
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
        cards=application.bot_data.extra.get(_CARDS),
    )
    try:
        await sender.drain(should_stop=lambda: not application.running)
    finally:
        if bot is not None:
            await close_outbox_bot(bot)


# --- /reminders ------------------------------------------------------------------------------


async def _overview(context: DondocContext) -> Rendered:
    person = context.person
    assert person is not None
    policy = Policy.from_settings(context.settings)
    found = await rounds.upcoming(
        context.store,
        person=Recipient(person.id, person.role, person.unit_id),
        start=context.clock.today(),
        days=UPCOMING_DAYS,
        calendar=context.services.calendar,
        policy=policy,
    )
    lines = await store.task_lines(context.store, (r.task_id for _, r in found if r.task_id))
    codes = {task_id: line.code for task_id, line in lines.items()}
    upcoming = [
        Upcoming(day, r.kind, codes.get(r.task_id or 0, ""),
                 int(r.detail.get("days_overdue", r.detail.get("days_left", 0))))
        for day, r in found
    ]  # fmt: skip
    return overview(
        context.lang,
        name=person.name,
        role=person.role,
        policy=policy,
        weekly_paused=await store.is_weekly_paused(context.store, person_id=person.id),
        upcoming=upcoming,
        horizon_days=UPCOMING_DAYS,
    )


async def reminders_command(update: Update, context: DondocContext) -> None:
    """/reminders, /reminders pause, /reminders resume."""
    args = [a.lower() for a in context.args or []]
    if args and (len(args) > 1 or args[0] not in ("pause", "resume")):
        await reply(update, context.t("rem.usage"))
        return
    if args:
        await reply(update, await _set_paused(context, args[0] == "pause"))
        return
    shown = await _overview(context)
    await reply(update, shown.text, reply_markup=keyboard(shown.buttons))


async def _set_paused(context: DondocContext, paused: bool) -> str:
    person = context.person
    assert person is not None
    if person.role not in WEEKLY_ROLES:
        return context.t("rem.no_weekly")
    await store.set_weekly_paused(
        context.store, person_id=person.id, paused=paused, now=context.clock.now()
    )
    return context.t("rem.paused" if paused else "rem.resumed")


async def reminders_pressed(update: Update, context: DondocContext) -> None:
    """The pause / resume button under /reminders (the data is checked, never trusted)."""
    query = update.callback_query
    assert query is not None
    action = (query.data or "").removeprefix("rem:")
    if action not in ("pause", "resume"):
        await query.answer()
        return
    said = await _set_paused(context, action == "pause")
    await query.answer(_plain(said))
    shown = await _overview(context)
    try:
        await query.edit_message_text(shown.text, reply_markup=keyboard(shown.buttons))
    except TelegramError as exc:  # e.g. "message is not modified" after a double press
        log.info("the /reminders message was not edited: %s", exc)


def _plain(text: str) -> str:
    return plain_text(text)[:200]  # a callback answer is plain text, at most 200 characters


# --- coming back -----------------------------------------------------------------------------


async def came_back(update: Update, context: DondocContext) -> None:
    """/start from a person Telegram refused before: their waiting reminders go out."""
    user = update.effective_user
    if user is None:
        return
    person = await get_person(context.store, telegram_id=user.id)
    if person is None:
        return
    if await store.clear_unreachable(context.store, person_id=person.id):
        log.info("person %s is reachable again", person.code)
        start_sender(context.application)
