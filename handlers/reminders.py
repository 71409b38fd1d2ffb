"""Reminders in the bot: the tick job, /reminders, the pause buttons, and /start clearing
"unreachable".

The JobQueue only ticks (every `[reminders] tick_seconds`): the tick and the sender are
use cases (bot/services/reminders.py).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import JobQueue

from bot.buttons import PAUSE
from bot.context import DondocContext
from bot.keyboards import keyboard
from bot.reminders.policy import Policy
from bot.reminders.render import WEEKLY_ROLES, Rendered, overview, plain_text
from bot.services.reminders import (
    pause_weekly,
    reachable_again,
    reminders_ahead,
    start_sender,
    tick,
    weekly_paused,
)
from handlers.access import reply

log = logging.getLogger(__name__)

UPCOMING_DAYS = 5  # working days /reminders looks ahead


# --- the tick --------------------------------------------------------------------------------


async def schedule(context: DondocContext) -> None:
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


# --- /reminders ------------------------------------------------------------------------------


async def _overview(context: DondocContext) -> Rendered:
    person = context.person
    assert person is not None
    policy = Policy.from_settings(context.settings)
    upcoming = await reminders_ahead(context.services, person, days=UPCOMING_DAYS)
    return overview(
        context.lang,
        name=person.name,
        role=person.role,
        policy=policy,
        weekly_paused=await weekly_paused(context.store, person.id),
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
    await pause_weekly(context.store, person.id, paused=paused, now=context.clock.now())
    return context.t("rem.paused" if paused else "rem.resumed")


async def reminders_pressed(update: Update, context: DondocContext) -> None:
    """The pause / resume button under /reminders (the data is checked, never trusted)."""
    query = update.callback_query
    assert query is not None
    action = PAUSE.parse(query.data or "")
    if action is None:
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
    person = await reachable_again(context.store, user.id)
    if person is not None:
        log.info("person %s is reachable again", person.code)
        start_sender(context.application)
