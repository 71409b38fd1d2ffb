"""Import files: units, people and tasks from CSV or XLSX, checked before anything is written.

`read_table` turns a file into numbered rows. `check_units`, `check_people` and `check_tasks`
are pure: given the rows, what the register already holds (a `Catalog`) and the
organisation's `today`, they return typed records, or every bad row with its column, value
and reason. `plan_import` compares records with the register (created, updated with what changed,
unchanged) and `merge` merges them field by field with it. The import itself, which reads
the register and writes all or nothing, is bot/services/imports.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic

from bot.formats import format_date, format_value
from bot.merge import Outcome, merge_fields, resolve
from bot.models import (
    Catalog,
    Change,
    Conflict,
    ImportKind,
    Merged,
    OpenTask,
    PersonRecord,
    Plan,
    Prefer,
    Record,
    Role,
    RowChange,
    TaskRecord,
    UnitRecord,
    Value,
    fold,
)
from bot.texts import plain

Cell = str | int | float | date | datetime | None
# (stage, rows): "read" and "checked" as the file is read and checked, "write" before writing.
Progress = Callable[[str, int], None]
PROGRESS_EVERY = 5000
SHOWN = 60  # characters of a bad value shown in its error line


# --- columns -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an import file and the three names it goes by."""

    key: str  # snake_case, Vietnamese without diacritics
    label: str  # the Vietnamese label of the templates and of the export
    english: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key, self.label, self.english, *self.aliases)


def header_key(text: str) -> str:
    """ "Mã nhiệm vụ", "ma_nhiem_vu" and "MA NHIEM VU" are one column."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


UNIT_COLUMNS = (
    Column("ma_don_vi", "Mã đơn vị", "code", required=True),
    Column("ten_don_vi", "Tên đơn vị", "name", required=True),
    Column("loai", "Loại đơn vị", "kind"),
)
PEOPLE_COLUMNS = (
    Column("ma_can_bo", "Mã cán bộ", "code", required=True),
    Column("ho_ten", "Họ và tên", "name", required=True),
    Column("ma_don_vi", "Mã đơn vị", "unit"),
    Column("vai_tro", "Vai trò", "role", required=True),
    Column("dien_thoai", "Điện thoại", "phone", aliases=("số điện thoại",)),
    Column("telegram_id", "Telegram ID", "telegram_id"),
)
TASK_COLUMNS = (
    Column("ma_nhiem_vu", "Mã nhiệm vụ", "code", required=True),
    Column("so_ky_hieu", "Số, ký hiệu văn bản", "doc_number"),
    Column("ngay_van_ban", "Ngày văn bản", "doc_date"),
    Column("trich_yeu", "Trích yếu", "title", required=True),
    Column("noi_dung", "Nội dung", "content"),
    Column("nguoi_giao", "Người giao", "assigned_by", aliases=("assigner",)),
    Column("don_vi_chu_tri", "Đơn vị chủ trì", "lead_unit", required=True),
    Column("don_vi_phoi_hop", "Đơn vị phối hợp", "cooperating_units"),
    Column("can_bo_xu_ly", "Cán bộ xử lý", "officer"),
    Column("ngay_giao", "Ngày giao", "assigned_on", required=True),
    Column("han_ban_dau", "Hạn ban đầu", "original_deadline"),
    Column("han_xu_ly", "Hạn xử lý", "deadline"),
    Column("ngay_hoan_thanh", "Ngày hoàn thành", "completed_on"),
)
# The most characters a cell may hold, by column key (README: Import formats). A longer cell
# is a row error naming the column and the cap: a 100.000-character title must not reach the
# register, nor the bot's messages, nor the report.
MAX_CHARS: dict[str, int] = {
    "ma_don_vi": 50, "ten_don_vi": 300, "loai": 100,
    "ma_can_bo": 50, "ho_ten": 200, "vai_tro": 50, "dien_thoai": 30, "telegram_id": 20,
    "ma_nhiem_vu": 50, "so_ky_hieu": 100, "trich_yeu": 1000, "noi_dung": 10_000,
    "nguoi_giao": 200, "don_vi_chu_tri": 50, "don_vi_phoi_hop": 1000, "can_bo_xu_ly": 50,
}  # fmt: skip
# Written by the export, read by people; an import ignores them (and any other column).
EXPORT_ONLY_COLUMNS = (
    Column("trang_thai", "Trạng thái", "status"),
    Column("so_ngay_qua_han", "Số ngày quá hạn", "days_overdue"),
)
COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.UNITS: UNIT_COLUMNS,
    ImportKind.PEOPLE: PEOPLE_COLUMNS,
    ImportKind.TASKS: TASK_COLUMNS,
}

# Role words a sheet may use, folded: the English values and the Vietnamese titles.
ROLE_WORDS: dict[str, Role] = {
    **{role.value: role for role in Role},
    "van phong": Role.ADMIN,
    "quan tri": Role.ADMIN,
    "quan tri vien": Role.ADMIN,
    "lanh dao": Role.LEADER,
    "chu tich": Role.LEADER,
    "pho chu tich": Role.LEADER,
    "thu truong": Role.HEAD,
    "thu truong don vi": Role.HEAD,
    "truong don vi": Role.HEAD,
    "chuyen vien": Role.OFFICER,
    "can bo": Role.OFFICER,
    "can bo dau moi": Role.OFFICER,
}
# How the templates and the sample write a role.
ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Văn phòng",
    Role.LEADER: "Lãnh đạo",
    Role.HEAD: "Thủ trưởng",
    Role.OFFICER: "Chuyên viên",
}


# --- reading a file ----------------------------------------------------------------------


class FileProblem(Exception):
    """The file cannot be read as a table at all; `key` is its text in the catalogue."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, lang: str) -> str:
        return plain(lang, self.key, **self.values)


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet: its header and its non-empty rows, numbered as the user sees them."""

    headers: tuple[str, ...]
    rows: list[tuple[int, tuple[Cell, ...]]]


def read_table(path: Path, progress: Progress | None = None) -> Table:
    """The first sheet of an .xlsx file, or a .csv file (UTF-8, comma or semicolon)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        numbered = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        numbered = _xlsx_rows(path)
    else:
        raise FileProblem("import.file.format", name=path.name)
    headers: tuple[str, ...] | None = None
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    for number, cells in numbered:
        if all(_blank(cell) for cell in cells):
            continue
        if headers is None:
            headers = tuple(cell_text(cell) for cell in cells)
            continue
        rows.append((number, cells))
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress("read", len(rows))
    if headers is None:
        raise FileProblem("import.file.empty", name=path.name)
    if progress is not None:
        progress("read", len(rows))
    return Table(headers=headers, rows=rows)


def _csv_rows(path: Path) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem("import.file.encoding", name=path.name) from exc
    except OSError as exc:
        raise FileProblem("import.file.unreadable", name=path.name, detail=exc.strerror) from exc
    first_line = text.split("\n", 1)[0]
    # The delimiter that splits the header into more columns: "Số, ký hiệu" has a comma too.
    delimiter = max((";", ","), key=lambda d: len(next(csv.reader([first_line], delimiter=d))))
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            yield number, tuple(row)
    except csv.Error as exc:
        raise FileProblem("import.file.csv", name=path.name, detail=str(exc)) from exc


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    import openpyxl  # slow to import: only XLSX needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise FileProblem("import.file.unreadable", name=path.name, detail=exc.strerror) from exc
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise FileProblem("import.file.xlsx", name=path.name) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, tuple(_xlsx_cell(cell) for cell in row)
    finally:
        workbook.close()


def _xlsx_cell(cell: object) -> Cell:
    if cell is None or isinstance(cell, str | int | float | date):
        return cell  # bool is an int: a TRUE cell reads as 1
    return str(cell)  # a time of day, an error value: text, so a check can name it


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(cell: Cell) -> str:
    """A cell as the text a person would read in it."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return format_date(cell) if cell.time() == time() else cell.isoformat(" ")
    if isinstance(cell, date):
        return format_date(cell)
    return str(cell)


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")


def parse_day(cell: Cell) -> date | None:
    """dd/mm/yyyy, d/m/yyyy, yyyy-mm-dd or a date cell; None when empty; else ValueError."""
    if isinstance(cell, datetime):
        if cell.time() != time():
            raise ValueError("a time of day, not a date")
        return cell.date()
    if isinstance(cell, date):
        return cell
    return _parse_day_text(cell_text(cell))


@lru_cache(maxsize=8192)  # a register's dates repeat: parse each text once
def _parse_day_text(text: str) -> date | None:
    if not text:
        return None
    if match := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    if match := _YMD.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)
    raise ValueError("not a date")


# --- what the register holds, and what a file says --------------------------------------


def unit_cells(unit: UnitRecord, catalog: Catalog) -> dict[str, Value]:
    """A unit as the values of its import columns."""
    return {"ma_don_vi": unit.code, "ten_don_vi": unit.name, "loai": unit.kind}


def person_cells(person: PersonRecord, catalog: Catalog) -> dict[str, Value]:
    return {
        "ma_can_bo": person.code,
        "ho_ten": person.name,
        "ma_don_vi": catalog.unit_code(person.unit_id),
        "vai_tro": person.role.value,
        "dien_thoai": person.phone,
        "telegram_id": "" if person.telegram_id is None else str(person.telegram_id),
    }


def task_cells(task: TaskRecord, catalog: Catalog) -> dict[str, Value]:
    return {
        "ma_nhiem_vu": task.code,
        "so_ky_hieu": task.doc_number,
        "ngay_van_ban": task.doc_date,
        "trich_yeu": task.title,
        "noi_dung": task.content,
        "nguoi_giao": task.assigner,
        "don_vi_chu_tri": catalog.unit_code(task.lead_unit_id),
        "don_vi_phoi_hop": ";".join(
            sorted(catalog.unit_code(u) for u in task.cooperating_unit_ids)
        ),
        "can_bo_xu_ly": catalog.person_code(task.officer_id),
        "ngay_giao": task.assigned_on,
        "han_ban_dau": task.original_deadline,
        "han_xu_ly": task.deadline,
        "ngay_hoan_thanh": task.completed_on,
    }


# --- checking ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad cell: the row as the user sees it (header = 1), the column's header, the value."""

    row: int
    column: str
    value: str
    reason: str  # a key under "import.reason." in the catalogue
    values: Mapping[str, object] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        values = {
            name: _word(lang, value) if name == "role" else format_value(value, lang)
            for name, value in self.values.items()
        }
        reason = plain(lang, f"import.reason.{self.reason}", **values)
        value = self.value if len(self.value) <= SHOWN else self.value[: SHOWN - 1] + "…"
        key = "import.error.row" if value else "import.error.row_blank"
        return plain(lang, key, row=self.row, column=self.column, value=value, reason=reason)


def _word(lang: str, role: object) -> str:
    return plain(lang, f"import.role.{role}")


@dataclass(frozen=True, slots=True)
class Checked(Generic[Record]):
    records: list[Record]
    errors: list[RowError]


class _Sheet:
    """One kind's columns found in a table's header; collects every problem."""

    def __init__(self, table: Table, columns: Sequence[Column]) -> None:
        self.table = table
        self.columns = {column.key: column for column in columns}
        self.errors: list[RowError] = []
        self.index: dict[str, int] = {}
        names = {header_key(name): column for column in columns for name in column.names}
        for position, header in enumerate(table.headers):
            column = names.get(header_key(header))
            if column is None:
                continue  # another column (status, notes): not ours to read
            if column.key in self.index:
                first = table.headers[self.index[column.key]]
                self.errors.append(
                    RowError(1, header, header, "duplicate_column", {"other": first})
                )
                continue
            self.index[column.key] = position
        for column in columns:
            if column.required and column.key not in self.index:
                self.errors.append(RowError(1, column.label, "", "missing_column"))
        self.width = max(self.index.values(), default=-1) + 1  # cells a row needs

    def has(self, key: str) -> bool:
        return key in self.index

    def header(self, key: str) -> str:
        position = self.index.get(key)
        return self.columns[key].label if position is None else self.table.headers[position]

    def rows(self, progress: Progress | None) -> Iterator[_Row]:
        for done, (number, cells) in enumerate(self.table.rows, 1):
            yield _Row(self, number, cells)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress("checked", done)
        if progress is not None:
            progress("checked", len(self.table.rows))


class _Row:
    """One row being checked: typed values out, problems into the sheet's list.

    Called a dozen times per row of files of 100,000 rows: the methods read the cells
    directly rather than through one another."""

    __slots__ = ("bad", "cells", "index", "number", "sheet")

    def __init__(self, sheet: _Sheet, number: int, cells: tuple[Cell, ...]) -> None:
        self.sheet = sheet
        self.index = sheet.index
        self.number = number
        # A short row (a CSV line with fewer cells than the header) ends in empty cells.
        self.cells = cells if len(cells) >= sheet.width else cells + (None,) * sheet.width
        self.bad = False

    def cell(self, key: str) -> Cell:
        position = self.index.get(key)
        return None if position is None else self.cells[position]

    def error(self, key: str, reason: str, value: Cell = None, **values: object) -> None:
        shown = cell_text(self.cell(key) if value is None else value)
        self.sheet.errors.append(
            RowError(self.number, self.sheet.header(key), shown, reason, values)
        )
        self.bad = True

    def text(self, key: str, keep: str = "") -> str:
        """The cell's text; `keep` when the file has no such column."""
        position = self.index.get(key)
        if position is None:
            return keep
        cell = self.cells[position]
        text = cell.strip() if type(cell) is str else cell_text(cell)
        cap = MAX_CHARS.get(key)
        if cap is not None and len(text) > cap:
            error = RowError(self.number, self.sheet.header(key), text, "too_long", {"cap": cap})
            if not self.sheet.errors or self.sheet.errors[-1] != error:  # read twice: once
                self.sheet.errors.append(error)
            self.bad = True
        return text

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            self.error(key, "empty")
        return value

    def day(self, key: str, keep: date | None = None) -> date | None:
        position = self.index.get(key)
        if position is None:
            return keep
        cell = self.cells[position]
        try:
            return _parse_day_text(cell.strip()) if type(cell) is str else parse_day(cell)
        except ValueError:
            self.error(key, "bad_date")
            return None

    def unique(self, key: str, code: str, seen: dict[str, int]) -> None:
        """A code may appear on one row of a file only."""
        if not code:
            return
        folded = code.casefold()
        if folded in seen:
            self.error(key, "duplicate_code", first=seen[folded])
        else:
            seen[folded] = self.number

    def unit(self, key: str, code: str, catalog: Catalog) -> UnitRecord | None:
        if not code:
            return None
        found = catalog.unit(code)
        if found is None:
            self.error(key, "unknown_unit", code)
        return found


def check_units(
    table: Table, catalog: Catalog, progress: Progress | None = None
) -> Checked[UnitRecord]:
    sheet = _Sheet(table, UNIT_COLUMNS)
    records: list[UnitRecord] = []
    if sheet.errors:
        return Checked(records, sheet.errors)
    seen: dict[str, int] = {}
    for row in sheet.rows(progress):
        code = row.required("ma_don_vi")
        row.unique("ma_don_vi", code, seen)
        old = catalog.unit(code) if code else None
        name = row.required("ten_don_vi")
        kind = row.text("loai", keep=old.kind if old else "")
        if not row.bad:
            code = old.code if old else code
            records.append(UnitRecord(code, name, kind, id=old.id if old else None))
    return Checked(records if not sheet.errors else [], sheet.errors)


def role_of(text: str) -> Role | None:
    """A role from its English value or a Vietnamese title ("Chuyên viên", "Lãnh đạo")."""
    return ROLE_WORDS.get(header_key(text))


def check_people(
    table: Table, catalog: Catalog, progress: Progress | None = None
) -> Checked[PersonRecord]:
    sheet = _Sheet(table, PEOPLE_COLUMNS)
    records: list[PersonRecord] = []
    if sheet.errors:
        return Checked(records, sheet.errors)
    seen: dict[str, int] = {}
    rows_of: dict[str, int] = {}
    for row in sheet.rows(progress):
        code = row.required("ma_can_bo")
        row.unique("ma_can_bo", code, seen)
        old = catalog.person(code) if code else None
        name = row.required("ho_ten")
        role = role_of(row.required("vai_tro"))
        if role is None and row.text("vai_tro"):
            row.error("vai_tro", "bad_role")
        unit_id = old.unit_id if old else None
        unit_code = row.text("ma_don_vi")
        if sheet.has("ma_don_vi"):
            unit = row.unit("ma_don_vi", unit_code, catalog)
            unit_id = unit.id if unit else None
        if role in (Role.HEAD, Role.OFFICER) and unit_id is None and not unit_code:
            row.error("ma_don_vi", "unit_required", role=role)
        phone = row.text("dien_thoai", keep=old.phone if old else "")
        telegram_id = old.telegram_id if old else None
        raw_id = row.text("telegram_id")
        if raw_id:  # an empty cell keeps the link someone made in the bot
            if raw_id.isdigit() and 0 < int(raw_id) < 2**63:
                telegram_id = int(raw_id)
            else:
                row.error("telegram_id", "bad_telegram_id")
        if not row.bad and role is not None:
            code = old.code if old else code
            rows_of[code] = row.number
            records.append(
                PersonRecord(
                    code, name, role, unit_id, phone, telegram_id, id=old.id if old else None
                )
            )
    _check_telegram_ids(sheet, records, catalog, rows_of)
    return Checked(records if not sheet.errors else [], sheet.errors)


def _check_telegram_ids(
    sheet: _Sheet, records: list[PersonRecord], catalog: Catalog, rows_of: dict[str, int]
) -> None:
    """After the import, one Telegram account belongs to one person at most."""
    final = {code: p.telegram_id for code, p in catalog.people.items()}
    final.update({p.code: p.telegram_id for p in records})
    holders: dict[int, list[str]] = {}
    for code, telegram_id in final.items():
        if telegram_id is not None:
            holders.setdefault(telegram_id, []).append(code)
    for person in records:
        if person.telegram_id is None:
            continue
        others = [code for code in holders[person.telegram_id] if code != person.code]
        if others:
            sheet.errors.append(
                RowError(
                    rows_of[person.code], sheet.header("telegram_id"), str(person.telegram_id),
                    "duplicate_telegram_id", {"code": others[0]},
                )
            )  # fmt: skip


def check_tasks(
    table: Table, catalog: Catalog, *, today: date, progress: Progress | None = None
) -> Checked[TaskRecord]:
    sheet = _Sheet(table, TASK_COLUMNS)
    records: list[TaskRecord] = []
    if sheet.errors:
        return Checked(records, sheet.errors)
    seen: dict[str, int] = {}
    for row in sheet.rows(progress):
        record = _task(row, catalog, seen, today)
        if record is not None and not sheet.errors:
            records.append(record)
    return Checked(records if not sheet.errors else [], sheet.errors)


def _task(row: _Row, catalog: Catalog, seen: dict[str, int], today: date) -> TaskRecord | None:
    code = row.required("ma_nhiem_vu")
    row.unique("ma_nhiem_vu", code, seen)
    old = catalog.task(code) if code else None
    title = row.required("trich_yeu")
    lead = row.unit("don_vi_chu_tri", row.required("don_vi_chu_tri"), catalog)
    cooperating = old.cooperating_unit_ids if old else ()
    if row.sheet.has("don_vi_phoi_hop"):
        cooperating = _cooperating(row, catalog, lead)
    assigner, assigner_id = _assigner(row, catalog, old)
    officer_id = _officer(row, catalog, lead, old)
    assigned_on = row.day("ngay_giao") if row.required("ngay_giao") else None
    given_original = row.day("han_ban_dau", keep=old.original_deadline if old else None)
    given_deadline = row.day("han_xu_ly", keep=old.deadline if old else None)
    original = given_deadline if given_original is None else given_original
    deadline = original if given_deadline is None else given_deadline
    completed_on = row.day("ngay_hoan_thanh", keep=old.completed_on if old else None)
    if assigned_on is not None:
        for key, value in (("han_ban_dau", given_original), ("han_xu_ly", given_deadline)):
            if value is not None and value < assigned_on:
                row.error(key, "deadline_before_assigned", assigned=assigned_on)
        if completed_on is not None and completed_on < assigned_on:
            row.error("ngay_hoan_thanh", "completed_before_assigned", assigned=assigned_on)
    if (
        given_original is not None
        and given_deadline is not None
        and given_deadline < given_original
    ):
        row.error("han_xu_ly", "deadline_before_original", original=given_original)
    if completed_on is not None and completed_on > today:
        row.error("ngay_hoan_thanh", "completed_in_future", today=today)
    if row.bad or lead is None or lead.id is None or assigned_on is None:
        return None
    lead_id = lead.id
    return TaskRecord(
        code=old.code if old else code,
        title=title,
        lead_unit_id=lead_id,
        assigned_on=assigned_on,
        doc_number=row.text("so_ky_hieu", keep=old.doc_number if old else ""),
        doc_date=row.day("ngay_van_ban", keep=old.doc_date if old else None),
        content=row.text("noi_dung", keep=old.content if old else ""),
        assigner=assigner,
        assigner_id=assigner_id,
        cooperating_unit_ids=cooperating,
        officer_id=officer_id,
        original_deadline=original,
        deadline=deadline,
        completed_on=completed_on,
        id=old.id if old else None,
        extended_on=old.extended_on if old else None,
    )


def _cooperating(row: _Row, catalog: Catalog, lead: UnitRecord | None) -> tuple[int, ...]:
    text = row.text("don_vi_phoi_hop")
    if not text:
        return ()
    ids: set[int] = set()
    for code in re.split(r"[;,\n]", text):
        unit = row.unit("don_vi_phoi_hop", code.strip(), catalog)
        if unit is not None and unit.id is not None and (lead is None or unit.id != lead.id):
            ids.add(unit.id)  # the lead unit is not also one of its cooperators
    return tuple(sorted(ids))


_LOOKS_LIKE_CODE = re.compile(r"\S*\d\S*")


def _assigner(row: _Row, catalog: Catalog, old: TaskRecord | None) -> tuple[str, int | None]:
    """A leader's code, or the name of an assigning body ("UBND tỉnh")."""
    if not row.sheet.has("nguoi_giao"):
        return (old.assigner, old.assigner_id) if old else ("", None)
    text = row.text("nguoi_giao")
    person = catalog.person(text) if text else None
    if person is None:
        if _LOOKS_LIKE_CODE.fullmatch(text):  # "LD-02" mistyped is not a body's name
            row.error("nguoi_giao", "unknown_person")
        return text, None
    if person.role is not Role.LEADER:
        row.error("nguoi_giao", "assigner_role", role=person.role)
    return person.code, person.id


def _officer(
    row: _Row, catalog: Catalog, lead: UnitRecord | None, old: TaskRecord | None
) -> int | None:
    """The responsible officer: an officer (or the head) of the lead unit."""
    if not row.sheet.has("can_bo_xu_ly"):
        return old.officer_id if old else None
    code = row.text("can_bo_xu_ly")
    if not code:
        return None
    person = catalog.person(code)
    if person is None:
        row.error("can_bo_xu_ly", "unknown_person")
        return None
    if person.role not in (Role.OFFICER, Role.HEAD):
        row.error("can_bo_xu_ly", "officer_role", role=person.role)
    elif lead is not None and person.unit_id != lead.id:
        row.error(
            "can_bo_xu_ly", "officer_unit",
            unit=catalog.unit_code(person.unit_id), lead=lead.code,
        )  # fmt: skip
    return person.id


# --- what an import changes --------------------------------------------------------------


def _json(value: Value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def plan_import(
    records: Iterable[Record],
    existing: Mapping[str, Record],
    cells: Callable[[Record, Catalog], dict[str, Value]],
    catalog: Catalog,
) -> Plan[Record]:
    """Which records are new, which change the register (and how), which change nothing."""
    create: list[Record] = []
    update: list[Change[Record]] = []
    unchanged = 0
    for record in records:
        old = existing.get(record.code)
        if old is None:
            create.append(record)
            continue
        if record == old:  # the same record has the same cells: a re-import's usual row
            unchanged += 1
            continue
        before, after = cells(old, catalog), cells(record, catalog)
        fields = {
            key: [_json(before[key]), _json(after[key])]
            for key in after
            if before[key] != after[key]
        }
        if fields:
            update.append(Change(old, record, fields))
        else:
            unchanged += 1
    return Plan(create, update, unchanged)


# --- the merge ---------------------------------------------------------------------------

# The record fields behind each column: a column the merge takes from the file sets these.
FIELDS: dict[ImportKind, dict[str, tuple[str, ...]]] = {
    ImportKind.UNITS: {"ma_don_vi": ("code",), "ten_don_vi": ("name",), "loai": ("kind",)},
    ImportKind.PEOPLE: {
        "ma_can_bo": ("code",), "ho_ten": ("name",), "ma_don_vi": ("unit_id",),
        "vai_tro": ("role",), "dien_thoai": ("phone",), "telegram_id": ("telegram_id",),
    },
    ImportKind.TASKS: {
        "ma_nhiem_vu": ("code",), "so_ky_hieu": ("doc_number",), "ngay_van_ban": ("doc_date",),
        "trich_yeu": ("title",), "noi_dung": ("content",),
        "nguoi_giao": ("assigner", "assigner_id"), "don_vi_chu_tri": ("lead_unit_id",),
        "don_vi_phoi_hop": ("cooperating_unit_ids",), "can_bo_xu_ly": ("officer_id",),
        "ngay_giao": ("assigned_on",), "han_ban_dau": ("original_deadline",),
        "han_xu_ly": ("deadline",), "ngay_hoan_thanh": ("completed_on",),
    },
}  # fmt: skip
DATE_KEYS = frozenset(("ngay_van_ban", "ngay_giao", "han_ban_dau", "han_xu_ly", "ngay_hoan_thanh"))
CELLS: dict[ImportKind, Callable[[Any, Catalog], dict[str, Value]]] = {
    ImportKind.UNITS: unit_cells,
    ImportKind.PEOPLE: person_cells,
    ImportKind.TASKS: task_cells,
}


def present_columns(table: Table, kind: ImportKind) -> frozenset[str]:
    """The keys of the kind's columns the table has: only those are merged."""
    names = {header_key(name): column.key for column in COLUMNS[kind] for name in column.names}
    return frozenset(names[k] for header in table.headers if (k := header_key(header)) in names)


def table_codes(table: Table, kind: ImportKind) -> list[str]:
    """The codes a table names (its first code column), as typed; [] without one."""
    names = {header_key(name) for name in COLUMNS[kind][0].names}
    for position, header in enumerate(table.headers):
        if header_key(header) in names:
            return [
                text
                for _, cells in table.rows
                if position < len(cells) and (text := cell_text(cells[position]))
            ]
    return []


def encode_base(cells: Mapping[str, Value]) -> str:
    """A row's base as the register keeps it: JSON, dates ISO."""
    return _BASE_JSON.encode(cells)


# The C encoder calls `default` for the dates alone (100,000 rows of an import each encoded).
_BASE_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=date.isoformat)


def decode_base(text: str) -> dict[str, Value]:
    return {
        key: date.fromisoformat(value) if key in DATE_KEYS and value else value
        for key, value in json.loads(text).items()
    }


def merge(
    kind: ImportKind,
    records: Iterable[Record],
    register: Mapping[str, Record],
    bases: Mapping[str, str],
    catalog: Catalog,
    *,
    present: frozenset[str],
    prefer: Prefer,
) -> Merged[Record]:
    """The file's records merged field by field with the register and the bases (bot/merge)."""
    cells, attrs = CELLS[kind], FIELDS[kind]
    create: list[Record] = []
    update: list[Change[Record]] = []
    unchanged = kept = 0
    conflicts: list[Conflict] = []
    changes: list[RowChange] = []
    new_bases: list[tuple[str, str]] = []
    whole = present >= set(attrs)  # the file has every column
    for record in records:
        mine = cells(record, catalog)
        theirs = mine if whole else {key: mine[key] for key in mine if key in present}
        text = encode_base(theirs)
        old = register.get(record.code)
        if old is None:
            create.append(record)
            new_bases.append((record.code, text))
            continue
        stored = bases.get(record.code)
        if record == old and stored == text:  # a re-import's usual row: nothing at all
            unchanged += 1
            continue
        ours = cells(old, catalog)
        base = decode_base(stored) if stored is not None else {}
        outcomes = merge_fields(theirs, base, ours)
        take = [key for key, outcome in outcomes.items() if resolve(outcome, prefer)]
        for key, outcome in outcomes.items():
            if outcome is Outcome.KEPT:
                kept += 1
            elif outcome is Outcome.CONFLICT:
                conflicts.append(
                    Conflict(record.code, key, base.get(key, ours[key]), ours[key], theirs[key],
                             Prefer.FILE if key in take else Prefer.REGISTER)
                )  # fmt: skip
        if take:
            new = replace(old, **{a: getattr(record, a) for key in take for a in attrs[key]})
            update.append(
                Change(old, new, {key: [_json(ours[key]), _json(theirs[key])] for key in take})
            )
            changes.append(RowChange(record.code, {key: (ours[key], theirs[key]) for key in take}))
        else:
            unchanged += 1
        remembered = encode_base(base | theirs) if stored is not None else text
        if remembered != stored:
            new_bases.append((record.code, remembered))
    return Merged(Plan(create, update, unchanged), kept, conflicts, changes, new_bases)


# --- what an import did ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did (or, with `dry_run`, would do); with `errors`, it wrote nothing."""

    kind: ImportKind
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()
    # Fields the bot changed and the file did not: the register's value stayed.
    kept: int = 0
    conflicts: tuple[Conflict, ...] = ()
    changes: tuple[RowChange, ...] = ()  # each updated row's changed fields
    source: str = ""  # the file's name, or where the table came from (a sync's address)
    dry_run: bool = False
    created_task_ids: tuple[int, ...] = ()
    # Tasks whose lead unit or responsible officer changed: their new people are to be told.
    reassigned_task_ids: tuple[int, ...] = ()
    # The open tasks among both, as the notices of the import need them (bot/import_notices).
    assigned: tuple[OpenTask, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors
