"""`dondoc sandbox` as a process, and `make run`'s `dondoc run --sandbox-if-no-token`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

import bot.commands.sandbox
from bot.cli import main as cli_main
from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent
STRANGER = 7_000_000


def test_run_without_a_token_opens_the_practice_room_with_the_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[argparse.Namespace] = []

    def sandbox(args: argparse.Namespace, settings: Settings) -> int:
        opened.append(args)
        return 0

    monkeypatch.setattr(bot.commands.sandbox, "handle", sandbox)
    monkeypatch.delenv("DONDOC_TELEGRAM__TOKEN", raising=False)
    config = tmp_path / "config.toml"
    config.write_text('[telegram]\ntoken = ""\n', encoding="utf-8")
    assert cli_main(["--config", str(config), "run", "--sandbox-if-no-token"]) == 0
    [args] = opened
    assert (args.host, args.port, args.data, args.fresh) == (
        "127.0.0.1", 8080, Path("data/sandbox"), False,
    )  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("dondoc: config: telegram.token: missing. Create a bot with")
    assert err[1] == "Chưa có mã bot (telegram.token), nên mở phòng tập thay cho bot thật."


def test_run_with_a_token_does_not_open_the_practice_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.commands.sandbox, "handle", lambda *_: pytest.fail("opened"))
    monkeypatch.setenv("DONDOC_TELEGRAM__TOKEN", "123456:TEST-TOKEN")
    monkeypatch.setenv("DONDOC_TELEGRAM__WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("DONDOC_TELEGRAM__WEBHOOK_SECRET", "not allowed!")  # stops before Telegram
    monkeypatch.setenv("DONDOC_CONFIG", str(tmp_path / "none.toml"))
    assert cli_main(["run", "--sandbox-if-no-token"]) == 2


def test_a_bad_trainer_code_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["sandbox", "--code", "a b"]) == 2
    assert capsys.readouterr().err == "--code: cần từ 4 đến 64 chữ cái hoặc chữ số.\n"


async def test_the_sandbox_process_serves_the_page_and_never_uses_the_configured_telegram(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(  # a token and a Bot API that would fail if they were used
        '[telegram]\ntoken = "123456:REAL-TOKEN"\napi_base_url = "http://127.0.0.1:9/bot"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DONDOC_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "sandbox", "--port", "0",
        "--data", str(tmp_path / "room"), "--today", "2020-04-15",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        lines: list[str] = []
        url = None
        while url is None:
            line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
            assert line, "the process stopped: " + "".join(lines)
            lines.append(line)
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            url = found.group(0) if found else None
        assert lines[0].startswith("Sổ của phòng tập (")
        assert "từ dữ liệu mẫu: 30 đơn vị, 106 người, 500 nhiệm vụ." in lines[0]
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                assert response.status == 200
            async with session.get(f"{url}api/events/{STRANGER}") as stream:
                body = {"text": "/start"}
                async with session.post(f"{url}api/send/{STRANGER}", json=body) as sent:
                    assert sent.status == 200
                while True:
                    line = (await asyncio.wait_for(stream.content.readline(), 20)).decode()
                    if line.startswith("data: ") and json.loads(line[6:])["from"] == "bot":
                        break
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0
    rest = (await process.stdout.read()).decode()
    assert "Đây là phòng tập, không phải Telegram" in "".join(lines) + rest
