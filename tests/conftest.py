"""Shared fixtures: the Bot API test double is a plugin of its own."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database

pytest_plugins = ["tests.tgdouble.plugin", "tests.harness"]


@pytest.fixture(scope="session")
def empty_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty database to copy: opening a copy needs no migrations."""
    path = tmp_path_factory.mktemp("template") / "empty.sqlite3"

    async def create() -> None:
        db = await Database.open(path)
        await db.close()

    asyncio.run(create())
    return path


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh register in tmp_path, closed after the test."""
    database = await Database.open(tmp_path / "dondoc.sqlite3")
    try:
        yield database
    finally:
        await database.close()
