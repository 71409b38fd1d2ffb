"""The webhook `dondoc run` serves (bot/webhook.py on aiohttp): the real Application without
an Updater, Telegram's POSTs over real HTTP on loopback, the Bot API double for the rest."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from telegram.error import InvalidToken

from bot.app import DondocApplication, build_application
from bot.commands import run
from bot.config import Settings
from bot.webhook import MAX_BODY, SECRET_HEADER
from tests.harness import make_settings
from tests.test_e2e_run import ROOT, RUN, _free_port
from tests.tgdouble.models import TgUser
from tests.tgdouble.server import BotApiDouble

SECRET = "s3cret-token"
HOOK_URL = "https://bot.example.org/dondoc/hook"
STRANGER_REPLY = "Xin chào! Tài khoản Telegram này chưa được liên kết"


def webhook_settings(tg: BotApiDouble, tmp_path: Path, port: int, **telegram: str) -> Settings:
    """The bot against the double, serving a webhook for HOOK_URL on 127.0.0.1:`port`."""
    telegram = {"webhook_url": HOOK_URL, "webhook_listen": "127.0.0.1"} | telegram
    return make_settings(tg, tmp_path, telegram={"webhook_port": port, **telegram})


async def started(settings: Settings) -> DondocApplication:
    """The bot without an Updater, having met Telegram, as `dondoc run` has before serving."""
    application = build_application(settings, updater=False)
    await run.initialize_patiently(application)
    return application


def command(user: TgUser, text: str, update_id: int = 1) -> dict[str, Any]:
    """The update Telegram POSTs when `user` sends the command `text`."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1586916000, "text": text,
            "chat": user.chat_json(), "from": user.to_json(),
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }  # fmt: skip


@dataclass
class Webhook:
    url: str
    application: DondocApplication
    serving: asyncio.Task[None]
    client: httpx.AsyncClient

    async def post(self, body: Any, secret: str | None = SECRET, **kwargs: Any) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        if isinstance(body, bytes | str):
            kwargs["content"] = body
        else:
            kwargs["json"] = body
        response = await self.client.post(self.url, headers=headers, **kwargs)
        return response.status_code

    async def stop(self) -> None:
        """What SIGTERM does: cancel the serving task, which closes the server and the bot."""
        self.serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.serving


@pytest_asyncio.fixture
async def webhook(tg: BotApiDouble, tmp_path: Path) -> AsyncIterator[Webhook]:
    """`dondoc run`'s webhook serving in this loop, started once setWebhook reached Telegram."""
    port = _free_port()
    settings = webhook_settings(tg, tmp_path, port, webhook_secret=SECRET)
    application = await started(settings)
    serving = asyncio.create_task(run.serve_webhook(application, settings.telegram, SECRET))
    waiting = asyncio.ensure_future(tg.wait_for(lambda c: c.method == "setWebhook", timeout=10))
    await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        waiting.cancel()
        serving.result()  # raises what stopped it
    async with httpx.AsyncClient() as client:
        hook = Webhook(f"http://127.0.0.1:{port}/dondoc/hook", application, serving, client)
        try:
            yield hook
        finally:
            if not serving.done():
                await hook.stop()


async def test_set_webhook_tells_telegram_the_url_and_the_secret(
    tg: BotApiDouble, webhook: Webhook
) -> None:
    [call] = tg.calls("setWebhook")
    assert call.params["url"] == HOOK_URL
    assert call.params["secret_token"] == SECRET
    assert "message" in call.params["allowed_updates"]
    assert "callback_query" in call.params["allowed_updates"]
    assert "drop_pending_updates" not in call.params  # the updates sent while down still come


async def test_an_update_with_the_secret_reaches_the_bot_and_it_answers(
    tg: BotApiDouble, webhook: Webhook
) -> None:
    stranger = tg.user(3001, "Khách", started=True)
    assert await webhook.post(command(stranger, "/tasks")) == 200
    reply = await tg.next_message(stranger, timeout=10)
    assert (reply.text or "").startswith(STRANGER_REPLY)


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_handled(
    tg: BotApiDouble, webhook: Webhook
) -> None:
    forger = tg.user(3002, "Giả mạo", started=True)
    assert await webhook.post(command(forger, "/tasks", 1), secret="wrong") == 403
    assert await webhook.post(command(forger, "/tasks", 2), secret=None) == 403
    assert await webhook.post(command(forger, "/tasks", 3), secret=SECRET + "x") == 403
    assert await webhook.post(command(forger, "/tasks", 4), secret=SECRET[:-1]) == 403
    stranger = tg.user(3001, "Khách", started=True)
    assert await webhook.post(command(stranger, "/tasks", 5)) == 200
    await tg.next_message(stranger, timeout=10)  # the good one, queued after the forged ones
    assert [c.params["chat_id"] for c in tg.calls("sendMessage")] == [stranger.id]


async def test_a_body_that_is_no_update_gets_400_and_the_webhook_keeps_serving(
    tg: BotApiDouble, webhook: Webhook
) -> None:
    assert await webhook.post(b'{"update_id": 1, "message": ') == 400  # cut short
    assert await webhook.post(b"") == 400
    assert await webhook.post("[1, 2]") == 400
    assert await webhook.post({"message": {"text": "no update_id"}}) == 400
    stranger = tg.user(3001, "Khách", started=True)
    assert await webhook.post(command(stranger, "/tasks", 7)) == 200
    reply = await tg.next_message(stranger, timeout=10)
    assert (reply.text or "").startswith(STRANGER_REPLY)
    assert len(tg.calls("sendMessage")) == 1


async def test_other_methods_paths_and_oversized_bodies_are_refused(webhook: Webhook) -> None:
    headers = {SECRET_HEADER: SECRET}
    assert (await webhook.client.get(webhook.url, headers=headers)).status_code == 405
    other = webhook.url.replace("/dondoc/hook", "/dondoc/other")
    assert (await webhook.client.post(other, headers=headers, json={})).status_code == 404
    root = webhook.url.replace("/dondoc/hook", "/")
    assert (await webhook.client.post(root, headers=headers, json={})).status_code == 404
    huge = b'{"update_id": 1, "pad": "' + b"x" * MAX_BODY + b'"}'
    assert await webhook.post(huge) == 413


async def test_stopping_handles_what_was_accepted_then_closes_the_port(
    tg: BotApiDouble, webhook: Webhook
) -> None:
    stranger = tg.user(3001, "Khách", started=True)
    assert await webhook.post(command(stranger, "/tasks")) == 200
    await webhook.stop()  # at once: the update may still be in the queue
    assert [c.params["chat_id"] for c in tg.calls("sendMessage")] == [stranger.id]
    assert not webhook.application.running
    assert webhook.application.bot_data.services is None  # the register is closed
    with pytest.raises(httpx.ConnectError):
        await webhook.client.post(webhook.url, json={})


async def test_telegram_down_at_set_webhook_is_waited_out(
    tg: BotApiDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    monkeypatch.setattr(run, "FIRST_DELAY", 0.01)
    tg.fail_next("setWebhook", times=2, status=502)
    settings = webhook_settings(tg, tmp_path, _free_port())
    application = await started(settings)
    serving = asyncio.create_task(run.serve_webhook(application, settings.telegram, SECRET))
    try:
        call = await tg.wait_for(lambda c: c.method == "setWebhook", timeout=10)
        assert call.params["url"] == HOOK_URL
    finally:
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
    assert [(f.method, f.status) for f in tg.faults_served] == [("setWebhook", 502)] * 2
    assert caplog.text.count("Telegram did not take the webhook") == 2


async def run_webhook_process(tg: BotApiDouble, tmp_path: Path, port: int) -> tuple[int, str]:
    """`dondoc run` in a process of its own, serving a webhook on 127.0.0.1:`port`: its exit
    code and what it wrote on stderr."""
    environ = os.environ | {
        "DONDOC_TELEGRAM__TOKEN": tg.token,
        "DONDOC_TELEGRAM__API_BASE_URL": tg.base_url,
        "DONDOC_TELEGRAM__WEBHOOK_URL": HOOK_URL,
        "DONDOC_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1",
        "DONDOC_TELEGRAM__WEBHOOK_PORT": str(port),
        "DONDOC_DATABASE__PATH": str(tmp_path / "dondoc.sqlite3"),
        "DONDOC_CONFIG": str(tmp_path / "none.toml"),
    }
    process = await asyncio.create_subprocess_exec(
        *RUN, env=environ, stderr=asyncio.subprocess.PIPE, cwd=ROOT
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_a_token_refused_at_set_webhook_stops_dondoc_run_with_exit_2(
    tg: BotApiDouble, tmp_path: Path
) -> None:
    tg.fail_next("setWebhook", status=401, description="Unauthorized")
    code, stderr = await run_webhook_process(tg, tmp_path, _free_port())
    assert code == 2, stderr
    assert stderr.endswith(
        "dondoc: Telegram không chấp nhận mã bot (telegram.token); "
        "hãy kiểm tra lại với @BotFather.\n"
    )


async def test_a_webhook_port_already_taken_stops_dondoc_run_with_a_message_not_a_traceback(
    tg: BotApiDouble, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, stderr = await run_webhook_process(tg, tmp_path, port)
    assert code == 2, stderr
    assert "Traceback" not in stderr
    said = stderr.splitlines()[-1]  # after the log's lines
    assert said.startswith(f"dondoc run: không mở được cổng webhook 127.0.0.1:{port} (")
    assert said.endswith("Hãy đổi telegram.webhook_port hoặc telegram.webhook_listen.")
    assert tg.calls("setWebhook") == []  # Telegram is not sent to a port nobody serves


async def test_serve_webhook_raises_a_refused_token_after_closing_everything(
    tg: BotApiDouble, tmp_path: Path
) -> None:
    tg.fail_next("setWebhook", status=401, description="Unauthorized")
    port = _free_port()
    settings = webhook_settings(tg, tmp_path, port)
    application = await started(settings)
    with pytest.raises(InvalidToken):
        await run.serve_webhook(application, settings.telegram, SECRET)
    assert not application.running
    assert application.bot_data.services is None
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.post(f"http://127.0.0.1:{port}/dondoc/hook", json={})
