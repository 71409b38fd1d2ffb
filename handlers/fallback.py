"""The last word: a registered person's message that no handler took gets a pointer to
/help, and a button press that no handler took gets a short answer (no endless spinner).

Runs in the last group; `handlers.access.requires` marks an update as handled, so anything a
declared handler answered (in any group) is left alone. Group chats get no message here.
"""

from __future__ import annotations

from telegram import Update

from bot.context import DondocContext
from bot.texts import plain
from handlers.access import in_group, reply

FALLBACK_GROUP = 100


async def fallback(update: Update, context: DondocContext) -> None:
    if context.handled or context.person is None:
        return
    message = update.message
    is_command = message is not None and (message.text or "").startswith("/")
    await reply(update, context.t("fallback.unknown_command" if is_command else "fallback.text"))


async def stale_button(update: Update, context: DondocContext) -> None:
    query = update.callback_query
    if context.handled or query is None:
        return
    await query.answer(None if in_group(update) else plain(context.lang, "fallback.stale_button"))
