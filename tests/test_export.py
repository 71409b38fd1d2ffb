"""`dondoc export`: every import column, status and days overdue; re-importing changes nothing."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.importer import FileProblem
from bot.models import ImportKind
from bot.services.exports import export_file
from storage import Database
from tests.test_import import TODAY, load, load_rows, task, world

__all__ = ["world"]  # the fixture, used by name

STATUS_ROWS = [
    task(),  # completed on time
    task(ma_nhiem_vu="NV-B", ngay_hoan_thanh="05/04/2020"),
    task(ma_nhiem_vu="NV-C", han_ban_dau="", han_xu_ly="30/05/2020", ngay_hoan_thanh=""),
    task(ma_nhiem_vu="NV-D", han_ban_dau="", han_xu_ly="24/04/2020", ngay_hoan_thanh=""),
    task(ma_nhiem_vu="NV-E", han_ban_dau="", han_xu_ly="10/04/2020", ngay_hoan_thanh=""),
    task(ma_nhiem_vu="NV-F", han_ban_dau="", han_xu_ly="", ngay_hoan_thanh="",
         don_vi_phoi_hop="", can_bo_xu_ly="", nguoi_giao="UBND tỉnh"),
    task(ma_nhiem_vu="NV-G", han_ban_dau="10/04/2020", han_xu_ly="30/05/2020",
         ngay_hoan_thanh="", trich_yeu="=1+1 không phải công thức"),
]  # fmt: skip


async def export(
    db: Database, path: Path, *, lang: str = "vi", kind: ImportKind = ImportKind.TASKS
) -> int:
    return await export_file(db, kind, path, today=TODAY, due_soon_days=7, lang=lang)


async def register_dump(db: Database) -> list[tuple[object, ...]]:
    rows = []
    tables = ("units", "people", "tasks", "task_cooperators", "deadline_changes", "task_events")
    for table in tables:
        rows += [(table, *r) for r in await db.fetchall(f"SELECT * FROM {table} ORDER BY 1, 2")]
    return rows


async def test_the_csv_export_has_every_column_status_and_days_overdue(
    world: Database, tmp_path: Path
) -> None:
    assert (await load_rows(world, tmp_path, ImportKind.TASKS, STATUS_ROWS)).created == 7
    assert await export(world, tmp_path / "out.csv") == 7
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as source:
        header, *rows = list(csv.reader(source))
    assert header == [
        "Mã nhiệm vụ", "Số, ký hiệu văn bản", "Ngày văn bản", "Trích yếu", "Nội dung",
        "Người giao", "Đơn vị chủ trì", "Đơn vị phối hợp", "Cán bộ xử lý", "Ngày giao",
        "Hạn ban đầu", "Hạn xử lý", "Ngày hoàn thành", "Trạng thái", "Số ngày quá hạn",
    ]  # fmt: skip
    assert rows[0] == [
        "NV-2020-0001", "930/VP-TH", "13/03/2020", "Báo cáo tình hình phòng, chống dịch COVID-19",
        "Tổng hợp, báo cáo UBND tỉnh", "LD01", "SYT", "SNV;UBND-CL", "CV-SYT", "13/03/2020",
        "31/03/2020", "31/03/2020", "30/03/2020", "Hoàn thành đúng hạn", "",
    ]  # fmt: skip
    assert [(r[0], r[-2], r[-1]) for r in rows[1:]] == [
        ("NV-B", "Hoàn thành quá hạn", ""),
        ("NV-C", "Chưa hoàn thành, trong hạn", ""),
        ("NV-D", "Sắp đến hạn", ""),
        ("NV-E", "Chưa hoàn thành, quá hạn", "10"),
        ("NV-F", "Chưa hoàn thành, trong hạn", ""),
        ("NV-G", "Chưa hoàn thành, trong hạn", ""),
    ]
    assert rows[5][5:9] == ["UBND tỉnh", "SYT", "", ""]
    assert rows[6][10:12] == ["10/04/2020", "30/05/2020"]


async def test_the_xlsx_export_has_date_cells_and_text_stays_text(
    world: Database, tmp_path: Path
) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, STATUS_ROWS)
    await export(world, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet["A1"].value == "Mã nhiệm vụ" and sheet["A1"].font.bold
    assert sheet["J2"].value.date() == date(2020, 3, 13)
    assert sheet["J2"].number_format == "DD/MM/YYYY"
    assert (sheet["D8"].value, sheet["D8"].data_type) == ("=1+1 không phải công thức", "s")
    assert (sheet["N6"].value, sheet["O6"].value) == ("Chưa hoàn thành, quá hạn", 10)


@pytest.mark.parametrize(("name", "lang"), [("out.csv", "vi"), ("out.xlsx", "vi"),
                                            ("out.csv", "en"), ("out.xlsx", "en")])  # fmt: skip
async def test_exporting_and_importing_again_changes_nothing(
    world: Database, tmp_path: Path, name: str, lang: str
) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, STATUS_ROWS)
    before = await register_dump(world)
    for kind in ImportKind:
        path = tmp_path / f"{kind.value}-{name}"
        await export(world, path, lang=lang, kind=kind)
        result = await load(world, kind, path)
        assert (result.created, result.updated, result.errors) == (0, 0, ())
        assert (
            result.unchanged
            == {ImportKind.UNITS: 3, ImportKind.PEOPLE: 5, ImportKind.TASKS: 7}[kind]
        )
    assert await register_dump(world) == before


async def test_english_export_uses_english_names_and_words(world: Database, tmp_path: Path) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, STATUS_ROWS[:2])
    await export(world, tmp_path / "people.csv", lang="en", kind=ImportKind.PEOPLE)
    await export(world, tmp_path / "tasks.csv", lang="en")
    with (tmp_path / "people.csv").open(encoding="utf-8-sig") as source:
        people = list(csv.reader(source))
    with (tmp_path / "tasks.csv").open(encoding="utf-8-sig") as source:
        tasks = list(csv.reader(source))
    assert people[0] == ["code", "name", "unit", "role", "phone", "telegram_id"]
    assert people[1][:4] == ["CV-CL", "Vi Văn Nam", "UBND-CL", "officer"]
    assert tasks[0][-3:] == ["completed_on", "status", "days_overdue"]
    assert [row[-2] for row in tasks[1:]] == ["Completed on time", "Completed late"]


async def test_only_csv_and_xlsx_are_written(world: Database, tmp_path: Path) -> None:
    with pytest.raises(FileProblem) as problem:
        await export(world, tmp_path / "out.ods")
    assert problem.value.message("vi") == "out.ods: chỉ xuất được ra tệp .csv hoặc .xlsx."
    assert not (tmp_path / "out.ods").exists()


async def test_a_file_that_cannot_be_written_is_said_so(world: Database, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("a file, not a folder")
    with pytest.raises(FileProblem) as problem:
        await export(world, tmp_path / "plain" / "out.xlsx")
    assert problem.value.message("en") == (
        f"{tmp_path / 'plain' / 'out.xlsx'}: cannot write the file (File exists)."
    )
