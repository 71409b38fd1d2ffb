"""The scheduled pull of the running bot: one pull of every address, then the sender
started for the notices it stored. A pull that fails, however it fails, is logged and
tried again at the next run: the bot stays up."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application

from bot.context import Services
from bot.services.reminders import start_sender
from bot.sync import KindPull, pull

log = logging.getLogger(__name__)


async def pull_now(application: Application[Any, Any, Any, Any, Any, Any]) -> list[KindPull]:
    """One pull of every address; the notices it stored are sent at once."""
    services = application.bot_data.services
    assert isinstance(services, Services)
    clock = services.clock
    try:
        pulls = await pull(services.db, services.settings, today=clock.today(), now=clock.now())
    except Exception:  # a bug or a full disk: logged, and the next run tries again
        log.exception("the sync failed; the next run tries again")
        return []
    start_sender(application)
    return pulls
