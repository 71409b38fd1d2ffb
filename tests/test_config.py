"""Settings on the command line: one line naming the key on a bad value (exit 2); backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from tests.test_import import UNITS, write_csv


def run(tmp_path: Path, toml: str, *args: str) -> int:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "d.sqlite3"}"\n{toml}', encoding="utf-8")
    return main(["--config", str(config), *args])


def test_a_bad_value_names_the_key_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, '[organization]\nlanguage = "fr"\n', "backup", "x.sqlite3") == 2
    captured = capsys.readouterr()
    assert captured.err == "dondoc: config: organization.language: Input should be 'vi' or 'en'\n"
    assert captured.out == ""
    assert not (tmp_path / "d.sqlite3").exists()


def test_a_malformed_file_says_where_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "[organization\nname = 1\n", "backup", "x.sqlite3") == 2
    assert capsys.readouterr().err == (
        f"dondoc: config: {tmp_path / 'config.toml'}: not valid TOML: Expected ']' at the end "
        "of a table declaration (at line 3, column 14)\n"
    )


def test_an_unknown_key_and_a_bad_environment_value_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONDOC_REMINDERS__DAILY_AT", "25:00")
    assert run(tmp_path, '[organization]\nnmae = "UBND"\n', "backup", "x.sqlite3") == 2
    assert capsys.readouterr().err == (
        "dondoc: config: organization.nmae: unknown key; "
        "reminders.daily_at: '25:00' is not a time of day HH:MM\n"
    )


def test_a_missing_config_file_given_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.toml"
    assert main(["--config", str(missing), "backup", "x.sqlite3"]) == 2
    assert capsys.readouterr().err == f"dondoc: config: {missing}: no such configuration file\n"


def test_the_environment_wins_over_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONDOC_ORGANIZATION__LANGUAGE", "en")
    units = write_csv(tmp_path / "units.csv", UNITS)
    assert run(tmp_path, '[organization]\nlanguage = "vi"\n', "import", "units", str(units)) == 0
    assert capsys.readouterr().out.startswith("Imported units from units.csv: 3 created")


def test_backup_writes_a_readable_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = write_csv(tmp_path / "units.csv", UNITS)
    assert run(tmp_path, "", "import", "units", str(units)) == 0
    dest = tmp_path / "backups" / "copy.sqlite3"
    assert run(tmp_path, "", "backup", str(dest)) == 0
    assert capsys.readouterr().out.splitlines()[-1] == str(dest)
    copy = sqlite3.connect(dest)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT code FROM units ORDER BY code").fetchall() == [
            ("SNV",), ("SYT",), ("UBND-CL",),
        ]  # fmt: skip
    finally:
        copy.close()


# --- [telegram] paid_broadcast (issue 15) ---------------------------------------------------------


def test_more_than_30_messages_a_second_from_telegram_needs_paid_broadcast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "[telegram]\nmessages_per_second = 100\n", "backup", "x.sqlite3") == 2
    assert capsys.readouterr().err == (
        "dondoc: config: telegram: messages_per_second = 100: Telegram takes 30"
        " messages a second for free; above that set paid_broadcast = true (0.1 Star a message"
        " above 30 a second) or lower it\n"
    )
    paid = "[telegram]\nmessages_per_second = 1001\npaid_broadcast = true\n"
    assert run(tmp_path, paid, "backup", "x.sqlite3") == 2
    assert capsys.readouterr().err == (
        "dondoc: config: telegram: messages_per_second = 1001: Telegram's paid"
        " broadcasts go up to 1,000 a second\n"
    )
    assert not (tmp_path / "d.sqlite3").exists()


def test_paid_broadcast_takes_up_to_1000_a_second_and_a_local_server_any_rate() -> None:
    from bot.config import Settings

    paid = Settings(telegram={"messages_per_second": 1000, "paid_broadcast": True})  # type: ignore[arg-type]
    assert paid.telegram.paid_broadcast and paid.telegram.messages_per_second == 1000
    assert not Settings().telegram.paid_broadcast  # off unless asked for
    local = {"messages_per_second": 300, "api_base_url": "http://127.0.0.1:8081/bot"}
    assert Settings(telegram=local).telegram.messages_per_second == 300  # type: ignore[arg-type]
