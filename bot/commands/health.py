"""`dondoc health`: exit 0 when the configuration loads and the database answers (for Docker)."""

from __future__ import annotations

import argparse
import sys

from bot.commands import open_database, run_async
from bot.config import Settings
from bot.texts import plain
from storage.db import migrations


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("health", help="check the configuration and the database")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    return run_async(check(settings))


async def check(settings: Settings) -> int:
    async with open_database(settings) as db:
        version = await db.schema_version()
        await db.fetchval("SELECT count(*) FROM units")
    latest = migrations()[-1][0]
    if version != latest:
        message = plain(settings.organization.language, "health.cli.schema", version=version,
                        latest=latest)  # fmt: skip
        print(message, file=sys.stderr)  # noqa: T201
        return 1
    print("ok")  # noqa: T201
    return 0
