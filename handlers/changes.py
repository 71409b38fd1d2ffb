"""/export for admins: the decisions made in the bot, as a spreadsheet for the e-office
(the same file as `dondoc export changes`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from telegram import Update

from bot.changes import asked_days
from bot.context import DondocContext
from bot.formats import format_date, format_int
from bot.services.exports import export_changes
from handlers.access import reply


async def export_command(update: Update, context: DondocContext) -> None:
    asked = asked_days(context.args or [], context.clock.today())
    if asked is None:
        await reply(update, context.t("changes.bot.usage"))
        return
    since, until = asked
    settings = context.settings
    stem = f"thay-doi-{since.isoformat()}-{until.isoformat()}.xlsx"
    with tempfile.TemporaryDirectory(prefix="dondoc-export-") as folder:
        path = Path(folder) / stem
        count = await export_changes(
            context.store, path, since=since, until=until,
            lang=settings.organization.language, tz=settings.organization.tz,
        )  # fmt: skip
        caption = context.t(
            "changes.bot.caption", since=format_date(since), until=format_date(until),
            count=format_int(count, context.lang),
        )  # fmt: skip
        chat = update.effective_chat
        assert chat is not None
        await chat.send_document(path.read_bytes(), filename=stem, caption=caption)
