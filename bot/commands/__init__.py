"""Subcommands of `dondoc`, one module each (see bot/cli.py)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from bot.config import Settings
from storage import Database

Handler = Callable[[argparse.Namespace, Settings], int]


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The configured database, migrated, closed afterwards."""
    db = await Database.open(settings.database.path)
    try:
        yield db
    finally:
        await db.close()


def run_async(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)
