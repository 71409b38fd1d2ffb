"""`dondoc sample`: a province to try dondoc with; and the templates shipped in templates/."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.importer import read_table
from bot.models import ImportKind, Role, phone_key
from bot.sample import write_sample, write_templates
from bot.status import Status, is_due_soon, is_extended_on, status_on
from storage import Database
from storage.register import all_tasks, people_with_role
from tests.test_import import cli, load

TODAY = date(2020, 4, 15)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_the_sample_is_the_same_for_the_same_day(tmp_path: Path) -> None:
    first = write_sample(tmp_path / "a", today=TODAY)
    second = write_sample(tmp_path / "b", today=TODAY)
    for one, other in zip(
        (first.units, first.people, first.tasks), (second.units, second.people, second.tasks),
        strict=True,
    ):  # fmt: skip
        assert one.read_bytes() == other.read_bytes()
    assert (first.unit_count, first.person_count, first.task_count) == (30, 106, 500)
    later = write_sample(tmp_path / "c", today=date(2020, 4, 16))
    assert later.tasks.read_bytes() != first.tasks.read_bytes()


async def test_the_sample_imports_and_has_every_status(db: Database, tmp_path: Path) -> None:
    files = write_sample(tmp_path, today=TODAY)
    for kind, path in ((ImportKind.UNITS, files.units), (ImportKind.PEOPLE, files.people),
                       (ImportKind.TASKS, files.tasks)):  # fmt: skip
        result = await load(db, kind, path, today=TODAY)
        assert (result.errors, result.created) == ((), {"units": 30, "people": 106,
                                                        "tasks": 500}[kind.value])  # fmt: skip
    assert [len(await people_with_role(db, role)) for role in Role] == [2, 4, 30, 70]
    tasks = await all_tasks(db)
    statuses = Counter(status_on(t, TODAY) for t in tasks)
    assert set(statuses) == set(Status)
    assert all(count >= 25 for count in statuses.values()), statuses
    assert sum(is_due_soon(t, TODAY, 7) for t in tasks) >= 25
    assert sum(is_extended_on(t, TODAY) for t in tasks) >= 25
    assert sum(t.deadline is None for t in tasks) >= 20
    assert all(t.assigned_on <= TODAY for t in tasks)
    assert sum(t.officer_id is not None for t in tasks) > 300


def test_the_sample_speaks_like_a_vietnamese_province(tmp_path: Path) -> None:
    files = write_sample(tmp_path, today=TODAY)
    with files.units.open(encoding="utf-8-sig") as source:
        units = list(csv.DictReader(source))
    with files.people.open(encoding="utf-8-sig") as source:
        people = list(csv.DictReader(source))
    names = [u["Tên đơn vị"] for u in units]
    assert "Sở Y tế" in names and "UBND huyện Cao Lộc" in names
    assert sum(name.startswith("UBND huyện") for name in names) == 10
    assert all(len(phone_key(p["Điện thoại"])) in (9, 10) for p in people)
    assert {p["Vai trò"] for p in people} == {"Văn phòng", "Lãnh đạo", "Thủ trưởng", "Chuyên viên"}


def test_the_command_writes_what_the_readme_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(tmp_path, "sample", str(tmp_path / "sample"), "--today", "2020-04-15") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"Đã tạo tỉnh mẫu trong {tmp_path / 'sample'}: 30 đơn vị, 106 cán bộ, 500 nhiệm vụ "
        "quanh ngày 15/04/2020. Nhập lần lượt:"
    )
    for kind in ("units", "people", "tasks"):
        assert cli(tmp_path, "import", kind, str(tmp_path / "sample" / f"{kind}.csv")) == 0


def test_the_templates_are_the_ones_the_code_writes(tmp_path: Path) -> None:
    written = write_templates(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in TEMPLATES.iterdir())
    for path in written:
        shipped = TEMPLATES / path.name
        if path.suffix == ".csv":
            assert shipped.read_bytes() == path.read_bytes(), path.name
        else:
            assert read_table(shipped) == read_table(path), path.name


async def test_the_templates_import_in_order(db: Database) -> None:
    for kind in ImportKind:
        for suffix in (".xlsx", ".csv"):
            result = await load(db, kind, TEMPLATES / f"{kind.value}{suffix}")
            assert result.errors == ()
            assert (result.created + result.unchanged) == 2
    sheet = openpyxl.load_workbook(TEMPLATES / "tasks.xlsx").active
    assert [cell.value for cell in sheet[1]][:3] == ["Mã nhiệm vụ", "Số, ký hiệu văn bản",
                                                     "Ngày văn bản"]  # fmt: skip


def test_the_command_says_when_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "plain").write_text("a file, not a folder")
    assert cli(tmp_path, "sample", str(tmp_path / "plain" / "sample")) == 1
    assert capsys.readouterr().err == (
        f"{tmp_path / 'plain' / 'sample' / 'units.csv'}: không ghi được tệp (Not a directory).\n"
    )
