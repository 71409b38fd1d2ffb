"""`dondoc run` as a process (polling and webhook), and the one error handler."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

import storage.task_lists
from bot.cli import main as cli_main
from tests.factories import small_world
from tests.harness import Harness
from tests.tgdouble.models import Call
from tests.tgdouble.server import BotApiDouble

APOLOGY = "Xin lỗi, đã có lỗi xảy ra. Văn phòng đã được báo để xử lý. Vui lòng thử lại sau."


def test_run_without_a_token_says_how_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DONDOC_TELEGRAM__TOKEN", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "db.sqlite3"}"\n', encoding="utf-8")
    assert cli_main(["--config", str(config), "run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dondoc: config: telegram.token: missing. Create a bot with @BotFather")
    assert err.count("\n") == 1


def test_a_webhook_secret_telegram_would_refuse_stops_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONDOC_TELEGRAM__TOKEN", "123456:TEST-TOKEN")
    monkeypatch.setenv("DONDOC_TELEGRAM__WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("DONDOC_TELEGRAM__WEBHOOK_SECRET", "not allowed!")
    monkeypatch.setenv("DONDOC_DATABASE__PATH", str(tmp_path / "db.sqlite3"))
    monkeypatch.setenv("DONDOC_CONFIG", str(tmp_path / "none.toml"))  # absent: defaults
    assert cli_main(["run"]) == 2
    assert capsys.readouterr().err == (
        "dondoc: config: telegram.webhook_secret: 1-256 characters of A-Z, a-z, 0-9, _ and - only\n"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


ROOT = Path(__file__).resolve().parents[1]
RUN = [sys.executable, "-m", "bot", "run"]


class Running:
    """A `dondoc run` process; waits fail at once, with its log, if it exits."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process, self.log = process, log

    async def wait_for(self, tg: BotApiDouble, method: str) -> Call:
        return await self.wait_until(tg, lambda c: c.method == method)

    async def wait_until(self, tg: BotApiDouble, predicate: Callable[[Call], bool]) -> Call:
        call = asyncio.ensure_future(tg.wait_for(predicate, timeout=30))
        exited = asyncio.ensure_future(self.process.wait())
        await asyncio.wait({call, exited}, return_when=asyncio.FIRST_COMPLETED)
        if not call.done():
            call.cancel()
            raise AssertionError(f"dondoc run exited:\n{self.log.read_text(encoding='utf-8')}")
        exited.cancel()
        return call.result()


@asynccontextmanager
async def dondoc_run(tg: BotApiDouble, tmp_path: Path, **env: str) -> AsyncIterator[Running]:
    """`python -m bot run` against the double; SIGTERM at the end must stop it with 0."""
    log = tmp_path / "run.log"
    environ = (
        os.environ
        | {
            "DONDOC_TELEGRAM__TOKEN": tg.token,
            "DONDOC_TELEGRAM__API_BASE_URL": tg.base_url,
            "DONDOC_DATABASE__PATH": str(tmp_path / "dondoc.sqlite3"),
            "DONDOC_CONFIG": str(tmp_path / "none.toml"),
        }
        | env
    )
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(*RUN, env=environ, stderr=stderr, cwd=ROOT)
        try:
            yield Running(process, log)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 20)
    assert code == 0, log.read_text(encoding="utf-8")


async def test_run_retries_telegram_at_start_then_polls_and_stops_on_sigterm(
    tg: BotApiDouble, tmp_path: Path
) -> None:
    tg.fail_next("getMe", status=502)
    tg.drop_next("getMe")
    async with dondoc_run(tg, tmp_path) as run:
        await run.wait_for(tg, "deleteWebhook")  # then it polls
        stranger = tg.user(3001, "Khách")
        await stranger.send("/tasks")
        reply = await tg.next_message(stranger, timeout=10)
        assert (reply.text or "").startswith("Xin chào! Tài khoản Telegram này chưa được liên kết")
    logged = run.log.read_text(encoding="utf-8")
    assert logged.count("WARNING bot.commands.run: Telegram is not reachable") == 2
    assert [f.status for f in tg.faults_served] == [502, None]


async def test_run_serves_a_webhook_that_checks_the_secret(
    tg: BotApiDouble, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        "DONDOC_TELEGRAM__WEBHOOK_URL": "https://bot.example.org/dondoc/hook",
        "DONDOC_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1",
        "DONDOC_TELEGRAM__WEBHOOK_PORT": str(port),
        "DONDOC_TELEGRAM__WEBHOOK_SECRET": "s3cret-token",
    }
    stranger = tg.user(3001, "Khách", started=True)
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1, "date": 1586916000, "text": "/tasks",
            "chat": stranger.chat_json(), "from": stranger.to_json(),
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }  # fmt: skip
    async with dondoc_run(tg, tmp_path, **env) as run:
        call = await run.wait_for(tg, "setWebhook")
        assert call.params["url"] == "https://bot.example.org/dondoc/hook"
        assert call.params["secret_token"] == "s3cret-token"
        url = f"http://127.0.0.1:{port}/dondoc/hook"
        async with httpx.AsyncClient() as client:
            for _ in range(100):  # the server starts listening right after setWebhook
                try:
                    forged = await client.post(url, json=update, headers={
                        "X-Telegram-Bot-Api-Secret-Token": "wrong"})  # fmt: skip
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            assert forged.status_code == 403
            good = await client.post(
                url, content=json.dumps(update),
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token",
                         "Content-Type": "application/json"},
            )  # fmt: skip
            assert good.status_code == 200
        reply = await tg.next_message(stranger, timeout=10)
        assert (reply.text or "").startswith("Xin chào! Tài khoản Telegram này chưa được liên kết")
        assert len(tg.calls("sendMessage")) == 1


async def test_an_error_apologises_and_tells_the_admins_once_a_minute(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await small_world(harness.db)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(storage.task_lists, "listed_open_tasks", broken)
    officer, admin = harness.actor(world.officer), harness.actor(world.admin)
    # The deepest frame of the project's: the service that called the broken read.
    notice = (
        "⚠️ Lỗi trong bot: RuntimeError at bot/services/tasks.py:listed_open_tasks\n"
        "the disk is on fire"
    )
    [apology] = await officer.send("/tasks")
    assert apology.text == APOLOGY
    assert [m.text for m in admin.inbox] == [notice]
    [again] = await officer.send("/tasks")
    assert again.text == APOLOGY
    assert len(admin.inbox) == 1  # the same kind within a minute: not again
    harness.clock.advance(timedelta(seconds=61))
    await officer.send("/tasks")
    assert [m.text for m in admin.inbox] == [notice, notice]


async def test_telegram_failing_while_running_is_waited_out(harness: Harness) -> None:
    world = await small_world(harness.db)
    officer = harness.actor(world.officer)
    harness.tg.fail_next("getUpdates", status=502)
    [reply] = await officer.send("/tasks")
    assert reply.text == "Bạn không có nhiệm vụ nào đang mở. 🎉"
    assert [(f.method, f.status) for f in harness.tg.faults_served] == [("getUpdates", 502)]
