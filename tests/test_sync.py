"""The scheduled pull against a real HTTP server on loopback: 304s, changed files, and every
way an address can fail (each writes nothing and says why)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.cli import main
from bot.config import Settings, SyncSettings
from bot.models import ImportKind
from bot.services.sync import KindPull, detect_format, pull
from storage import Database
from storage.sync import last_pulls
from tests import test_import
from tests.test_import import NOW, TODAY, UNITS, task

world = test_import.world  # three units and five people, imported

SECRET = "Bearer s3cret-key"


def csv_bytes(rows: Sequence[Mapping[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: Sequence[Mapping[str, str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class Export:
    """What the e-office serves at /tasks: a body and its version, and what it was asked."""

    body: bytes = b""
    content_type: str = "text/csv"
    etag: str = '"v1"'
    requests: list[Mapping[str, str]] = field(default_factory=list)


@pytest.fixture
async def eoffice() -> AsyncIterator[tuple[str, Export]]:
    export = Export(csv_bytes([task(), task(ma_nhiem_vu="NV-2020-0002")]))

    async def tasks(request: web.Request) -> web.StreamResponse:
        export.requests.append(dict(request.headers))
        if request.headers.get("If-None-Match") == export.etag:
            return web.Response(status=304)
        return web.Response(
            body=export.body, headers={"Content-Type": export.content_type, "ETag": export.etag}
        )

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500, text="Internal Server Error")

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(body=export.body)

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/csv"})  # no length told
        await response.prepare(request)
        for _ in range(100):
            await response.write(b"x" * 10_000)
        return response

    async def login(request: web.Request) -> web.Response:
        page = "<!DOCTYPE html><html><head><title>Đăng nhập</title></head><body>…</body></html>"
        return web.Response(text=page, content_type="text/csv")

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    app = web.Application()
    app.router.add_get("/tasks", tasks)
    app.router.add_get("/broken.csv", broken)
    app.router.add_get("/slow.csv", slow)
    app.router.add_get("/huge.csv", huge)
    app.router.add_get("/login.csv", login)
    app.router.add_get("/loop", loop)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/"), export
    finally:
        await server.close()


def settings_for(tmp_path: Path, url: str, **sync: Any) -> Settings:
    return Settings.model_validate(
        {
            "database": {"path": tmp_path / "dondoc.sqlite3"},
            "sync": {"tasks_url": url, "headers": {"Authorization": SECRET}, **sync},
        }
    )


async def pull_tasks(db: Database, settings: Settings) -> KindPull:
    [done] = await pull(db, settings, today=TODAY, now=NOW)
    assert done.kind is ImportKind.TASKS
    return done


async def test_an_unchanged_export_costs_a_304(
    world: Database, tmp_path: Path, eoffice: tuple[str, Export]
) -> None:
    base, export = eoffice
    settings = settings_for(tmp_path, f"{base}/tasks?key=abc")
    first = await pull_tasks(world, settings)
    assert first.outcome == "imported"
    assert first.result is not None and first.result.created == 2
    assert first.address == f"{base}/tasks"  # shown without its query
    assert export.requests[0]["Authorization"] == SECRET
    assert "If-None-Match" not in export.requests[0]

    second = await pull_tasks(world, settings)
    assert (second.outcome, second.not_modified) == ("unchanged", True)
    assert export.requests[1]["If-None-Match"] == '"v1"'
    assert second.lines("vi") == [f"nhiệm vụ ({base}/tasks): không đổi (máy chủ trả 304)."]
    [record] = (await last_pulls(world)).values()
    assert (record.outcome, record.validator.etag) == ("unchanged", '"v1"')

    export.etag = '"v2"'  # a new version tag, the same content: unchanged by its hash
    third = await pull_tasks(world, settings)
    assert (third.outcome, third.not_modified) == ("unchanged", False)


async def test_a_changed_file_is_merged_and_told(
    world: Database, tmp_path: Path, eoffice: tuple[str, Export]
) -> None:
    base, export = eoffice
    settings = settings_for(tmp_path, f"{base}/tasks")
    await pull_tasks(world, settings)
    export.body = xlsx_bytes([task(trich_yeu="Báo cáo mới"), task(ma_nhiem_vu="NV-2020-0002")])
    export.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    export.etag = '"v2"'
    done = await pull_tasks(world, settings)
    assert done.outcome == "imported"
    assert done.result is not None
    assert (done.result.created, done.result.updated, done.result.unchanged) == (0, 1, 1)
    row = await world.fetchone("SELECT title FROM tasks WHERE code = 'NV-2020-0001'")
    assert row is not None and row["title"] == "Báo cáo mới"
    history = await world.fetchall(
        "SELECT detail FROM task_events e JOIN tasks t ON t.id = e.task_id"
        " WHERE t.code = 'NV-2020-0001' ORDER BY e.id"
    )
    assert any(f"{base}/tasks" in (h["detail"] or "") for h in history)  # the source: the address


async def test_json_under_the_kind_key(
    world: Database, tmp_path: Path, eoffice: tuple[str, Export]
) -> None:
    base, export = eoffice
    english = {"code": "NV-9", "title": "Việc", "lead unit": "SYT", "assigned on": "2020-04-01"}
    export.body = json.dumps({"tasks": [english]}, ensure_ascii=False).encode()
    export.content_type = "application/json"
    done = await pull_tasks(world, settings_for(tmp_path, f"{base}/tasks"))
    assert done.failure is None, done.lines("en")
    assert done.result is not None and done.result.created == 1


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/broken.csv", "máy chủ trả lỗi HTTP 500 Internal Server Error"),
        ("/slow.csv", "quá 0,3 giây chưa tải xong"),
        ("/huge.csv", "tệp lớn hơn 0,5 MB"),
        ("/login.csv", "nhận được một trang web (trang đăng nhập?)"),
        ("/loop", "bị chuyển hướng quá 5 lần"),
        ("/tasks", "không phải tệp Excel .xlsx hợp lệ"),  # a truncated XLSX
        ("/nowhere.csv", "máy chủ trả lỗi HTTP 404 Not Found"),
    ],
)
async def test_a_failing_address_writes_nothing_and_says_why(
    world: Database, tmp_path: Path, eoffice: tuple[str, Export], path: str, said: str
) -> None:
    base, export = eoffice
    whole = xlsx_bytes([task()])
    export.body = whole[: len(whole) // 2]
    export.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    settings = settings_for(tmp_path, base + path, timeout_seconds=0.3, max_megabytes=0.5)
    done = await pull_tasks(world, settings)
    assert done.outcome == "failed"
    assert said in done.lines("vi")[0]
    assert done.lines("vi")[0].endswith(" Chưa ghi gì vào sổ.")
    assert SECRET not in " ".join(done.lines("vi"))
    assert await world.fetchval("SELECT count(*) FROM tasks") == 0
    [record] = (await last_pulls(world)).values()
    assert record.outcome == "failed" and record.failure is not None


async def test_bad_rows_are_counted_and_the_first_named(
    world: Database, tmp_path: Path, eoffice: tuple[str, Export]
) -> None:
    base, export = eoffice
    bad = [task(ma_nhiem_vu=f"NV-{n}", don_vi_chu_tri="KHONG-CO") for n in range(8)]
    export.body = csv_bytes(bad)
    done = await pull_tasks(world, settings_for(tmp_path, f"{base}/tasks"))
    lines = done.lines("vi")
    assert lines[0].endswith("8 lỗi ở 8 dòng. Chưa ghi gì vào sổ.")
    assert lines[1].startswith("  Dòng 2, cột «don_vi_chu_tri», giá trị «KHONG-CO»")
    assert lines[-1] == "  … và 3 lỗi khác."
    assert await world.fetchval("SELECT count(*) FROM tasks") == 0


def test_the_format_comes_from_the_type_then_the_address_then_the_content() -> None:
    assert detect_format("text/csv; charset=utf-8", "https://x/a.json", b"a,b") == "csv"
    assert detect_format("application/octet-stream", "https://x/a.xlsx", b"PK\x03\x04") == "xlsx"
    assert detect_format("application/octet-stream", "https://x/export", b"PK\x03\x04") == "xlsx"
    assert detect_format("", "https://x/export", b' [{"code": 1}]') == "json"
    assert detect_format("", "https://x/export", b"ma,ten\n") == "csv"
    assert detect_format("text/csv", "https://x/a.csv", b"\n<!doctype html><html>") == "html"


def test_plain_http_is_refused_unless_loopback_or_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[sync]\ntasks_url = "http://eoffice.example.vn/x.csv?key=abc"\n')
    assert main(["--config", str(config), "sync", "status"]) == 2
    err = capsys.readouterr().err
    assert "sync.tasks_url: 'http://eoffice.example.vn/x.csv' is plain http" in err
    assert "abc" not in err
    allowed = {"allow_http": True, "tasks_url": "http://eoffice.example.vn/x"}
    assert SyncSettings.model_validate(allowed).addresses == {"tasks": allowed["tasks_url"]}
    loopback = {"tasks_url": "http://127.0.0.1:9/x.csv"}
    assert SyncSettings.model_validate(loopback).addresses == {"tasks": loopback["tasks_url"]}


async def cli(config: Path, *args: str) -> int:
    """`dondoc --config CONFIG ARGS…` beside the test's server (its own event loop)."""
    return await asyncio.to_thread(main, ["--config", str(config), *args])


async def test_the_command_pulls_and_tells_the_last_pulls(
    tmp_path: Path, eoffice: tuple[str, Export], capsys: pytest.CaptureFixture[str]
) -> None:
    base, export = eoffice
    database = tmp_path / "dondoc.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\npath = "{database}"\n[sync]\nunits_url = "{base}/tasks"\n'
        f'[sync.headers]\nAuthorization = "{SECRET}"\n'
    )
    export.body = csv_bytes(UNITS)  # the e-office's list of units, this time
    assert await cli(config, "sync", "--dry-run", "--json") == 0
    [dry] = json.loads(capsys.readouterr().out)
    assert (dry["outcome"], dry["dry_run"], dry["created"]) == ("imported", True, 3)
    assert await cli(config, "sync", "status") == 0
    assert capsys.readouterr().out.strip() == "Chưa có lần đồng bộ nào."  # a dry run keeps none

    assert await cli(config, "sync") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Đã nhập đơn vị từ {base}/tasks: 3 mới, 0 cập nhật")
    assert await cli(config, "sync") == 0
    assert "không đổi (máy chủ trả 304)" in capsys.readouterr().out
    assert await cli(config, "sync", "status", "--json") == 0
    [status] = json.loads(capsys.readouterr().out)
    assert (status["outcome"], status["etag"], status["address"]) == (
        "unchanged", '"v1"', f"{base}/tasks",
    )  # fmt: skip
    assert await cli(config, "sync", "status") == 0
    out = capsys.readouterr().out
    assert "đơn vị: " in out and "không đổi" in out and 'ETag "v1"' in out
    assert SECRET not in out


def test_the_command_lines_pull_starts_without_the_bots_framework() -> None:
    """`dondoc sync` runs from cron: the pull loads no python-telegram-bot (0.2 s a start)."""
    probe = "import sys, bot.services.sync; print([m for m in sys.modules if 'telegram' in m])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
