"""The composition root: `build_application(settings)` wires every handler in one place."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotData, DondocContext, Services
from handlers import register as register_handlers
from storage import Database

log = logging.getLogger(__name__)

DondocApplication = Application[Any, DondocContext, dict[Any, Any], dict[Any, Any], BotData, Any]
# Updates handled at the same time, across chats; one chat's updates go one after another.
MAX_CONCURRENT_UPDATES = 64


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat in the order they came (a dialogue's steps, a double press), and
    different chats at the same time, so one slow chat does not hold up the others."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}

    @staticmethod
    def chat_key(update: object) -> Hashable:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return ("chat", update.effective_chat.id)
            if update.effective_user is not None:
                return ("user", update.effective_user.id)
        return ("update", id(update))

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self.chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def freeze_startup_objects() -> None:
    """Leave what start-up made (modules, the calendar, PTB, Babel: a few hundred thousand
    objects) out of the cyclic collector's passes. Its full pass walked them all, now and
    then inside an answer: the p99 of /overdue and /tasks after a write (timed with
    gc.callbacks in bench.answers, full passes of 66-153 ms inside answers; frozen,
    0,1-0,3 ms)."""
    gc.collect()
    gc.freeze()


def build_application(
    settings: Settings, *, clock: Clock | None = None, updater: bool = True
) -> DondocApplication:
    """The bot, ready for `run_polling` or `start_in_loop`; without an Updater
    (`updater=False`) when updates come another way (the webhook, bot/webhook.py)."""
    token = settings.require_token()
    clock = clock or SystemClock(settings.organization.tz)

    async def open_services(application: DondocApplication) -> None:
        db = await Database.open(settings.database.path)
        services = Services(settings=settings, db=db, clock=clock)
        application.bot_data.services = services
        services.calendar.is_working_day(clock.today())  # the holidays' data, loaded once
        freeze_startup_objects()

    async def close_services(application: DondocApplication) -> None:
        services = application.bot_data.services
        if services is not None:
            await services.db.close()
            application.bot_data.services = None

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram.api_base_url)
        .base_file_url(settings.telegram.file_url)
        .context_types(ContextTypes(context=DondocContext, bot_data=BotData))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.organization.tz))
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.telegram.messages_per_second,
                overall_time_period=1,
                group_max_rate=20,
                group_time_period=60,
                max_retries=3,
            )
        )
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(open_services)
        .post_shutdown(close_services)
    )
    if not updater:
        builder = builder.updater(None)
    application: DondocApplication = builder.build()
    register_handlers(application)
    return application


async def start_in_loop(
    application: DondocApplication, *, drop_pending_updates: bool = False
) -> None:
    """Start the bot in the running event loop, as `run_polling` does in its own: initialise
    (post_init opens the register), long-poll (when it has an Updater), start the handlers
    and the JobQueue."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    if application.updater is not None:
        await application.updater.start_polling(
            poll_interval=0.0, timeout=10, drop_pending_updates=drop_pending_updates
        )
    await application.start()


async def stop_in_loop(application: DondocApplication) -> None:
    """Stop what `start_in_loop` started, in the reverse order (post_shutdown closes the
    register)."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
