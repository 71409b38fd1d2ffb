"""The SQLite database: connections, PRAGMAs, migrations, transactions and backup.

The connection's SQLite specifics live here; those of the other modules are listed in the
package's docstring (storage/__init__.py). One writer connection (writes serialised by a
lock, each in `BEGIN IMMEDIATE`, reads inside one through its `Transaction`) and one reader
connection, which in WAL mode sees the last committed state without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite
from aiosqlite.context import Result

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


class DatabaseInUse(RuntimeError):
    """Another dondoc process holds the database's lock file (`dondoc run` does)."""

    def __init__(self, lock: Path) -> None:
        super().__init__(f"{lock} is held by another process")
        self.lock = lock


def lock_path(path: Path) -> Path:
    """The lock file beside the database: `dondoc.sqlite3.lock`."""
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[Path]:
    """Hold the database's lock file (an exclusive `flock`) for the block: `dondoc run` holds
    it while the bot runs, `dondoc restore` while it swaps the file. The kernel lets go of
    it when the process ends, however it ends; the file itself stays (removing it would let
    two processes lock two different files). DatabaseInUse when another process holds it."""
    lock = lock_path(Path(path))
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(lock) from None
        yield lock
    finally:
        os.close(fd)  # closing the descriptor releases the lock


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


class _Reads:
    """`fetchone` and `fetchval` over a `fetchall`: the database's and a transaction's reads."""

    __slots__ = ()

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        raise NotImplementedError

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query of one row (a key, an aggregate)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def fetch_by_key(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The one row of a read by a unique key, or the first of an index's range with
        LIMIT 1 (an index lookup, never a scan): what every update asks first (who sent it,
        their menu, the data version), and whether any task was extended after a day."""
        return await self.fetchone(sql, params)


class Transaction(_Reads):
    """The connection of an open write transaction (`Database.transaction`): its writes, and
    the reads that must see them, go through it."""

    __slots__ = ("_conn",)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = ()) -> Result[aiosqlite.Cursor]:
        """A statement: await it for its cursor, or `async with` it to read rows."""
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> Result[aiosqlite.Cursor]:
        return self._conn.executemany(sql, rows)

    def execute_fetchall(self, sql: str, params: Params = ()) -> Result[Iterable[sqlite3.Row]]:
        return self._conn.execute_fetchall(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))


class ReadInTransaction(RuntimeError):
    """A read through the reader by the task that holds the write transaction: it would not
    see the transaction's own writes. Read through the transaction instead."""


class Database(_Reads):
    """An open dondoc database. Use `await Database.open(path)`; close with `close()`."""

    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        keys: sqlite3.Connection,
    ):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._keys = keys
        self._write_lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None  # the task inside `transaction()`

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
            keys = _key_reader(path)
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader, keys)

    async def close(self) -> None:
        self._keys.close()
        await self._reader.close()
        async with self._write_lock:
            await self._writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A write transaction: `BEGIN IMMEDIATE`, committed on success, rolled back on error.
        Inside it, this task reads through the transaction (`fetchone`, …): a read through
        the database raises ReadInTransaction."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            self._holder = asyncio.current_task()
            try:
                yield Transaction(self._writer)
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            finally:
                self._holder = None
            await self._writer.execute("COMMIT")

    def _not_in_own_transaction(self, sql: str) -> None:
        """A read outside the transaction by the task that holds it would miss its writes."""
        if self._holder is not None and self._holder is asyncio.current_task():
            raise ReadInTransaction(sql)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        # One trip to the reader's thread, the statement run to its end there: a read then
        # sees every write committed before it began. (Run as execute, fetch, close, another
        # coroutine's statement left open between those steps held later reads on its older
        # snapshot: a report just filed was not found under concurrent updates.)
        self._not_in_own_transaction(sql)
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetch_by_key(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        # Run here, on the event loop's thread: an index lookup takes microseconds, while the
        # trip to the reader's thread and back waits for that thread to be scheduled, which
        # on a busy machine is the slowest part of a short answer (BENCHMARKS.md, the bot's
        # own cost). Committed writes are seen as by the reader.
        self._not_in_own_transaction(sql)
        rows: list[sqlite3.Row] = self._keys.execute(sql, params).fetchall()  # run to its end
        return rows[0] if rows else None

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
        row = await self.fetch_by_key("PRAGMA data_version")
        assert row is not None
        return int(row[0])


def _key_reader(path: Path) -> sqlite3.Connection:
    """The connection of `Database.fetch_by_key`: read-only, used on the event loop's thread
    only. It waits at most a second for a lock (a reader in WAL mode meets one only while
    another connection recovers the log)."""
    keys = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    keys.row_factory = sqlite3.Row
    keys.execute("PRAGMA busy_timeout=1000")
    keys.execute("PRAGMA query_only=ON")
    return keys


# What a read takes: the database, or the transaction a write is under way in.
Reader = Database | Transaction


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


# --- restoring a backup (`dondoc restore`) --------------------------------------------------

DONDOC_TABLES = ("units", "people", "tasks", "task_events")


class BackupProblem(ValueError):
    """Why a file cannot be restored: `reason` is "not_sqlite", "damaged", "not_dondoc" or
    "too_new"; `values` go into the message."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(f"{reason}: {values}")
        self.reason = reason
        self.values = values


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_backup(path: Path) -> int:
    """The schema version of a dondoc database file that this dondoc can open: SQLite's
    integrity check passes, the register's tables are there, the version is not newer than
    the last migration (an older one is migrated when the bot opens it). BackupProblem else."""
    latest = migrations()[-1][0]
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        raise BackupProblem("not_sqlite", error=str(exc)) from exc
    try:
        try:
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise BackupProblem("not_sqlite", error=str(exc)) from exc
        try:
            found = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:  # pages past the schema's unreadable
            raise BackupProblem("damaged", error=str(exc)) from exc
    finally:
        conn.close()
    problems = [str(row[0]) for row in found if row[0] != "ok"]
    if problems:
        raise BackupProblem("damaged", error="; ".join(problems[:3]))
    missing = [table for table in DONDOC_TABLES if table not in tables]
    if missing or version == 0:
        raise BackupProblem("not_dondoc", table=(missing or DONDOC_TABLES)[0])
    if version > latest:
        raise BackupProblem("too_new", version=version, latest=latest)
    return version


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def set_aside(path: Path, kept: Path) -> bool:
    """Move the database at `path` to `kept`, whole: its WAL is checkpointed into it first,
    and a -wal/-shm left behind moves with it (as `kept`-wal, where SQLite looks for it).
    False when there is no database at `path`."""
    if not path.exists():
        return False
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()  # the last connection of a WAL database removes its -wal and -shm
    os.replace(path, kept)
    for sidecar, moved in zip(_sidecars(path), _sidecars(kept), strict=True):
        if sidecar.exists():
            os.replace(sidecar, moved)
    return True


def put_in_place(backup: Path, path: Path) -> None:
    """Copy `backup` to `path` through SQLite's backup API (a WAL beside the backup is read
    too, and the copy is one self-contained file), written beside `path` and then renamed
    over it, so that `path` is never half written."""
    partial = path.with_name(path.name + ".restoring")
    partial.unlink(missing_ok=True)
    source = _read_only(backup)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    with open(partial, "rb") as written:
        os.fsync(written.fileno())
    for sidecar in _sidecars(path):
        sidecar.unlink(missing_ok=True)  # nothing of the old file may be read with the new
    os.replace(partial, path)
