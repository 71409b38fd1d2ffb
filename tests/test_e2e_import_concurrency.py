"""An import and the bot at once: a decision taken in the bot is never overwritten by it, and
a press made while the import writes waits for it instead of failing ("database is locked").

The import runs as `dondoc import` does, in its own thread with its own connections to the
bot's SQLite file (`harness.cli`), as a second process would.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import aiosqlite
import pytest

import storage.importing
from bot.models import ImportKind
from bot.services.imports import import_file
from storage.register import get_task
from tests.e2e_workflow import CODE, DEADLINE, delivered, latest, open_desk, task_now
from tests.harness import Harness
from tests.test_import import write_csv

TASKS = 3000  # besides CODE; 100,000 measured by hand (see the note)
NEW_TITLE = "Báo cáo tình hình phòng, chống dịch (bản của Văn phòng)"


def tasks_file(folder: Path) -> Path:
    """CODE with a new title, and TASKS other tasks of the health department."""
    row = {"ma_nhiem_vu": CODE, "trich_yeu": NEW_TITLE, "don_vi_chu_tri": "SYT",
           "ngay_giao": "01/04/2020", "han_xu_ly": DEADLINE.strftime("%d/%m/%Y")}  # fmt: skip
    others = [
        {**row, "ma_nhiem_vu": f"NV-X-{n:05d}", "trich_yeu": f"Nhiệm vụ {n}"} for n in range(TASKS)
    ]
    return write_csv(folder / "tasks.csv", [row, *others])


async def test_a_press_while_an_import_writes_waits_and_both_land(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await open_desk(harness)
    await desk.officer.send(f"/done {CODE} Đã có Báo cáo số 123/BC-SYT")
    await delivered(desk)
    card = latest(desk.admin)
    path = tasks_file(tmp_path)

    # The import holds its write transaction open until the admin's press is under way.
    holding, go = threading.Event(), threading.Event()
    recount = storage.importing.recount_overdue

    async def held(conn: aiosqlite.Connection) -> None:
        await recount(conn)
        holding.set()
        go.wait(30)  # blocks the import's own thread, the write lock held

    monkeypatch.setattr(storage.importing, "recount_overdue", held)
    importing = asyncio.create_task(harness.cli("import", "tasks", str(path)))
    if not await asyncio.to_thread(holding.wait, 60):
        raise AssertionError(await importing)

    during: list[bool] = []
    transaction = harness.db.transaction

    @asynccontextmanager
    async def watched() -> AsyncIterator[aiosqlite.Connection]:
        during.append(not go.is_set())  # the import still holds the lock
        threading.Timer(0.5, go.set).start()  # its BEGIN IMMEDIATE waits meanwhile
        async with transaction() as conn:
            yield conn

    monkeypatch.setattr(harness.db, "transaction", watched)
    pressed = await desk.admin.press(card, "✅ Chấp nhận")
    done = await importing
    go.set()

    assert during and during[0]
    assert pressed.answer is not None
    assert pressed.answer.text == "Đã chấp nhận. Nhiệm vụ hoàn thành ngày 15/04/2020."
    assert (done.code, done.err) == (0, "")
    assert done.out.startswith("Đã nhập nhiệm vụ từ tasks.csv: 3.000 mới, 1 cập nhật,")
    task = await task_now(desk)
    assert (task.title, task.completed_on) == (NEW_TITLE, date(2020, 4, 15))
    assert await harness.db.fetchval("SELECT count(*) FROM tasks") == TASKS + 1


async def test_a_decision_landing_between_the_imports_read_and_write_is_kept(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import read the task open; the Office accepted the report before the import
    wrote: the import reads the row again under its write lock and merges the decision."""
    desk = await open_desk(harness)
    await desk.officer.send(f"/done {CODE} Đã có Báo cáo số 123/BC-SYT")
    await delivered(desk)
    card = latest(desk.admin)
    path = tasks_file(tmp_path)
    apply_tasks = storage.importing.apply_tasks

    async def after_a_press(*args: object, **kwargs: object) -> object:
        pressed = await desk.admin.press(card, "✅ Chấp nhận")
        assert pressed.answer is not None and (pressed.answer.text or "").startswith("Đã chấp nhận")
        return await apply_tasks(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(storage.importing, "apply_tasks", after_a_press)
    result = await import_file(
        harness.db, ImportKind.TASKS, path, today=harness.now.date(), now=harness.now
    )
    assert (result.created, result.updated, result.conflicts) == (TASKS, 1, ())
    task = await get_task(harness.db, code=CODE)
    assert task is not None
    assert (task.title, task.completed_on) == (NEW_TITLE, date(2020, 4, 15))
