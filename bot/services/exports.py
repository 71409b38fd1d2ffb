"""Export: the register written out as a sheet, .csv or .xlsx.

`export_file` writes the units, people or tasks as the import reads them back (the rows are
made by bot/exporter.py); `export_changes` writes the decisions made in the bot, one row
each, for the e-office (`dondoc export changes`, and /export for admins).
"""

from __future__ import annotations

import asyncio
from datetime import date, tzinfo
from pathlib import Path

from bot.exporter import SUFFIXES, export_sheet, write_table
from bot.importer import FileProblem
from bot.models import ImportKind, Task
from bot.texts import plain
from storage import Database, importing, register
from storage.changes import bot_changes

CHANGE_COLUMNS = (
    "code", "doc_number", "what", "completed_on", "reply_doc", "old_deadline", "new_deadline",
    "text", "decided_by", "decided_at",
)  # fmt: skip


async def export_file(
    db: Database, kind: ImportKind, path: Path, *, today: date, due_soon_days: int, lang: str
) -> int:
    """Write the register's units, people or tasks to `path`; returns the rows written."""
    if path.suffix.lower() not in SUFFIXES:
        raise FileProblem("export.format", name=path.name)
    catalog = await importing.load_catalog(db)
    tasks: list[Task] = await register.all_tasks(db) if kind is ImportKind.TASKS else []
    header, rows = export_sheet(
        kind, catalog, tasks, today=today, due_soon_days=due_soon_days, lang=lang
    )
    return await asyncio.to_thread(write_table, path, header, rows)


async def export_changes(
    db: Database, path: Path, *, since: date, until: date, lang: str, tz: tzinfo
) -> int:
    """The decisions made from `since` to `until` (local days, both included) written to a
    .csv or .xlsx file, headers in `lang`; returns the rows. FileProblem if it cannot be."""
    changes = await bot_changes(db, first=since, last=until, tz=tz)
    header = [plain(lang, f"changes.col.{name}") for name in CHANGE_COLUMNS]
    rows = [
        (c.code, c.doc_number, plain(lang, f"changes.what.{c.what}"), c.completed_on,
         c.reply_doc, c.old_deadline, c.new_deadline, c.text, c.decided_by,
         c.decided_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"))
        for c in changes
    ]  # fmt: skip
    return await asyncio.to_thread(write_table, path, header, rows)
