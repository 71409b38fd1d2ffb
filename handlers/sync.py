"""The scheduled pull in the running bot: every `[sync] every_minutes` from the JobQueue.

The job only pulls (bot/sync.py decides who is told of what, through the outbox) and then
starts the sender. A pull that fails, however it fails, is logged and tried again at the
next run: the bot stays up. Tests call `pull_now(application)` instead of waiting.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, JobQueue

from bot.context import DondocContext, Services
from bot.services.reminders import start_sender
from bot.sync import KindPull, pull

log = logging.getLogger(__name__)

FIRST_PULL_SECONDS = 60  # after the bot starts: its start is not held up by the e-office


async def schedule(context: DondocContext) -> None:
    sync = context.settings.sync
    if not sync.every_minutes or not sync.addresses:
        return
    queue: JobQueue[Any] | None = context.job_queue
    assert queue is not None
    queue.run_repeating(
        _pull_job,
        interval=sync.every_minutes * 60,
        first=FIRST_PULL_SECONDS,
        name="sync.pull",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )


async def _pull_job(context: DondocContext) -> None:
    await pull_now(context.application)


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
