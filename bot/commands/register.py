"""`dondoc import`, `dondoc export` and `dondoc sample`: the register in and out of sheets."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from bot.clock import SystemClock
from bot.commands import open_database, run_async
from bot.commands.sync import add_change_period, handle_export_changes
from bot.config import Settings
from bot.formats import format_date, format_int
from bot.import_summary import summary_lines, write_conflicts
from bot.importer import FileProblem, ImportResult, Progress
from bot.models import ImportKind, Prefer
from bot.texts import plain

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kinds = [kind.value for kind in ImportKind]
    parser = subparsers.add_parser(
        "import", help="import units, people or tasks from a .csv or .xlsx file (all or nothing)"
    )
    parser.add_argument("kind", choices=kinds, help="what the file holds")
    parser.add_argument("file", type=Path, help="the .csv or .xlsx file")
    parser.add_argument(
        "--dry-run", action="store_true",
        help="say what the import would do (and the changed fields of each row); write nothing",
    )  # fmt: skip
    parser.add_argument(
        "--prefer", choices=[p.value for p in Prefer], default=Prefer.REGISTER.value,
        help="whose value a conflict keeps: the register's (default) or the file's",
    )  # fmt: skip
    parser.add_argument(
        "--conflicts", type=Path, metavar="OUT.csv|OUT.xlsx",
        help="also write the conflicts to this file, for the Office",
    )  # fmt: skip
    parser.set_defaults(handler=handle_import)

    parser = subparsers.add_parser(
        "export", help="write the register to a .csv or .xlsx file that imports back unchanged"
    )
    parser.add_argument(
        "kind", choices=[*kinds, "changes"],
        help="what to export (tasks: with status; changes: the decisions made in the bot)",
    )  # fmt: skip
    parser.add_argument("file", type=Path, help="the .csv or .xlsx file to write")
    add_change_period(parser)
    parser.set_defaults(handler=handle_export)

    parser = subparsers.add_parser(
        "sample", help="write a sample province (units, people, tasks) as import files"
    )
    parser.add_argument("directory", type=Path, help="the folder to write the three files in")
    parser.add_argument(
        "--today", type=date.fromisoformat, metavar="YYYY-MM-DD",
        help="the day the sample's dates are built around (default: today)",
    )  # fmt: skip
    parser.set_defaults(handler=handle_sample)


def _say(text: str, *, error: bool = False) -> None:
    print(text, file=sys.stderr if error else sys.stdout)


def terminal_progress(lang: str) -> Progress:
    """Rows read and checked, rewritten on one line of the terminal."""

    def show(stage: str, count: int) -> None:
        text = plain(lang, f"import.progress.{stage}", count=format_int(count, lang))
        sys.stderr.write(f"\r{text}\033[K")
        sys.stderr.flush()

    return show


def handle_import(args: argparse.Namespace, settings: Settings) -> int:
    lang = settings.organization.language
    clock = SystemClock(settings.organization.tz)
    kind = ImportKind(args.kind)
    if args.conflicts is not None and args.conflicts.suffix.lower() not in (".csv", ".xlsx"):
        _say(plain(lang, "export.format", name=args.conflicts.name), error=True)
        return 1  # said before the import, which would otherwise be done and its list lost
    progress = terminal_progress(lang) if sys.stderr.isatty() else None
    from bot.services.imports import announce_import, import_file  # loaded when used

    async def run() -> ImportResult:
        async with open_database(settings) as db:
            result = await import_file(
                db, kind, args.file, today=clock.today(), now=clock.now(),
                dry_run=args.dry_run, prefer=Prefer(args.prefer), progress=progress,
            )  # fmt: skip
            # The people of new and reassigned tasks are told, once each.
            if result.ok and not result.dry_run:
                await announce_import(db, settings, result.assigned, now=clock.now())
            return result

    try:
        result = _guarded(lang, lambda: asyncio.run(run()))
    finally:
        if progress is not None:
            sys.stderr.write("\r\033[K")
    if result is None:
        return 1
    name = args.file.name
    if not result.ok:
        rows = len({error.row for error in result.errors})
        _say(
            plain(lang, "import.rejected", name=name, errors=format_int(len(result.errors), lang),
                  rows=format_int(rows, lang)),
            error=True,
        )  # fmt: skip
        for error in result.errors:
            _say(error.message(lang), error=True)
        return 1
    for line in summary_lines(result, lang, details=result.dry_run):
        _say(line)
    if args.conflicts is not None:
        count = _guarded(lang, lambda: write_conflicts(result, args.conflicts, lang))
        if count is None:
            return 1
        _say(plain(lang, "import.merge.conflicts_written", count=format_int(count, lang),
                   path=args.conflicts))  # fmt: skip
    return 0


def _guarded(lang: str, work: Callable[[], T]) -> T | None:
    """The work's result, or None after saying why the file could not be used."""
    try:
        return work()
    except FileProblem as problem:
        _say(problem.message(lang), error=True)
        return None


def handle_export(args: argparse.Namespace, settings: Settings) -> int:
    if args.kind == "changes":
        return handle_export_changes(args, settings)
    lang = settings.organization.language
    kind = ImportKind(args.kind)
    today = SystemClock(settings.organization.tz).today()
    from bot.services.exports import export_file

    async def run() -> int:
        async with open_database(settings) as db:
            return await export_file(
                db, kind, args.file, today=today, lang=lang,
                due_soon_days=settings.workflow.due_soon_days,
            )  # fmt: skip

    count = _guarded(lang, lambda: run_async(run()))
    if count is None:
        return 1
    _say(
        plain(lang, "export.done", count=format_int(count, lang),
              kind=plain(lang, f"import.kind.{kind.value}"), path=args.file)
    )  # fmt: skip
    return 0


def handle_sample(args: argparse.Namespace, settings: Settings) -> int:
    lang = settings.organization.language
    today = args.today or SystemClock(settings.organization.tz).today()
    from bot.sample import write_sample

    files = _guarded(lang, lambda: write_sample(args.directory, today=today))
    if files is None:
        return 1
    _say(
        plain(lang, "sample.done", directory=args.directory, units=files.unit_count,
              people=files.person_count, tasks=files.task_count,
              today=format_date(today))
    )  # fmt: skip
    for kind, path in ((ImportKind.UNITS, files.units), (ImportKind.PEOPLE, files.people),
                       (ImportKind.TASKS, files.tasks)):  # fmt: skip
        _say(f"  dondoc import {kind.value} {path}")
    return 0
