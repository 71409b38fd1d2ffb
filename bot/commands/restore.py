"""`dondoc restore BACKUP`: put a backup (`dondoc backup`, or the daily one) in the place of the
database, once the bot is stopped.

Refused while a `dondoc run` works on the database: the bot holds the lock file beside it
(`dondoc.sqlite3.lock`, an exclusive flock) for as long as it runs, and restore takes the
same lock for the swap. The backup is checked first (SQLite's integrity check, the
register's tables, a schema version this dondoc knows); the current file is kept as
`dondoc.sqlite3.before-restore-YYYYMMDD-HHMMSS` (its WAL checkpointed into it), then the
backup is copied into place. Exit codes: 0 restored, 1 the backup cannot be restored, 3 the
bot is running (2: usage or configuration, as every command).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.texts import plain
from storage.db import (
    BackupProblem,
    DatabaseInUse,
    check_backup,
    exclusive,
    put_in_place,
    set_aside,
)

BAD_BACKUP, RUNNING = 1, 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "restore", help="replace the database with a backup (the bot must be stopped)"
    )
    parser.add_argument("backup", type=Path, help="the backup file (from dondoc backup)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    return restore(settings, args.backup, now=SystemClock(settings.organization.tz).now())


def kept_path(database: Path, now: datetime) -> Path:
    """Where the current database is kept: `dondoc.sqlite3.before-restore-20200415-090000`."""
    return database.with_name(f"{database.name}.before-restore-{now:%Y%m%d-%H%M%S}")


def restore(settings: Settings, backup: Path, *, now: datetime) -> int:
    lang = settings.organization.language
    database = settings.database.path

    def say(key: str, **values: object) -> None:
        stream = sys.stdout if key in ("restore.cli.kept", "restore.cli.done") else sys.stderr
        print(plain(lang, key, **values), file=stream)

    if not backup.is_file():
        say("restore.cli.missing", path=backup)
        return BAD_BACKUP
    if database.exists() and backup.resolve() == database.resolve():
        say("restore.cli.same_file", path=backup)
        return BAD_BACKUP
    try:
        with exclusive(database):
            try:
                version = check_backup(backup)
            except BackupProblem as problem:
                say(f"restore.cli.{problem.reason}", path=backup, **problem.values)
                return BAD_BACKUP
            kept = kept_path(database, now)
            if set_aside(database, kept):
                say("restore.cli.kept", path=kept)
            put_in_place(backup, database)
    except DatabaseInUse as busy:
        say("restore.cli.running", database=database, lock=busy.lock)
        return RUNNING
    say("restore.cli.done", database=database, path=backup, version=version)
    return 0
