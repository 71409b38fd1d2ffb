"""`dondoc restore BACKUP`: the drill (a backup taken while the bot writes, restored: the
figures and the outbox are the backup's), the refusals (the bot running, bad backups) and
the current file kept aside whole."""

from __future__ import annotations

import asyncio
import contextlib
import io
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.commands.restore import kept_path
from bot.figures import compute_figures, month_period
from bot.models import Figures
from storage import Database
from storage.db import DatabaseInUse, exclusive, migrations
from storage.figures import load_figures
from storage.register import all_tasks, list_units
from tests.factories import make_task, small_world
from tests.harness import TZ, Harness
from tests.test_e2e_run import dondoc_run
from tests.tgdouble.server import BotApiDouble

TASKS = 24


def kept_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("dondoc.sqlite3.before-restore-*"))


async def state(path: Path, today: date) -> tuple[Figures, list[tuple[Any, ...]], int]:
    """The figures of April 2020 (SQL, checked against the rule), the outbox and the number
    of completion reports of the database at `path` (read from a copy: opening writes)."""
    probe = path.with_name(path.name + ".probe")
    shutil.copyfile(path, probe)
    db = await Database.open(probe)
    try:
        period = month_period(2020, 4)
        figures = await load_figures(db, period=period, as_of=today)
        units = {u.id: (u.code, u.name) for u in await list_units(db)}
        leaders = {"LEADER": "Lê Văn Lãnh Đạo"}
        tasks = await all_tasks(db)
        rule = compute_figures(
            tasks, period=period, as_of=today, unit_names=units, leader_names=leaders
        )
        assert figures == rule
        outbox = [tuple(row) for row in await db.fetchall("SELECT * FROM outbox ORDER BY id")]
        reports = int(await db.fetchval("SELECT count(*) FROM completion_reports"))
    finally:
        await db.close()
        for leftover in probe.parent.glob(probe.name + "*"):
            leftover.unlink()
    return figures, outbox, reports


async def test_a_backup_taken_while_the_bot_writes_is_restored_with_its_figures_and_outbox(
    harness: Harness, tmp_path: Path
) -> None:
    world = await small_world(harness.db)
    for i in range(TASKS):
        await make_task(harness.db, world.health, harness.now, code=f"NV-{i}", title=f"Việc {i}",
                        deadline=date(2020, 4, 10 + i % 10), officer=world.officer)  # fmt: skip
    harness.actor(world.admin)  # the reviewer: the reports' cards go through the outbox
    officer = harness.actor(world.officer)
    backup = tmp_path / "backups" / "dondoc-20200415.sqlite3"
    started, taken = asyncio.Event(), asyncio.Event()

    async def write() -> None:
        for i in range(TASKS):
            await officer.send(f"/done NV-{i} Đã xong theo văn bản số {i}/SYT ngày 14/4")
            await make_task(harness.db, world.interior, harness.now, code=f"NV-MOI-{i}",
                            title="Việc mới", deadline=date(2020, 4, 1))  # fmt: skip
            if i == 4:
                started.set()
            if i == TASKS // 2:
                await taken.wait()  # the rest is written after the backup

    writing = asyncio.create_task(write())
    await started.wait()
    result = await harness.cli("backup", str(backup))  # in a thread, while the bot writes
    taken.set()
    await writing
    assert result.code == 0, result.err

    database = harness.settings.database.path
    today = harness.clock.today()
    await harness.stop()  # restore refuses while the bot runs
    before = await state(database, today)
    saved = await state(backup, today)
    assert 5 <= saved[2] < before[2] == TASKS  # the backup holds some reports, not all
    assert saved[1] != before[1] and saved[0] != before[0]

    restored = await harness.cli("restore", str(backup))

    assert restored.code == 0, restored.err
    [kept] = kept_files(database.parent)
    assert restored.out.splitlines() == [
        f"Cơ sở dữ liệu hiện tại được giữ lại ở {kept}",
        f"Đã khôi phục {database} từ {backup} (phiên bản {migrations()[-1][0]}); "
        "hãy khởi động lại bot.",
    ]
    assert await state(database, today) == saved
    assert await state(kept, today) == before  # nothing lost: the file before is kept whole
    await harness.start()  # and the bot runs on the restored register
    [reply] = await officer.send("/task NV-0")
    assert (reply.text or "").startswith("📌 NV-0")


async def test_restore_is_refused_while_dondoc_run_works_on_the_database(
    tg: BotApiDouble, tmp_path: Path
) -> None:
    database = tmp_path / "dondoc.sqlite3"
    backup = tmp_path / "backup.sqlite3"
    async with dondoc_run(tg, tmp_path) as run:
        await run.wait_for(tg, "deleteWebhook")  # started: the database is open and locked
        db = await Database.open(database)
        try:
            await db.backup(backup)
        finally:
            await db.close()
        config = tmp_path / "config.toml"
        config.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
        code, out, err = await asyncio.to_thread(_cli, "--config", str(config), "restore",
                                                 str(backup))  # fmt: skip
        assert (code, out) == (3, "")
        assert err == (
            f"dondoc restore: bot đang chạy trên cơ sở dữ liệu {database} (khóa "
            f"{database}.lock đang được giữ). Hãy dừng bot (dondoc run) rồi khôi phục lại.\n"
        )
        assert kept_files(tmp_path) == []


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


async def test_a_bad_backup_is_refused_and_the_database_stays(
    harness: Harness, tmp_path: Path
) -> None:
    await small_world(harness.db)
    await harness.stop()
    database = harness.settings.database.path
    original = database.read_bytes()
    latest = migrations()[-1][0]

    text = tmp_path / "notes.txt"
    text.write_text("không phải cơ sở dữ liệu\n" * 100, encoding="utf-8")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    newer = tmp_path / "newer.sqlite3"
    shutil.copyfile(database, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {latest + 1}")
    damaged = tmp_path / "damaged.sqlite3"
    shutil.copyfile(database, damaged)
    with damaged.open("r+b") as out:  # scramble the pages after the first (the schema's)
        page = int.from_bytes(damaged.read_bytes()[16:18], "big")
        out.seek(page * 2)
        out.write(b"\xff" * page * 4)

    expected = {
        tmp_path / "missing.sqlite3": f"không tìm thấy tệp sao lưu {tmp_path / 'missing.sqlite3'}",
        database: f"tệp sao lưu {database} chính là cơ sở dữ liệu đang dùng",
        text: f"{text} không phải tệp SQLite đọc được (file is not a database)",
        other: f"{other} không phải cơ sở dữ liệu của dondoc (không có bảng units)",
        newer: f"tệp sao lưu {newer} ở phiên bản {latest + 1}, mới hơn phiên bản {latest} mà "
        "dondoc này biết; hãy cập nhật dondoc trước",
        damaged: f"tệp sao lưu {damaged} bị hỏng (integrity_check: ",
    }
    for path, message in expected.items():
        result = await harness.cli("restore", str(path))
        assert (result.code, result.out) == (1, ""), result
        assert result.err.startswith(f"dondoc restore: {message}"), result.err
    assert database.read_bytes() == original
    assert kept_files(database.parent) == []


async def test_the_current_files_wal_goes_with_it_when_it_is_kept(tmp_path: Path) -> None:
    """A database left with a -wal (a crash): what the WAL holds is in the kept file."""
    database = tmp_path / "dondoc.sqlite3"
    backup = tmp_path / "backup.sqlite3"
    db = await Database.open(database)
    await db.backup(backup)
    await db.execute("INSERT INTO units (code, name) VALUES ('SYT', 'Sở Y tế')")
    shutil.copyfile(database, tmp_path / "crashed.sqlite3")  # the files as a crash leaves them
    shutil.copyfile(f"{database}-wal", tmp_path / "crashed.sqlite3-wal")
    await db.close()
    for suffix in ("", "-wal"):
        shutil.copyfile(tmp_path / f"crashed.sqlite3{suffix}", f"{database}{suffix}")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
    now = datetime(2020, 4, 15, 9, 0, 5, tzinfo=TZ)

    code, out, _ = await asyncio.to_thread(_cli, "--config", str(config), "restore", str(backup))

    assert code == 0
    [kept] = kept_files(tmp_path)
    assert kept_path(database, now).name == "dondoc.sqlite3.before-restore-20200415-090005"
    with sqlite3.connect(kept) as conn:
        assert conn.execute("SELECT code FROM units").fetchall() == [("SYT",)]
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM units").fetchone() == (0,)
    assert f"Cơ sở dữ liệu hiện tại được giữ lại ở {kept}" in out


def test_the_lock_is_exclusive(tmp_path: Path) -> None:
    database = tmp_path / "dondoc.sqlite3"
    with exclusive(database) as lock:
        assert lock == tmp_path / "dondoc.sqlite3.lock"
        with pytest.raises(DatabaseInUse), exclusive(database):
            pass
    with exclusive(database):  # let go at the end of the block
        pass


def test_a_second_dondoc_run_on_the_same_database_stops_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "dondoc.sqlite3"
    monkeypatch.setenv("DONDOC_TELEGRAM__TOKEN", "123456:TEST-TOKEN")
    monkeypatch.setenv("DONDOC_TELEGRAM__API_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("DONDOC_DATABASE__PATH", str(database))
    monkeypatch.setenv("DONDOC_CONFIG", str(tmp_path / "none.toml"))
    with exclusive(database):  # as the first `dondoc run` holds it
        code, out, err = _cli("run")
    assert (code, out) == (3, "")
    assert err == (
        f"dondoc run: một dondoc khác đang chạy trên cơ sở dữ liệu {database} "
        f"(khóa {database}.lock đang được giữ)\n"
    )
