"""The scheduled pull in the running bot: the job runs (triggered, not waited for), admins
are told of a failure once and once when it works again, and officers of their new tasks."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.ext import Job

from bot.app import DondocApplication
from bot.services.reminders import flush
from tests import test_sync
from tests.factories import small_world
from tests.harness import Harness, HarnessFactory
from tests.test_sync import Export, csv_bytes

eoffice = test_sync.eoffice  # the e-office: an aiohttp server on loopback
QUIET_TICKS = {"tick_seconds": 3600}  # the reminders' JobQueue stays out of the way
LOGIN_PAGE = "<!DOCTYPE html><html><body>Đăng nhập hệ thống</body></html>".encode()
NEW_TASK = {
    "ma_nhiem_vu": "NV-SYNC-1", "trich_yeu": "Báo cáo kết quả đồng bộ",
    "don_vi_chu_tri": "SYT", "can_bo_xu_ly": "OFFICER", "ngay_giao": "10/04/2020",
    "han_xu_ly": "30/04/2020",
}  # fmt: skip


async def sync_job(app: DondocApplication) -> Job[Any]:
    """The repeating pull the bot scheduled when it started."""
    assert app.job_queue is not None
    for _ in range(200):  # the schedule is set by a job run at once on start
        jobs = app.job_queue.get_jobs_by_name("sync.pull")
        if jobs:
            return jobs[0]
        await asyncio.sleep(0.01)
    raise AssertionError("the sync was not scheduled")


async def run_job(harness: Harness) -> None:
    app = harness.app
    assert app is not None
    job = await sync_job(app)
    await job.run(app)
    await flush(app)
    await harness.settle()


async def test_admins_hear_of_a_failure_once_then_of_the_recovery_and_the_news(
    harness_factory: HarnessFactory, eoffice: tuple[str, Export]
) -> None:
    base, export = eoffice
    harness = await harness_factory(
        reminders=QUIET_TICKS, sync={"tasks_url": f"{base}/tasks", "every_minutes": 60}
    )
    world = await small_world(harness.db)
    admin, officer = harness.actor(world.admin), harness.actor(world.officer)
    export.body = LOGIN_PAGE  # the e-office's session ran out: its login page, as text/csv

    await run_job(harness)
    [failed] = [m.text or "" for m in admin.inbox]
    assert failed == (
        f"🔄 Đồng bộ với hệ thống văn bản điện tử:\nLấy nhiệm vụ từ {base}/tasks không được: "
        "nhận được một trang web (trang đăng nhập?) thay vì tệp xuất CSV/XLSX/JSON. "
        "Chưa ghi gì vào sổ."
    )
    await run_job(harness)  # the same failure: not told again
    assert len(admin.inbox) == 1
    assert await harness.db.fetchval("SELECT count(*) FROM tasks") == 0

    export.body, export.etag = csv_bytes([NEW_TASK]), '"v2"'
    await run_job(harness)
    assert len(admin.inbox) == 2
    news = admin.inbox[-1].text or ""
    assert f"Lấy nhiệm vụ từ {base}/tasks đã được trở lại." in news
    assert f"Đã nhập nhiệm vụ từ {base}/tasks: 1 mới, 0 cập nhật, 0 không đổi" in news
    assert any("NV-SYNC-1" in (m.text or "") for m in officer.inbox)  # told of the new task

    await run_job(harness)  # unchanged (304): nobody is told anything
    assert len(admin.inbox) == 2
    assert harness.app is not None and harness.app.running  # the bot stayed up throughout
