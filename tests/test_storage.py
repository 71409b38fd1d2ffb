"""The database layer: migrations, transactions, PRAGMAs and the online backup."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.models import Role
from storage import Database
from storage.db import ReadInTransaction, migrations
from storage.register import (
    add_person,
    add_task,
    add_unit,
    get_person,
    get_task,
    task_history,
)

NOW = datetime(2020, 3, 2, 1, 0, tzinfo=UTC)


async def test_a_new_database_gets_every_migration(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "d.sqlite3")
    try:
        assert await db.schema_version() == migrations()[-1][0]
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
    finally:
        await db.close()


async def test_reopening_applies_nothing_twice_and_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    db = await Database.open(path)
    await add_unit(db, code="SYT", name="Sở Y tế")
    await db.close()
    db = await Database.open(path)
    try:
        assert await db.fetchval("SELECT count(*) FROM units") == 1
    finally:
        await db.close()


async def test_a_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO units (code, name) VALUES ('A', 'Đơn vị A')")
                raise RuntimeError("boom")
        assert await db.fetchval("SELECT count(*) FROM units") == 0
    finally:
        await db.close()


async def test_inside_a_transaction_reads_go_through_it(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO units (code, name) VALUES ('A', 'Đơn vị A')")
            assert await conn.fetchval("SELECT count(*) FROM units") == 1  # its own write
            # Another task reads the last committed state, without waiting for the lock.
            assert await asyncio.create_task(db.fetchval("SELECT count(*) FROM units")) == 0
            with pytest.raises(ReadInTransaction):  # this task, through the reader: refused
                await db.fetchval("SELECT count(*) FROM units")
        assert await db.fetchval("SELECT count(*) FROM units") == 1
    finally:
        await db.close()


async def test_reads_by_key_see_every_commit_at_once_and_not_inside_a_transaction(
    tmp_path: Path,
) -> None:
    """Who sent an update, their menu and the data version are read on the loop's thread
    (`fetch_by_key`): they must see each write as soon as it is committed, by this process or
    another, and refuse to run inside the reading task's own transaction, like the reader."""
    path = tmp_path / "d.sqlite3"
    db = await Database.open(path)
    try:
        unit = await add_unit(db, code="SYT", name="Sở Y tế")
        version = await db.data_version()
        person = await add_person(db, code="CB1", name="Nguyễn Văn A", role=Role.OFFICER,
                                  unit_id=unit.id, telegram_id=42)  # fmt: skip
        assert await db.data_version() != version
        assert await get_person(db, telegram_id=42) == person
        version = await db.data_version()
        other = sqlite3.connect(path)  # another process's write (`dondoc import`)
        with other:
            other.execute("UPDATE people SET name = 'Trần Thị B' WHERE code = 'CB1'")
        other.close()
        assert await db.data_version() != version
        found = await get_person(db, telegram_id=42)
        assert found is not None and found.name == "Trần Thị B"
        async with db.transaction() as conn:
            await conn.execute("UPDATE people SET telegram_id = NULL WHERE code = 'CB1'")
            with pytest.raises(ReadInTransaction):
                await get_person(db, telegram_id=42)
        assert await get_person(db, telegram_id=42) is None
    finally:
        await db.close()


async def test_foreign_keys_refuse_a_task_of_an_unknown_unit(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            await add_task(
                db, code="NV-1", title="x", lead_unit_id=999, assigned_on=date(2020, 3, 1), now=NOW
            )
        assert await db.fetchval("SELECT count(*) FROM tasks") == 0
    finally:
        await db.close()


async def test_a_task_keeps_its_original_deadline_and_history(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        unit = await add_unit(db, code="SYT", name="Sở Y tế")
        officer = await add_person(
            db, code="CB1", name="Nguyễn Văn A", role=Role.OFFICER, unit_id=unit.id
        )
        task = await add_task(
            db,
            code="NV-2020-0001",
            title="Báo cáo tình hình dịch bệnh",
            lead_unit_id=unit.id,
            assigned_on=date(2020, 3, 2),
            original_deadline=date(2020, 3, 20),
            deadline=date(2020, 3, 31),
            officer_id=officer.id,
            now=NOW,
        )
        loaded = await get_task(db, code="NV-2020-0001")
        assert loaded == task
        assert task.original_deadline == date(2020, 3, 20)
        assert task.deadline == date(2020, 3, 31)
        assert [c.new_deadline for c in task.extensions] == [date(2020, 3, 31)]
        assert [e.kind for e in await task_history(db, task.id)] == ["created"]
    finally:
        await db.close()


async def test_backup_is_a_readable_copy_while_the_database_is_open(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        await add_unit(db, code="SYT", name="Sở Y tế")
        dest = await db.backup(tmp_path / "backups" / "copy.sqlite3")
        await add_unit(db, code="STC", name="Sở Tài chính")
    finally:
        await db.close()
    with sqlite3.connect(dest) as copy:
        assert copy.execute("SELECT code FROM units").fetchall() == [("SYT",)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 999")
    with pytest.raises(RuntimeError, match="newer than this dondoc"):
        await Database.open(path)


async def test_a_register_migrated_before_the_code_index_finds_tasks_by_code_through_it(
    tmp_path: Path,
) -> None:
    """Migration 0016 gained the index on lower(code) after registers had reached schema 16
    without it: on those, an import scanned the whole register for every 900 codes of its
    file (issue 11's pull: ~40 s on a million tasks). The upgrade makes it."""
    [again] = [number for number, name, _ in migrations() if name.endswith("_tasks_code_lower.sql")]
    path = tmp_path / "d.sqlite3"
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as raw:  # such a register, before the upgrade that makes it
        raw.execute("DROP INDEX tasks_code_lower")
        raw.execute(f"PRAGMA user_version = {again - 1}")
    db = await Database.open(path)
    try:
        assert await db.schema_version() == migrations()[-1][0]
        plan = await db.fetchall(
            "EXPLAIN QUERY PLAN SELECT t.id FROM tasks t WHERE lower(t.code) IN (?, ?)",
            ("nv-1", "nv-2"),
        )
        assert any("USING INDEX tasks_code_lower" in row["detail"] for row in plan), [
            row["detail"] for row in plan
        ]
    finally:
        await db.close()
