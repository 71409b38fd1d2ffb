"""`dondoc stats`: the figures of a small register on the command line."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.models import Role
from storage import Database
from storage.register import add_person, add_task, add_unit

NOW = datetime(2020, 4, 1, 8, 0, tzinfo=UTC)


async def seed(path: Path) -> None:
    db = await Database.open(path)
    try:
        health = await add_unit(db, code="SYT", name="Sở Y tế")
        interior = await add_unit(db, code="SNV", name="Sở Nội vụ")
        await add_person(db, code="PCT1", name="Nguyễn Văn A", role=Role.LEADER)

        march = [
            # Due in March: on time, late, overdue, and extended at assignment to April.
            ("NV-1", health.id, date(2020, 3, 2), date(2020, 3, 10), date(2020, 3, 9), "PCT1"),
            ("NV-2", health.id, date(2020, 3, 2), date(2020, 3, 10), date(2020, 3, 12), "PCT1"),
            ("NV-3", interior.id, date(2020, 3, 3), date(2020, 3, 20), None, "UBND tỉnh"),
            ("NV-4", interior.id, date(2020, 3, 4), date(2020, 3, 25), None, "UBND tỉnh"),
            # Earlier in the year, without a deadline; and one assigned after the period.
            ("NV-5", interior.id, date(2020, 1, 6), None, None, "UBND tỉnh"),
            ("NV-6", health.id, date(2020, 4, 2), date(2020, 4, 30), None, "PCT1"),
        ]
        for code, unit, assigned, original, completed, assigner in march:
            await add_task(
                db, code=code, title=f"Nhiệm vụ {code}", lead_unit_id=unit, assigned_on=assigned,
                now=NOW, original_deadline=original, completed_on=completed, assigner=assigner,
                deadline=date(2020, 4, 15) if code == "NV-4" else original,
            )  # fmt: skip
    finally:
        await db.close()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    database = tmp_path / "data" / "dondoc.sqlite3"
    asyncio.run(seed(database))
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\npath = "{database.as_posix()}"\n', encoding="utf-8")
    return path


def stats(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config), "stats", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_exactly_the_issues_shape(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = stats(config, capsys, "--period", "2020-03", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "as_of": "2020-03-31",
        "period": {"from": "2020-03-01", "to": "2020-03-31"},
        "period_figures": {"assigned": 4, "due": 4, "completed": 2, "on_time": 1, "late": 1,
                           "open_in_time": 1, "open_overdue": 1, "extended": 1},
        "year_figures": {"assigned": 5, "completed": 2, "on_time": 1, "late": 1, "open": 3,
                         "open_in_time": 2, "open_overdue": 1},
        "units": [
            {"code": "SNV", "name": "Sở Nội vụ", "assigned": 3, "completed": 0, "on_time": 0,
             "late": 0, "open_in_time": 2, "open_overdue": 1},
            {"code": "SYT", "name": "Sở Y tế", "assigned": 2, "completed": 2, "on_time": 1,
             "late": 1, "open_in_time": 0, "open_overdue": 0},
        ],
    }  # fmt: skip


def test_as_of_an_earlier_day_counts_what_was_known_then(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = stats(config, capsys, "--period", "2020-03", "--as-of", "11/03/2020", "--json")
    assert code == 0
    figures = json.loads(out)
    assert figures["as_of"] == "2020-03-11"
    assert figures["period_figures"] == {
        "assigned": 4, "due": 4, "completed": 1, "on_time": 1, "late": 0, "open_in_time": 2,
        "open_overdue": 1, "extended": 1,
    }  # fmt: skip


def test_a_period_of_days_with_dates_typed_the_vietnamese_way(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = stats(config, capsys, "--from", "1/3/2020", "--to", "2020-04-05", "--json")
    assert code == 0
    figures = json.loads(out)
    assert figures["period"] == {"from": "2020-03-01", "to": "2020-04-05"}
    assert figures["period_figures"]["assigned"] == 5
    assert figures["year_figures"]["assigned"] == 6


def test_by_default_this_month_as_of_today(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    code, out, _ = stats(config, capsys, "--json")
    after = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert code == 0
    figures = json.loads(out)
    assert figures["as_of"] in {before.isoformat(), after.isoformat()}
    today = date.fromisoformat(figures["as_of"])
    assert figures["period"]["from"] == today.replace(day=1).isoformat()


def test_the_readable_table_and_the_paragraphs(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = stats(config, capsys, "--period", "2020-03")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "Tiến độ thực hiện nhiệm vụ từ ngày 01/03/2020 đến hết ngày 31/03/2020,"
        " số liệu đến hết ngày 31/03/2020"
    )
    assert "  Có thời hạn phải hoàn thành trong kỳ  4" in lines
    assert "    Chưa hoàn thành  3 (60,0%)" in lines
    rows = [[cell.strip() for cell in line.split("|")] for line in lines if "|" in line]
    assert rows[:4] == [
        ["Mã", "Đơn vị", "Đã giao", "Đã hoàn thành", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
         "Chưa hoàn thành, trong hạn", "Chưa hoàn thành, quá hạn"],
        ["SNV", "Sở Nội vụ", "3", "0", "0", "0", "2", "1"],
        ["SYT", "Sở Y tế", "2", "2", "1", "1", "0", "0"],
        ["", "Tổng cộng", "5", "2", "1", "1", "2", "1"],
    ]  # fmt: skip
    assert rows[5:8] == [
        ["PCT1", "Nguyễn Văn A", "2", "2", "1", "1", "0", "0"],
        ["UBND tỉnh", "UBND tỉnh", "3", "0", "0", "0", "2", "1"],
        ["", "Tổng cộng", "5", "2", "1", "1", "2", "1"],
    ]
    assert any(
        line.startswith("Từ ngày 01/03/2020 đến hết ngày 31/03/2020, UBND tỉnh,") for line in lines
    )
    assert lines[-1] == (
        "Lũy kế từ ngày 01/01/2020 đến hết ngày 31/03/2020, UBND tỉnh, Chủ tịch, các Phó Chủ"
        " tịch UBND tỉnh đã giao các sở, ban, ngành, UBND các huyện, thành phố tổng số 5 nhiệm"
        " vụ: đã hoàn thành 2 nhiệm vụ (đạt 40,0% số nhiệm vụ đã giao), trong đó: 1 nhiệm vụ"
        " đúng hạn (chiếm 50,0% số nhiệm vụ đã hoàn thành), 1 nhiệm vụ quá hạn (chiếm 50,0% số"
        " nhiệm vụ đã hoàn thành); còn 3 nhiệm vụ chưa hoàn thành (chiếm 60,0% số nhiệm vụ đã"
        " giao), trong đó: 2 nhiệm vụ còn thời hạn, 1 nhiệm vụ quá thời hạn (chi tiết nhiệm vụ"
        " quá hạn chưa hoàn thành tại phụ lục 2 kèm theo)."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2020-13"],
         "dondoc stats: --period 2020-13: cần một tháng dạng YYYY-MM, ví dụ 2020-03."),
        (["--period", "3/2020"],
         "dondoc stats: --period 3/2020: cần một tháng dạng YYYY-MM, ví dụ 2020-03."),
        (["--from", "10/03/2020", "--to", "01/03/2020"],
         "dondoc stats: --from 10/03/2020 sau --to 01/03/2020."),
        (["--from", "31/02/2020", "--to", "01/03/2020"],
         "dondoc stats: --from 31/02/2020: ngày không hợp lệ; dùng dd/mm/yyyy hoặc yyyy-mm-dd."),
        (["--from", "01/03/2020"], "dondoc stats: cần cả --from và --to."),
        (["--period", "2020-03", "--to", "01/03/2020"],
         "dondoc stats: dùng --period hoặc --from/--to, không dùng cả hai."),
        (["--period", "2020-03", "--as-of", "hôm qua"],
         "dondoc stats: --as-of hôm qua: ngày không hợp lệ; dùng dd/mm/yyyy hoặc yyyy-mm-dd."),
        (["--period", "2020-03", "--as-of", "2020-02-28"],
         "dondoc stats: --as-of 28/02/2020 trước ngày bắt đầu kỳ 01/03/2020."),
    ],
)  # fmt: skip
def test_bad_arguments_give_one_line_and_exit_code_2(
    config: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = stats(config, capsys, *args)
    assert (code, out, err) == (2, "", message + "\n")


def test_english_on_request(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = stats(config, capsys, "--period", "2020-03", "--lang", "en")
    assert code == 0
    assert out.splitlines()[0] == (
        "Progress of the assigned tasks from 01/03/2020 to the end of 31/03/2020,"
        " as of the end of 31/03/2020"
    )
    assert "4 tasks had a deadline in March: 2 were completed" in out
