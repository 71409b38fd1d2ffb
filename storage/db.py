"""The SQLite database: connections, PRAGMAs, migrations, transactions and backup.

Every SQLite specific lives in this module; the other storage modules speak portable SQL.
One writer connection (writes serialised by a lock, each in `BEGIN IMMEDIATE`) and one
reader connection, which in WAL mode sees the last committed state without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
Params = Sequence[Any] | dict[str, Any]


def migrations() -> list[tuple[int, str, str]]:
    """The numbered migrations shipped in storage/migrations, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = sqlite3.Row
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute("PRAGMA synchronous=NORMAL")
    # A write waits this long for another process's (`dondoc import` of 100,000 tasks holds
    # its all-or-nothing transaction ~5 s on a quiet machine): a press waits, it does not fail.
    await conn.execute("PRAGMA busy_timeout=30000")
    await conn.execute("PRAGMA cache_size=-65536")
    await conn.execute("PRAGMA temp_store=MEMORY")


class Database:
    """An open dondoc database. Use `await Database.open(path)`; close with `close()`."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await aiosqlite.connect(path, isolation_level=None)
        try:
            await _configure(writer)
            if migrate:
                await apply_migrations(writer)
                await refresh_statistics(writer)
            reader = await aiosqlite.connect(path, isolation_level=None)
            await _configure(reader)
            await reader.execute("PRAGMA query_only=ON")
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader)

    async def close(self) -> None:
        await self._reader.close()
        async with self._write_lock:
            await self._writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: `BEGIN IMMEDIATE`, committed on success, rolled back on error."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        # One trip to the reader's thread, the statement run to its end there: a read then
        # sees every write committed before it began. (Run as execute, fetch, close, another
        # coroutine's statement left open between those steps held later reads on its older
        # snapshot: a report just filed was not found under concurrent updates.)
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query of one row (a key, an aggregate)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One write statement in its own transaction; returns the rows changed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def backup(self, dest: Path | str) -> Path:
        """A consistent copy through SQLite's online backup API, safe while the bot runs."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        partial.unlink(missing_ok=True)
        target = await aiosqlite.connect(partial)
        try:
            await self._reader.backup(target)
        finally:
            await target.close()
        partial.replace(dest)
        return dest

    async def schema_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version"))

    async def refresh_statistics(self) -> None:
        """`refresh_statistics` on the open database (the daily job: a bot that runs for
        months would otherwise keep the statistics of its start)."""
        async with self._write_lock:
            await refresh_statistics(self._writer)

    async def data_version(self) -> int:
        """A number that changes whenever a write is committed (seen from the reader): an
        answer computed at one value stays true while the value stays."""
        return int(await self.fetchval("PRAGMA data_version"))


async def refresh_statistics(conn: aiosqlite.Connection) -> None:
    """Give the query planner fresh statistics of the tables and their indexes.

    Without them SQLite may pick a wide index over a narrow partial one (measured: /stats
    ~200 ms instead of ~20 ms on a million tasks). `analysis_limit` samples each index, so
    this takes ~10 ms on a million tasks; a busy or read-only database is left as it is.
    """
    try:
        await conn.execute("PRAGMA analysis_limit=1000")
        await conn.execute("ANALYZE")
    except sqlite3.OperationalError as exc:
        log.debug("statistics not refreshed: %s", exc)


async def apply_migrations(conn: aiosqlite.Connection) -> int:
    """Apply the migrations newer than `PRAGMA user_version`, each in its own transaction."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    known = migrations()
    latest = known[-1][0] if known else 0
    if current > latest:
        raise RuntimeError(
            f"the database is at schema version {current}, newer than this dondoc ({latest})"
        )
    for number, name, sql in known:
        if number <= current:
            continue
        log.info("applying migration %s", name)
        try:
            await conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {number};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        current = number
    return current
