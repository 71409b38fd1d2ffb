"""The last word: a registered person's message that no handler took gets a pointer to /help.

Runs in the last group; `handlers.access.requires` marks an update as handled, so anything a
declared handler answered (in any group) is left alone. Group chats are never answered here.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot.context import DondocContext
from handlers.access import reply

FALLBACK_GROUP = 100


def register(application: Application) -> None:
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, fallback),
        group=FALLBACK_GROUP,
    )


async def fallback(update: Update, context: DondocContext) -> None:
    if context.handled or context.person is None:
        return
    message = update.message
    is_command = message is not None and (message.text or "").startswith("/")
    await reply(update, context.t("fallback.unknown_command" if is_command else "fallback.text"))
