"""Every moment is stored in UTC; migration 0020 rewrote those older versions stored with the
Office's offset; people still see the Office's local time and day."""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.models import Period
from bot.services.exports import export_changes
from bot.workflow_views import event_line
from storage import Database
from storage.db import migrations
from storage.encoding import parse_stamp
from storage.register import add_event, task_history
from storage.reports import process_figures
from storage.sync import PullRecord, Validator, save_pull
from storage.workflow import submit_report
from tests.factories import make_person, make_task, make_unit

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# 06:30 in Hanoi is 23:30 UTC the day before: its UTC date is not the Office's day.
EARLY = datetime(2026, 12, 5, 6, 30, tzinfo=HANOI)
[UTC_MIGRATION] = [n for n, name, _ in migrations() if name.endswith("_utc_moments.sql")]

# Each column older versions wrote with the Office's offset: its old text, and the same moment
# as migration 0020 rewrites it.
MOMENTS = {
    ("tasks", "created_at"): ("2026-12-05T06:30:00+07:00", "2026-12-04T23:30:00+00:00"),
    ("tasks", "updated_at"): ("2026-12-05T09:15:30+07:00", "2026-12-05T02:15:30+00:00"),
    ("task_events", "at"): ("2026-12-05T06:30:00+07:00", "2026-12-04T23:30:00+00:00"),
    ("deadline_changes", "decided_at"): ("2026-12-05T08:00:00+07:00", "2026-12-05T01:00:00+00:00"),
    ("completion_reports", "reported_at"): (
        "2026-12-05T06:45:00+07:00",
        "2026-12-04T23:45:00+00:00",
    ),
    ("completion_reports", "decided_at"): (
        "2026-12-05T07:05:00+07:00",
        "2026-12-05T00:05:00+00:00",
    ),
    ("extension_requests", "requested_at"): (
        "2026-12-04T23:59:59+07:00",
        "2026-12-04T16:59:59+00:00",
    ),
    ("dialogues", "started_at"): ("2026-12-05T06:30:00+07:00", "2026-12-04T23:30:00+00:00"),
    ("dialogues", "expires_at"): ("2026-12-05T07:00:00+07:00", "2026-12-05T00:00:00+00:00"),
    ("sync_pulls", "pulled_at"): ("2026-12-05T00:10:00+07:00", "2026-12-04T17:10:00+00:00"),
}
OLD = {column: old for column, (old, _) in MOMENTS.items()}
NEW = {column: new for column, (_, new) in MOMENTS.items()}
IN_UTC = "2026-12-05T01:02:03+00:00"
FIGURE_TABLES = ("figure_groups", "figure_years", "open_due", "overdue_anchor")


def _figures(raw: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {name: sorted(raw.execute(f"SELECT * FROM {name}").fetchall()) for name in FIGURE_TABLES}


async def _register_before_utc(path: Path) -> int:
    """A register at the schema before migration 0020, each moment column holding a moment
    with the Office's offset as older versions wrote it; returns the task's id."""
    db = await Database.open(path)
    try:
        unit = await make_unit(db)
        officer = await make_person(db, unit=unit)
        task = await make_task(db, unit, EARLY, deadline=date(2026, 12, 1), officer=officer)
    finally:
        await db.close()
    with sqlite3.connect(path) as raw:
        raw.execute(
            "UPDATE tasks SET created_at = ?, updated_at = ?",
            (OLD["tasks", "created_at"], OLD["tasks", "updated_at"]),
        )
        raw.execute("UPDATE task_events SET at = ?", (OLD["task_events", "at"],))
        raw.execute(
            "INSERT INTO deadline_changes (task_id, old_deadline, new_deadline, granted_on,"
            " decided_at, reason) VALUES (?, '2026-11-30', '2026-12-01', '2026-12-05', ?, '')",
            (task.id, OLD["deadline_changes", "decided_at"]),
        )
        raw.execute(
            "INSERT INTO completion_reports (task_id, person_id, reported_at, reported_on, result,"
            " state, decided_at) VALUES (?, ?, ?, '2026-12-05', 'Xong', 'returned', ?)",
            (task.id, officer.id, OLD["completion_reports", "reported_at"],
             OLD["completion_reports", "decided_at"]),
        )  # fmt: skip
        raw.execute(
            "INSERT INTO extension_requests (task_id, person_id, requested_at, requested_on,"
            " new_deadline, reason) VALUES (?, ?, ?, '2026-12-04', '2026-12-31', 'Chờ số liệu')",
            (task.id, officer.id, OLD["extension_requests", "requested_at"]),
        )  # its decided_at is NULL: still pending
        raw.execute(
            "INSERT INTO dialogues (person_id, chat_id, step, started_at, expires_at)"
            " VALUES (?, 7, 'done_result', ?, ?)",
            (officer.id, OLD["dialogues", "started_at"], OLD["dialogues", "expires_at"]),
        )
        raw.execute(
            "INSERT INTO sync_pulls (kind, address, address_hash, pulled_at, outcome)"
            " VALUES ('tasks', 'https://e-office/tasks', 'h', ?, 'imported')",
            (OLD["sync_pulls", "pulled_at"],),
        )
        raw.execute(  # written in UTC already: left as it is
            "INSERT INTO sync_pulls (kind, address, address_hash, pulled_at, outcome)"
            " VALUES ('units', 'https://e-office/units', 'h', ?, 'imported')",
            (IN_UTC,),
        )
        raw.execute(f"PRAGMA user_version = {UTC_MIGRATION - 1}")
    return task.id


async def test_the_migration_writes_every_moment_in_utc_as_the_same_moment(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.sqlite3"
    task_id = await _register_before_utc(path)
    with sqlite3.connect(path) as raw:
        figures_before = _figures(raw)
    db = await Database.open(path)
    try:
        assert await db.schema_version() == migrations()[-1][0]
        for (table, column), text in NEW.items():
            stored = await db.fetchall(
                f"SELECT {column} FROM {table} WHERE {column} <> ?", (IN_UTC,)
            )
            assert [r[0] for r in stored] == [text], (table, column)
            assert parse_stamp(text) == parse_stamp(OLD[table, column])  # the same moment
        assert await db.fetchval("SELECT decided_at FROM extension_requests") is None
        units = "SELECT pulled_at FROM sync_pulls WHERE kind = 'units'"
        assert await db.fetchval(units) == IN_UTC
        # A line of history written after the upgrade follows, in order and in time, the
        # one written before it (its moment is later, its UTC text sorts after too).
        async with db.transaction() as conn:
            await add_event(conn, task_id=task_id, kind="note", at=EARLY + timedelta(hours=1))
        history = await task_history(db, task_id)
        assert [e.kind for e in history] == ["created", "note"]
        assert [e.at for e in history] == [EARLY, EARLY + timedelta(hours=1)]
        texts = [r[0] for r in await db.fetchall("SELECT at FROM task_events ORDER BY id")]
        assert texts == sorted(texts) == [NEW["task_events", "at"], "2026-12-05T00:30:00+00:00"]
    finally:
        await db.close()
    with sqlite3.connect(path) as raw:  # the figures' cells and overdue counts are untouched
        assert _figures(raw) == figures_before


async def test_the_migration_applied_again_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    await _register_before_utc(path)
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {UTC_MIGRATION - 1}")  # applied once more
    db = await Database.open(path)
    try:
        for (table, column), text in NEW.items():
            assert await db.fetchval(f"SELECT {column} FROM {table}") == text
    finally:
        await db.close()


async def test_a_moment_before_dawn_is_shown_at_its_local_time_on_its_local_day(
    tmp_path: Path,
) -> None:
    """06:30 in Hanoi is stored as 23:30 UTC the day before; the history, the export of
    decisions and the monthly report's section 2 all speak of 06:30 on the 5th."""
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        unit = await make_unit(db)
        officer = await make_person(db, unit=unit)
        task = await make_task(db, unit, EARLY, deadline=date(2026, 12, 31), officer=officer)
        assert await db.fetchval("SELECT at FROM task_events") == "2026-12-04T23:30:00+00:00"
        [created] = await task_history(db, task.id)
        assert "06:30 05/12/2026" in event_line("vi", created, {}, HANOI)

        done = await submit_report(
            db, task_id=task.id, person_id=officer.id, now=EARLY, today=EARLY.date(),
            result="Đã báo cáo", reply_doc="", file_id=None, file_kind=None, review=False,
            check=lambda task: None,
        )  # fmt: skip
        assert isinstance(done, tuple) and done[1] is not None  # accepted at once
        out = tmp_path / "changes.csv"
        day = EARLY.date()
        assert await export_changes(db, out, since=day, until=day, lang="vi", tz=HANOI) == 1
        [row] = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))[1:]
        assert row[0] == task.code and row[-1] == "05/12/2026 06:30"
        before = day - timedelta(days=1)
        assert await export_changes(db, out, since=before, until=before, lang="vi", tz=HANOI) == 0

        await db.execute(
            "UPDATE completion_reports SET state = 'returned', decided_at = ?",
            ("2026-12-04T23:30:00+00:00",),
        )
        on_the_5th = await process_figures(db, period=Period(day, day), tz=HANOI)
        on_the_4th = await process_figures(db, period=Period(before, before), tz=HANOI)
        assert (on_the_5th.reports_returned, on_the_4th.reports_returned) == (1, 0)
    finally:
        await db.close()


async def test_sync_status_shows_the_last_pull_in_the_offices_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "dondoc.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{database}"\n')
    db = await Database.open(database)
    try:
        await save_pull(
            db,
            PullRecord("units", "https://e-office/units", "h", EARLY, "unchanged", 0, 0, 3, 0, 0,
                       None, Validator('"v1"'), None),
        )  # fmt: skip
        assert await db.fetchval("SELECT pulled_at FROM sync_pulls") == "2026-12-04T23:30:00+00:00"
    finally:
        await db.close()
    assert await asyncio.to_thread(main, ["--config", str(config), "sync", "status", "--json"]) == 0
    [status] = json.loads(capsys.readouterr().out)
    assert status["pulled_at"] == "2026-12-05T06:30:00+07:00"
    assert await asyncio.to_thread(main, ["--config", str(config), "sync", "status"]) == 0
    assert "05/12/2026 06:30" in capsys.readouterr().out
