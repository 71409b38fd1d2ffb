"""The scheduled pull in the running bot: every `[sync] every_minutes` from the JobQueue.

The job only pulls (bot/services/sync.py decides who is told of what, through the outbox)
and then starts the sender. A pull that fails, however it fails, is logged and tried again
at the next run: the bot stays up. The pull is a use case
(bot/services/reminders.py: `pull_now(application)`, which tests may call instead of
waiting).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import JobQueue

from bot.context import DondocContext
from bot.services.reminders import pull_now

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
