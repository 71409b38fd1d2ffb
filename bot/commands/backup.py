"""`dondoc backup DEST`: a consistent copy of the database, safe while the bot runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.commands import open_database, run_async
from bot.config import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("backup", help="copy the database (online backup API)")
    parser.add_argument("dest", type=Path, help="the file to write")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    return run_async(backup(settings, args.dest))


async def backup(settings: Settings, dest: Path) -> int:
    async with open_database(settings) as db:
        written = await db.backup(dest)
    print(f"{written}", file=sys.stdout)  # noqa: T201
    return 0
