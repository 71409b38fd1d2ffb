"""`dondoc import`: reading CSV and XLSX, every kind of bad row, all or nothing, re-imports."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.figures import compute_figures, month_period
from bot.importer import MAX_CHARS, FileProblem, ImportResult, RowError
from bot.models import ImportKind, Period, Role
from bot.services.imports import import_file
from bot.status import Status, status_on
from storage import Database
from storage.figures import figures_summed_once, insert_triggers_idle, load_figures
from storage.register import all_tasks, get_person, get_task, get_unit, list_units, task_history

TODAY = date(2020, 4, 20)
NOW = datetime(2020, 4, 20, 2, 0, tzinfo=UTC)

UNITS = [
    {"ma_don_vi": "SYT", "ten_don_vi": "Sở Y tế", "loai": "Sở, ban, ngành"},
    {"ma_don_vi": "UBND-CL", "ten_don_vi": "UBND huyện Cao Lộc", "loai": "UBND huyện"},
    {"ma_don_vi": "SNV", "ten_don_vi": "Sở Nội vụ", "loai": "Sở, ban, ngành"},
]
PEOPLE = [
    {"ma_can_bo": "VP01", "ho_ten": "Hà Thu Trang", "ma_don_vi": "", "vai_tro": "admin"},
    {"ma_can_bo": "LD01", "ho_ten": "Hồ Tiến Thiệu", "ma_don_vi": "", "vai_tro": "leader"},
    {"ma_can_bo": "TT-SYT", "ho_ten": "Lê Văn Hải", "ma_don_vi": "SYT", "vai_tro": "head"},
    {"ma_can_bo": "CV-SYT", "ho_ten": "Trần Thị Bình", "ma_don_vi": "SYT", "vai_tro": "officer"},
    {"ma_can_bo": "CV-CL", "ho_ten": "Vi Văn Nam", "ma_don_vi": "UBND-CL", "vai_tro": "officer"},
]
TASK = {
    "ma_nhiem_vu": "NV-2020-0001",
    "so_ky_hieu": "930/VP-TH",
    "ngay_van_ban": "13/03/2020",
    "trich_yeu": "Báo cáo tình hình phòng, chống dịch COVID-19",
    "noi_dung": "Tổng hợp, báo cáo UBND tỉnh",
    "nguoi_giao": "LD01",
    "don_vi_chu_tri": "SYT",
    "don_vi_phoi_hop": "UBND-CL;SNV",
    "can_bo_xu_ly": "CV-SYT",
    "ngay_giao": "13/03/2020",
    "han_ban_dau": "31/03/2020",
    "han_xu_ly": "31/03/2020",
    "ngay_hoan_thanh": "30/03/2020",
}


def task(**changes: str) -> dict[str, str]:
    return {**TASK, **changes}


def write_csv(
    path: Path, rows: Sequence[Mapping[str, str]], *, delimiter: str = ",", bom: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        fields = list(dict.fromkeys(key for row in rows for key in row))  # rows may differ
        writer = csv.DictWriter(out, fieldnames=fields, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


async def load(
    db: Database, kind: ImportKind, path: Path, *, today: date = TODAY, now: datetime = NOW
) -> ImportResult:
    return await import_file(db, kind, path, today=today, now=now)


async def load_rows(
    db: Database, tmp_path: Path, kind: ImportKind, rows: Sequence[Mapping[str, str]]
) -> ImportResult:
    return await load(db, kind, write_csv(tmp_path / f"{kind.value}.csv", rows))


@pytest.fixture
async def world(db: Database, tmp_path: Path) -> Database:
    """Three units and five people, imported."""
    assert (await load_rows(db, tmp_path, ImportKind.UNITS, UNITS)).created == 3
    assert (await load_rows(db, tmp_path, ImportKind.PEOPLE, PEOPLE)).created == 5
    return db


async def rejected(db: Database, tmp_path: Path, *rows: Mapping[str, str]) -> list[RowError]:
    """The errors of a tasks file; asserts that it wrote nothing."""
    before = await db.fetchval("SELECT count(*) FROM tasks")
    result = await load_rows(db, tmp_path, ImportKind.TASKS, rows)
    assert not result.ok
    assert await db.fetchval("SELECT count(*) FROM tasks") == before
    return list(result.errors)


def brief(errors: Sequence[RowError]) -> list[tuple[int, str, str, str]]:
    return [(e.row, e.column, e.value, e.reason) for e in errors]


# --- a good file -------------------------------------------------------------------------


async def test_a_task_file_registers_every_field(world: Database, tmp_path: Path) -> None:
    result = await load_rows(world, tmp_path, ImportKind.TASKS, [TASK])
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    registered = await get_task(world, code="NV-2020-0001")
    assert registered is not None
    health = await get_unit(world, code="SYT")
    officer = await get_person(world, code="CV-SYT")
    leader = await get_person(world, code="LD01")
    assert health and officer and leader
    assert registered.title == "Báo cáo tình hình phòng, chống dịch COVID-19"
    assert registered.doc_number == "930/VP-TH"
    assert registered.doc_date == date(2020, 3, 13)
    assert registered.content == "Tổng hợp, báo cáo UBND tỉnh"
    assert (registered.assigner, registered.assigner_id) == ("LD01", leader.id)
    assert registered.lead_unit_id == health.id
    assert len(registered.cooperating_unit_ids) == 2
    assert registered.officer_id == officer.id
    assert registered.assigned_on == date(2020, 3, 13)
    assert (registered.original_deadline, registered.deadline) == (date(2020, 3, 31),) * 2
    assert registered.completed_on == date(2020, 3, 30)
    assert registered.extended_on is None
    assert result.created_task_ids == (registered.id,)
    [event] = await task_history(world, registered.id)
    assert (event.kind, event.detail) == ("created", {"source": "import"})


async def test_an_assigning_body_is_kept_by_name(world: Database, tmp_path: Path) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, [task(nguoi_giao="UBND tỉnh")])
    registered = await get_task(world, code="NV-2020-0001")
    assert registered is not None
    assert (registered.assigner, registered.assigner_id) == ("UBND tỉnh", None)


async def test_an_empty_deadline_means_no_deadline(world: Database, tmp_path: Path) -> None:
    row = task(han_ban_dau="", han_xu_ly="", ngay_hoan_thanh="")
    await load_rows(world, tmp_path, ImportKind.TASKS, [row])
    registered = await get_task(world, code="NV-2020-0001")
    assert registered is not None
    assert (registered.original_deadline, registered.deadline) == (None, None)
    assert status_on(registered, TODAY) is Status.OPEN_IN_TIME


async def test_the_original_deadline_defaults_to_the_deadline(
    world: Database, tmp_path: Path
) -> None:
    await load_rows(
        world, tmp_path, ImportKind.TASKS, [task(han_ban_dau="", han_xu_ly="2020-04-10")]
    )
    registered = await get_task(world, code="NV-2020-0001")
    assert registered is not None
    assert (registered.original_deadline, registered.deadline) == (date(2020, 4, 10),) * 2
    assert registered.extensions == ()


async def test_two_deadlines_make_an_extension_granted_on_the_assigned_day(
    world: Database, tmp_path: Path
) -> None:
    row = task(han_ban_dau="31/03/2020", han_xu_ly="30/4/2020", ngay_hoan_thanh="")
    await load_rows(world, tmp_path, ImportKind.TASKS, [row])
    registered = await get_task(world, code="NV-2020-0001")
    assert registered is not None
    assert registered.original_deadline == date(2020, 3, 31)
    assert registered.deadline == date(2020, 4, 30)
    assert registered.extended_on == date(2020, 3, 13)
    [extension] = registered.extensions
    assert (extension.old_deadline, extension.new_deadline, extension.granted_on) == (
        date(2020, 3, 31), date(2020, 4, 30), date(2020, 3, 13),
    )  # fmt: skip
    assert status_on(registered, TODAY) is Status.OPEN_IN_TIME


async def test_a_semicolon_csv_with_bom_and_vietnamese_labels(
    world: Database, tmp_path: Path
) -> None:
    labels = {
        "Mã nhiệm vụ": "NV-1", "Trích yếu": "Rà soát, đề xuất; báo cáo", "Đơn vị chủ trì": "SYT",
        "Ngày giao": "1/4/2020", "Hạn xử lý": "15/04/2020", "Cán bộ xử lý": "CV-SYT",
    }  # fmt: skip
    path = write_csv(tmp_path / "nv.csv", [labels], delimiter=";", bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = await load(world, ImportKind.TASKS, path)
    assert (result.created, result.errors) == (1, ())
    registered = await get_task(world, code="NV-1")
    assert registered is not None
    assert registered.title == "Rà soát, đề xuất; báo cáo"
    assert registered.deadline == date(2020, 4, 15)


async def test_english_column_names(world: Database, tmp_path: Path) -> None:
    row = {"code": "NV-1", "title": "Report", "lead_unit": "SYT", "assigned_on": "2020-04-01",
           "deadline": "2020-04-15", "assigned_by": "LD01"}  # fmt: skip
    result = await load_rows(world, tmp_path, ImportKind.TASKS, [row])
    assert (result.created, result.errors) == (1, ())


async def test_an_xlsx_file_with_date_cells_and_number_cells(
    world: Database, tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Vai trò", "Điện thoại", "Telegram ID"])
    sheet.append(["CV-SYT-2", "Nông Thị Mai", "SYT", "Chuyên viên", "0912 345 678", 123456789])
    sheet.append([])  # an empty row is skipped; row numbers stay as the sheet shows them
    sheet.append(["TT-CL", "Lăng Văn Sơn", "UBND-CL", "Thủ trưởng", None, None])
    workbook.save(tmp_path / "people.xlsx")
    result = await load(world, ImportKind.PEOPLE, tmp_path / "people.xlsx")
    assert (result.created, result.errors) == (2, ())
    officer = await get_person(world, code="CV-SYT-2")
    head = await get_person(world, code="TT-CL")
    assert officer and head
    assert (officer.role, officer.phone, officer.telegram_id) == (
        Role.OFFICER, "0912 345 678", 123456789,
    )  # fmt: skip
    assert (head.role, head.telegram_id) == (Role.HEAD, None)

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Mã nhiệm vụ", "Trích yếu", "Đơn vị chủ trì", "Ngày giao", "Hạn xử lý"])
    # openpyxl reads a date cell back as a datetime at midnight, as Excel stores it.
    sheet.append(["NV-9", "Kiểm tra", "UBND-CL", date(2020, 4, 1), date(2020, 4, 30)])
    sheet.append(["NV-10", "Báo cáo", "SYT", date(2020, 4, 1), "31/04/2020"])
    workbook.save(tmp_path / "tasks.xlsx")
    result = await load(world, ImportKind.TASKS, tmp_path / "tasks.xlsx")
    assert brief(result.errors) == [(3, "Hạn xử lý", "31/04/2020", "bad_date")]


async def test_units_and_people_are_updated_by_a_new_file(world: Database, tmp_path: Path) -> None:
    renamed = [{**UNITS[0], "ten_don_vi": "Sở Y tế tỉnh Lạng Sơn"}, *UNITS[1:]]
    result = await load_rows(world, tmp_path, ImportKind.UNITS, renamed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    unit = await get_unit(world, code="SYT")
    assert unit is not None and unit.name == "Sở Y tế tỉnh Lạng Sơn"

    people = [{**p, "telegram_id": ""} for p in PEOPLE]
    people[3] = {**people[3], "telegram_id": "555", "vai_tro": "Thủ trưởng"}
    result = await load_rows(world, tmp_path, ImportKind.PEOPLE, people)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    person = await get_person(world, code="CV-SYT")
    assert person is not None and (person.role, person.telegram_id) == (Role.HEAD, 555)

    # An empty Telegram ID keeps the link a person made in the bot.
    people[3] = {**people[3], "telegram_id": ""}
    result = await load_rows(world, tmp_path, ImportKind.PEOPLE, people)
    assert (result.updated, result.unchanged) == (0, 5)
    assert await get_person(world, telegram_id=555) is not None


async def test_telegram_ids_can_move_between_people_in_one_file(
    world: Database, tmp_path: Path
) -> None:
    people = [{**p, "telegram_id": ""} for p in PEOPLE]
    people[3]["telegram_id"], people[4]["telegram_id"] = "111", "222"
    await load_rows(world, tmp_path, ImportKind.PEOPLE, people)
    people[3]["telegram_id"], people[4]["telegram_id"] = "222", "111"
    result = await load_rows(world, tmp_path, ImportKind.PEOPLE, people)
    assert (result.updated, result.errors) == (2, ())
    moved = await get_person(world, telegram_id=222)
    assert moved is not None and moved.code == "CV-SYT"


# --- re-importing ------------------------------------------------------------------------


async def test_reimporting_changes_the_task_and_keeps_what_changed(
    world: Database, tmp_path: Path
) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, [task(ngay_hoan_thanh="")])
    changed = task(ngay_hoan_thanh="", trich_yeu="Báo cáo lần 2", ngay_giao="14/03/2020")
    later = datetime(2020, 4, 21, 3, 0, tzinfo=UTC)
    result = await load(
        world, ImportKind.TASKS, write_csv(tmp_path / "again.csv", [changed]), now=later
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert (result.created_task_ids, result.reassigned_task_ids) == ((), ())
    registered = await get_task(world, code="NV-2020-0001")
    assert registered is not None
    assert (registered.title, registered.assigned_on) == ("Báo cáo lần 2", date(2020, 3, 14))
    _, change = await task_history(world, registered.id)
    assert (change.kind, change.at) == ("import_changed", later)
    assert change.detail == {
        "source": "again.csv",
        "fields": {
            "trich_yeu": ["Báo cáo tình hình phòng, chống dịch COVID-19", "Báo cáo lần 2"],
            "ngay_giao": ["2020-03-13", "2020-03-14"],
        },
    }


async def test_an_identical_file_changes_nothing(world: Database, tmp_path: Path) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, [TASK])
    again = task(can_bo_xu_ly="cv-syt", ngay_van_ban="2020-03-13", ma_nhiem_vu="nv-2020-0001")
    result = await load_rows(world, tmp_path, ImportKind.TASKS, [again])
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert await world.fetchval("SELECT count(*) FROM task_events") == 1


async def test_a_new_lead_unit_or_officer_is_reported_for_notification(
    world: Database, tmp_path: Path
) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, [TASK, task(ma_nhiem_vu="NV-2")])
    moved = task(don_vi_chu_tri="UBND-CL", don_vi_phoi_hop="SYT", can_bo_xu_ly="CV-CL")
    result = await load_rows(world, tmp_path, ImportKind.TASKS, [moved, task(ma_nhiem_vu="NV-2")])
    registered = await get_task(world, code="NV-2020-0001")
    assert registered is not None
    assert (result.updated, result.unchanged, result.reassigned_task_ids) == (
        1, 1, (registered.id,),
    )  # fmt: skip
    [_, change] = await task_history(world, registered.id)
    assert change.detail["fields"] == {
        "don_vi_chu_tri": ["SYT", "UBND-CL"],
        "don_vi_phoi_hop": ["SNV;UBND-CL", "SYT"],
        "can_bo_xu_ly": ["CV-SYT", "CV-CL"],
    }


async def test_the_open_tasks_created_or_reassigned_are_the_ones_to_announce(
    world: Database, tmp_path: Path
) -> None:
    open_task = task(ma_nhiem_vu="NV-OPEN", ngay_hoan_thanh="")
    first = await load_rows(world, tmp_path, ImportKind.TASKS, [TASK, open_task])
    [created] = [t for t in await all_tasks(world) if t.code == "NV-OPEN"]
    health, officer = await get_unit(world, code="SYT"), await get_person(world, code="CV-SYT")
    assert health is not None and officer is not None
    assert [(t.id, t.lead_unit_id, t.officer_id, t.deadline) for t in first.assigned] == [
        (created.id, health.id, officer.id, date(2020, 3, 31))
    ]  # the completed task is not announced
    moved = {**open_task, "don_vi_chu_tri": "UBND-CL", "can_bo_xu_ly": "CV-CL"}
    again = await load_rows(world, tmp_path, ImportKind.TASKS, [TASK, moved])
    cao_loc, new_officer = (
        await get_unit(world, code="UBND-CL"),
        await get_person(world, code="CV-CL"),
    )
    assert cao_loc is not None and new_officer is not None
    assert [(t.id, t.lead_unit_id, t.officer_id) for t in again.assigned] == [
        (created.id, cao_loc.id, new_officer.id)
    ]
    same = await load_rows(world, tmp_path, ImportKind.TASKS, [TASK, moved])
    assert same.assigned == ()


async def test_a_later_deadline_in_a_new_file_is_an_extension_granted_today(
    world: Database, tmp_path: Path
) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, [task(ngay_hoan_thanh="")])
    await load_rows(
        world, tmp_path, ImportKind.TASKS, [task(ngay_hoan_thanh="", han_xu_ly="30/04/2020")]
    )
    registered = await get_task(world, code="NV-2020-0001")
    assert registered is not None
    assert (registered.original_deadline, registered.deadline) == (
        date(2020, 3, 31), date(2020, 4, 30),
    )  # fmt: skip
    assert registered.extended_on == TODAY
    [extension] = registered.extensions
    assert (extension.old_deadline, extension.new_deadline, extension.granted_on) == (
        date(2020, 3, 31), date(2020, 4, 30), TODAY,
    )  # fmt: skip
    assert status_on(registered, TODAY) is Status.OPEN_IN_TIME
    assert status_on(registered, date(2020, 4, 19)) is Status.OPEN_OVERDUE


async def test_columns_left_out_keep_what_the_register_has(world: Database, tmp_path: Path) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, [TASK])
    short = {key: TASK[key] for key in ("ma_nhiem_vu", "trich_yeu", "don_vi_chu_tri", "ngay_giao")}
    result = await load_rows(world, tmp_path, ImportKind.TASKS, [short])
    assert (result.updated, result.unchanged) == (0, 1)


# --- bad files: every bad row, nothing written -------------------------------------------


async def test_an_unknown_unit(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, TASK, task(ma_nhiem_vu="NV-2", don_vi_chu_tri="SXX"))
    assert brief(errors) == [(3, "don_vi_chu_tri", "SXX", "unknown_unit")]


async def test_an_unknown_cooperating_unit(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, task(don_vi_phoi_hop="SNV; SGT"))
    assert brief(errors) == [(2, "don_vi_phoi_hop", "SGT", "unknown_unit")]


async def test_an_unknown_person(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, task(can_bo_xu_ly="CV-99", nguoi_giao="LD09"))
    assert brief(errors) == [
        (2, "nguoi_giao", "LD09", "unknown_person"),
        (2, "can_bo_xu_ly", "CV-99", "unknown_person"),
    ]


async def test_a_bad_date(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, task(ngay_giao="31/02/2020"), task(ma_nhiem_vu="X",
                            han_xu_ly="mai"))  # fmt: skip
    assert brief(errors) == [
        (2, "ngay_giao", "31/02/2020", "bad_date"),
        (3, "han_xu_ly", "mai", "bad_date"),
    ]


async def test_a_deadline_before_the_assigned_date(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, task(han_ban_dau="", han_xu_ly="12/03/2020"))
    assert brief(errors) == [(2, "han_xu_ly", "12/03/2020", "deadline_before_assigned")]
    assert errors[0].values == {"assigned": date(2020, 3, 13)}


async def test_a_deadline_before_the_original_one(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, task(han_xu_ly="20/03/2020", ngay_hoan_thanh=""))
    assert brief(errors) == [(2, "han_xu_ly", "20/03/2020", "deadline_before_original")]


async def test_a_completion_before_the_assignment(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, task(ngay_hoan_thanh="12/03/2020"))
    assert brief(errors) == [(2, "ngay_hoan_thanh", "12/03/2020", "completed_before_assigned")]


async def test_a_completion_in_the_future(world: Database, tmp_path: Path) -> None:
    assert (
        await load_rows(world, tmp_path, ImportKind.TASKS, [task(ngay_hoan_thanh="20/04/2020")])
    ).ok
    errors = await rejected(world, tmp_path, task(ngay_hoan_thanh="21/04/2020"))
    assert brief(errors) == [(2, "ngay_hoan_thanh", "21/04/2020", "completed_in_future")]


async def test_a_code_twice_in_the_file(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, TASK, task(ma_nhiem_vu="NV-2"), TASK)
    assert brief(errors) == [(4, "ma_nhiem_vu", "NV-2020-0001", "duplicate_code")]
    assert errors[0].values == {"first": 2}


async def test_a_missing_required_column(world: Database, tmp_path: Path) -> None:
    row = {key: value for key, value in TASK.items() if key not in ("trich_yeu", "ngay_giao")}
    errors = await rejected(world, tmp_path, row)
    assert brief(errors) == [
        (1, "Trích yếu", "", "missing_column"),
        (1, "Ngày giao", "", "missing_column"),
    ]
    assert errors[0].message("vi") == "Dòng 1, cột «Trích yếu»: thiếu cột bắt buộc"


async def test_an_empty_required_value(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, task(trich_yeu="  ", ngay_giao=""))
    assert brief(errors) == [(2, "trich_yeu", "", "empty"), (2, "ngay_giao", "", "empty")]
    assert errors[0].message("vi") == "Dòng 2, cột «trich_yeu»: không được để trống"
    assert errors[1].message("en") == 'Row 2, column "ngay_giao": must not be empty'


def test_error_lines_shorten_long_values_and_name_roles_in_words() -> None:
    long = RowError(9, "Cán bộ xử lý", "x" * 80, "officer_role", {"role": Role.LEADER})
    assert long.message("vi") == (
        f"Dòng 9, cột «Cán bộ xử lý», giá trị «{'x' * 59}…»: cán bộ xử lý phải là chuyên viên "
        "hoặc thủ trưởng; cán bộ này có vai trò lãnh đạo"
    )
    dated = RowError(3, "han_xu_ly", "1/3/2020", "deadline_before_assigned",
                     {"assigned": date(2020, 3, 13)})  # fmt: skip
    assert dated.message("en") == (
        'Row 3, column "han_xu_ly", value "1/3/2020": deadline before the assigned date 13/03/2020'
    )


async def test_a_wrong_role(world: Database, tmp_path: Path) -> None:
    people = [*PEOPLE, {"ma_can_bo": "X1", "ho_ten": "A", "ma_don_vi": "SYT", "vai_tro": "boss"}]
    result = await load_rows(world, tmp_path, ImportKind.PEOPLE, people)
    assert brief(result.errors) == [(7, "vai_tro", "boss", "bad_role")]
    errors = await rejected(world, tmp_path, task(nguoi_giao="TT-SYT", can_bo_xu_ly="LD01"))
    assert brief(errors) == [
        (2, "nguoi_giao", "TT-SYT", "assigner_role"),
        (2, "can_bo_xu_ly", "LD01", "officer_role"),
    ]
    assert [e.values for e in errors] == [{"role": Role.HEAD}, {"role": Role.LEADER}]


async def test_an_officer_of_another_unit(world: Database, tmp_path: Path) -> None:
    errors = await rejected(world, tmp_path, task(can_bo_xu_ly="CV-CL"))
    assert brief(errors) == [(2, "can_bo_xu_ly", "CV-CL", "officer_unit")]
    assert errors[0].values == {"unit": "UBND-CL", "lead": "SYT"}


async def test_people_need_a_unit_and_a_telegram_id_of_their_own(
    world: Database, tmp_path: Path
) -> None:
    people = [
        {"ma_can_bo": "A1", "ho_ten": "A", "ma_don_vi": "", "vai_tro": "Chuyên viên",
         "telegram_id": "7"},
        {"ma_can_bo": "A2", "ho_ten": "B", "ma_don_vi": "SYT", "vai_tro": "officer",
         "telegram_id": "7"},
        {"ma_can_bo": "A3", "ho_ten": "C", "ma_don_vi": "SYT", "vai_tro": "officer",
         "telegram_id": "12ab"},
    ]  # fmt: skip
    result = await load_rows(world, tmp_path, ImportKind.PEOPLE, people)
    assert brief(result.errors) == [
        (2, "ma_don_vi", "", "unit_required"),
        (4, "telegram_id", "12ab", "bad_telegram_id"),
    ]
    people[0]["ma_don_vi"] = "SNV"
    people[2]["telegram_id"] = ""
    result = await load_rows(world, tmp_path, ImportKind.PEOPLE, people)
    assert brief(result.errors) == [
        (2, "telegram_id", "7", "duplicate_telegram_id"),
        (3, "telegram_id", "7", "duplicate_telegram_id"),
    ]
    assert await world.fetchval("SELECT count(*) FROM people") == 5


async def test_one_bad_row_leaves_the_register_as_it_was(world: Database, tmp_path: Path) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, [task(ngay_hoan_thanh="")])
    snapshot = await world.fetchall("SELECT * FROM tasks")
    rows = [
        task(ngay_hoan_thanh="", trich_yeu="Đổi trích yếu"),
        *(task(ma_nhiem_vu=f"NV-{n}") for n in range(2, 40)),
        task(ma_nhiem_vu="NV-40", don_vi_chu_tri="SXX"),
    ]
    errors = await rejected(world, tmp_path, *rows)
    assert brief(errors) == [(41, "don_vi_chu_tri", "SXX", "unknown_unit")]
    assert [tuple(r) for r in await world.fetchall("SELECT * FROM tasks")] == [
        tuple(r) for r in snapshot
    ]
    assert await world.fetchval("SELECT count(*) FROM task_events") == 1


async def test_unreadable_files_are_refused_with_a_reason(world: Database, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.csv").write_bytes("Mã nhiệm vụ\nNV-1\n".encode("utf-16"))
    (tmp_path / "c.xlsx").write_text("not a zip")
    (tmp_path / "d.csv").write_text("\n\n")
    found = []
    for name in ("a.txt", "b.csv", "c.xlsx", "d.csv", "missing.csv"):
        with pytest.raises(FileProblem) as problem:
            await load(world, ImportKind.TASKS, tmp_path / name)
        found.append(problem.value.key)
    assert found == [
        "import.file.format", "import.file.encoding", "import.file.xlsx", "import.file.empty",
        "import.file.unreadable",
    ]  # fmt: skip


# --- the command line --------------------------------------------------------------------


def cli(tmp_path: Path, *args: str, language: str = "vi") -> int:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\npath = "{tmp_path / "cli.sqlite3"}"\n'
        f'[organization]\nlanguage = "{language}"\n',
        encoding="utf-8",
    )
    return main(["--config", str(config), *args])


def test_the_command_prints_every_bad_row_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = write_csv(tmp_path / "units.csv", UNITS)
    assert cli(tmp_path, "import", "units", str(units)) == 0
    assert capsys.readouterr().out == (
        "Đã nhập đơn vị từ units.csv: 3 mới, 0 cập nhật, 0 không đổi;"
        " giữ 0 trường đã sửa trong bot; 0 xung đột.\n"
    )
    bad = write_csv(tmp_path / "nv.csv", [task(nguoi_giao="UBND tỉnh", can_bo_xu_ly="",
                    don_vi_chu_tri="SXX", ngay_giao="32/1/2020")])  # fmt: skip
    assert cli(tmp_path, "import", "tasks", str(bad)) == 1
    assert capsys.readouterr().err.splitlines() == [
        "nv.csv: 2 lỗi ở 1 dòng; chưa ghi gì vào sổ. Sửa các dòng sau rồi nhập lại cả tệp:",
        "Dòng 2, cột «don_vi_chu_tri», giá trị «SXX»: không có đơn vị nào mang mã này",
        "Dòng 2, cột «ngay_giao», giá trị «32/1/2020»: không phải ngày hợp lệ "
        "(dd/mm/yyyy hoặc yyyy-mm-dd)",
    ]


def test_the_command_speaks_english_when_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = write_csv(tmp_path / "units.csv", UNITS)
    people = write_csv(tmp_path / "people.csv", [*PEOPLE, {**PEOPLE[3], "vai_tro": "Lãnh đạo"}])
    assert cli(tmp_path, "import", "units", str(units), language="en") == 0
    assert cli(tmp_path, "import", "people", str(people), language="en") == 1
    captured = capsys.readouterr()
    assert captured.out == (
        "Imported units from units.csv: 3 created, 0 updated, 0 unchanged;"
        " 0 fields changed in the bot kept; 0 conflicts.\n"
    )
    assert captured.err.splitlines() == [
        "people.csv: 1 errors on 1 rows; nothing was written. Fix these rows, then import the "
        "whole file again:",
        'Row 7, column "ma_can_bo", value "CV-SYT": the code is already on row 5 of the file',
    ]
    assert cli(tmp_path, "import", "people", str(tmp_path / "nope.xls"), language="en") == 1
    assert capsys.readouterr().err == "nope.xls: only .csv and .xlsx files can be imported.\n"


async def test_history_detail_is_json_with_vietnamese_text(world: Database, tmp_path: Path) -> None:
    await load_rows(world, tmp_path, ImportKind.TASKS, [TASK])
    await load_rows(world, tmp_path, ImportKind.TASKS, [task(noi_dung="Nội dung mới")])
    raw = await world.fetchval("SELECT detail FROM task_events WHERE kind = 'import_changed'")
    assert json.loads(raw) == {
        "source": "tasks.csv",
        "fields": {"noi_dung": ["Tổng hợp, báo cáo UBND tỉnh", "Nội dung mới"]},
    }
    assert "Nội dung mới" in raw


async def test_progress_counts_rows_read_and_checked(
    world: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.importer.PROGRESS_EVERY", 4)
    rows = [task(ma_nhiem_vu=f"NV-{n}", ngay_hoan_thanh="") for n in range(1, 11)]
    seen: list[tuple[str, int]] = []
    path = write_csv(tmp_path / "big.csv", rows)
    result = await import_file(
        world, ImportKind.TASKS, path, today=TODAY, now=NOW,
        progress=lambda stage, count: seen.append((stage, count)),
    )  # fmt: skip
    assert result.created == 10
    assert seen == [("read", 4), ("read", 8), ("read", 10), ("checked", 4), ("checked", 8),
                    ("checked", 10), ("write", 10)]  # fmt: skip


# --- the report figures after an import (issue 7: summed once, not row by row) -----------


def figures_task(code: str, unit: str, assigned: str, deadline: str, **more: str) -> dict[str, str]:
    officer = {"SYT": "CV-SYT", "UBND-CL": "CV-CL"}[unit]
    return task(
        ma_nhiem_vu=code,
        don_vi_chu_tri=unit,
        can_bo_xu_ly=officer,
        don_vi_phoi_hop="",
        ngay_giao=assigned,
        han_ban_dau=more.pop("han_ban_dau", deadline),
        han_xu_ly=deadline,
        ngay_hoan_thanh=more.pop("ngay_hoan_thanh", ""),
        **more,
    )


FIRST_FILE = [
    figures_task("F-01", "SYT", "06/01/2020", "31/01/2020", ngay_hoan_thanh="20/01/2020"),
    figures_task("F-02", "SYT", "10/02/2020", "28/02/2020", ngay_hoan_thanh="05/03/2020"),
    figures_task("F-03", "UBND-CL", "02/03/2020", "15/03/2020"),
    figures_task("F-04", "UBND-CL", "02/03/2020", "31/03/2020", han_ban_dau="20/03/2020"),
    figures_task("F-05", "SYT", "16/03/2020", "", han_ban_dau="", nguoi_giao="UBND tỉnh"),
    figures_task("F-06", "SYT", "01/04/2020", "10/04/2020", ngay_hoan_thanh="12/04/2020"),
    figures_task("F-07", "UBND-CL", "13/03/2020", "31/03/2020", ngay_hoan_thanh="31/03/2020"),
    figures_task("F-08", "SYT", "15/12/2019", "15/01/2020"),
    figures_task("F-09", "UBND-CL", "14/04/2020", "30/04/2020"),
]
# Deadlines extended (today) or corrected, completions added and removed, lead units moved.
SECOND_FILE = [
    figures_task("F-03", "UBND-CL", "02/03/2020", "30/04/2020"),
    figures_task(
        "F-04",
        "SYT",
        "02/03/2020",
        "31/03/2020",
        han_ban_dau="20/03/2020",
        ngay_hoan_thanh="25/03/2020",
    ),
    figures_task("F-02", "SYT", "10/02/2020", "28/02/2020"),
    figures_task(
        "F-05", "SYT", "16/03/2020", "10/04/2020", han_ban_dau="10/04/2020", nguoi_giao="UBND tỉnh"
    ),
    figures_task("F-08", "UBND-CL", "15/12/2019", "15/01/2020", ngay_hoan_thanh="02/02/2020"),
    figures_task("F-10", "SYT", "17/04/2020", "20/04/2020", ngay_hoan_thanh="20/04/2020"),
]


async def test_the_report_figures_after_imports_equal_the_rule(
    world: Database, tmp_path: Path
) -> None:
    first = await load(world, ImportKind.TASKS, write_csv(tmp_path / "first.csv", FIRST_FILE))
    second = await load(world, ImportKind.TASKS, write_csv(tmp_path / "second.csv", SECOND_FILE))
    assert (first.created, second.created, second.updated) == (9, 1, 5)
    # Nothing left waiting: the bot's own writes are summed by the triggers again.
    waiting = "SELECT (SELECT count(*) FROM figure_bulk) + (SELECT count(*) FROM figure_changes)"
    assert await world.fetchval(waiting) == 0
    tasks = await all_tasks(world)
    units = {u.id: (u.code, u.name) for u in await list_units(world)}
    leaders = {"LD01": "Hồ Tiến Thiệu", "VP01": "Hà Thu Trang"}
    checked = 0
    for period in (
        month_period(2020, 3),
        month_period(2020, 4),
        Period(date(2020, 1, 1), date(2020, 3, 31)),
        month_period(2019, 12),
    ):
        for as_of in (date(2020, 1, 20), date(2020, 3, 16), date(2020, 4, 1), TODAY):
            if as_of < period.start:
                continue
            stored = await load_figures(world, period=period, as_of=as_of)
            rule = compute_figures(
                tasks, period=period, as_of=as_of, unit_names=units, leader_names=leaders
            )
            assert stored == rule, (period, as_of)
            checked += 1
    assert checked == 13
    march = await load_figures(world, period=month_period(2020, 3), as_of=TODAY)
    assert march.year_figures.assigned == 6


SCHEMA = "SELECT type, name, sql FROM sqlite_schema ORDER BY type, name"


async def test_an_import_leaves_the_triggers_as_they_were(world: Database, tmp_path: Path) -> None:
    """The idle triggers set aside during the insert are made again, from their own text."""
    before = [tuple(r) for r in await world.fetchall(SCHEMA)]
    assert {"figure_tasks_insert", "overdue_tasks_insert"} <= {name for _, name, _ in before}
    assert (
        await load(world, ImportKind.TASKS, write_csv(tmp_path / "f.csv", FIRST_FILE))
    ).created == 9
    assert [tuple(r) for r in await world.fetchall(SCHEMA)] == before
    # The bot's own writes go through the triggers again: its new task is in the figures.
    await world.execute(
        "INSERT INTO tasks (code, title, lead_unit_id, assigner, assigned_on, created_at,"
        " updated_at) SELECT 'F-99', 'x', id, 'LD01', '2020-04-20', 'a', 'a' FROM units LIMIT 1"
    )
    figures = await load_figures(world, period=month_period(2020, 4), as_of=TODAY)
    assert figures.period_figures.assigned == 3  # F-06, F-09 and F-99


async def test_a_failed_bulk_insert_gives_the_triggers_back(world: Database) -> None:
    before = [tuple(r) for r in await world.fetchall(SCHEMA)]
    with pytest.raises(RuntimeError, match="the disk is full"):
        async with (
            world.transaction() as conn,
            figures_summed_once(conn),
            insert_triggers_idle(conn),
        ):
            raise RuntimeError("the disk is full")
    assert [tuple(r) for r in await world.fetchall(SCHEMA)] == before
    with pytest.raises(RuntimeError, match="outside figures_summed_once"):
        async with world.transaction() as conn, insert_triggers_idle(conn):
            pass


# --- caps per column (issue 14) ------------------------------------------------------------


async def test_a_100000_character_title_is_refused_naming_the_column_and_its_cap(
    world: Database, tmp_path: Path
) -> None:
    errors = await rejected(world, tmp_path, task(trich_yeu="Báo cáo " * 12_500))
    assert [(e.row, e.column, e.reason) for e in errors] == [(2, "trich_yeu", "too_long")]
    assert errors[0].message("vi") == (
        f"Dòng 2, cột «trich_yeu», giá trị «{('Báo cáo ' * 8)[:59]}…»: "
        "dài quá 1.000 ký tự (giới hạn của cột này)"
    )
    assert errors[0].message("en").endswith(": longer than 1,000 characters (this column's limit)")


async def test_every_capped_column_is_checked_and_a_cell_at_its_cap_is_taken(
    world: Database, tmp_path: Path
) -> None:
    at_cap = task(trich_yeu="t" * MAX_CHARS["trich_yeu"], noi_dung="n" * MAX_CHARS["noi_dung"],
                  so_ky_hieu="s" * MAX_CHARS["so_ky_hieu"])  # fmt: skip
    assert (await load_rows(world, tmp_path, ImportKind.TASKS, [at_cap])).ok
    for column, value in (
        ("ma_nhiem_vu", "NV-" + "9" * 60),
        ("noi_dung", "n" * 10_001),
        ("so_ky_hieu", "s" * 101),
        ("nguoi_giao", "g" * 201),
        ("don_vi_phoi_hop", "SNV;" * 300),
    ):
        errors = await rejected(world, tmp_path, task(**{column: value}))
        assert [(e.column, e.reason) for e in errors] == [(column, "too_long")]
    people = await load_rows(world, tmp_path, ImportKind.PEOPLE, [
        {"ma_can_bo": "CB-X", "ho_ten": "H" * 201, "vai_tro": "officer", "ma_don_vi": "SYT",
         "dien_thoai": "0" * 31},
    ])  # fmt: skip
    assert not people.ok
    assert [(e.column, e.reason) for e in people.errors] == [
        ("ho_ten", "too_long"),
        ("dien_thoai", "too_long"),
    ]
