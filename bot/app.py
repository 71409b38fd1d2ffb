"""The composition root: `build_application(settings)` wires every handler in one place."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotData, DondocContext, Services
from storage import Database

log = logging.getLogger(__name__)

# Handler modules, each with `register(application)`; groups and order are theirs to state.
HANDLER_MODULES = (
    "handlers.errors",
    "handlers.access",
    "handlers.onboarding",
    "handlers.tasks",
    "handlers.workflow",
    "handlers.reminders",
    "handlers.figures",
    "handlers.fallback",
)

DondocApplication = Application[Any, DondocContext, dict[Any, Any], dict[Any, Any], BotData, Any]


def build_application(settings: Settings, *, clock: Clock | None = None) -> DondocApplication:
    """The bot, ready for `run_polling`/`run_webhook` or for `async with` in tests."""
    token = settings.require_token()
    clock = clock or SystemClock(settings.organization.tz)

    async def open_services(application: DondocApplication) -> None:
        db = await Database.open(settings.database.path)
        application.bot_data.services = Services(settings=settings, db=db, clock=clock)

    async def close_services(application: DondocApplication) -> None:
        services = application.bot_data.services
        if services is not None:
            await services.db.close()
            application.bot_data.services = None

    application: DondocApplication = (
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
        .post_init(open_services)
        .post_shutdown(close_services)
        .build()
    )
    for name in HANDLER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a feature not built yet
        module.register(application)
    return application
