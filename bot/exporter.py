"""Export: the register as a sheet the import reads back unchanged.

`dondoc export tasks FILE.xlsx|FILE.csv` writes every import column, then each task's status
and days overdue as of the organisation's today (the import ignores those two). Units and
people export the same way. `write_table` also writes the sample province and the templates.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import date
from pathlib import Path

from bot.importer import (
    COLUMNS,
    EXPORT_ONLY_COLUMNS,
    ROLE_LABELS,
    Catalog,
    Column,
    FileProblem,
    Kind,
    PersonRecord,
    TaskRecord,
    Value,
    person_cells,
    task_cells,
    unit_cells,
)
from bot.models import Task
from bot.status import Status, days_overdue, is_due_soon, status_on
from bot.texts import plain
from storage import Database, importing, register

ExportCell = str | int | date | None
DATE_FORMAT = "DD/MM/YYYY"
SUFFIXES = (".csv", ".xlsx")


def headers(columns: Sequence[Column], lang: str) -> list[str]:
    """The Vietnamese labels, or the English names: the import reads both."""
    return [column.label if lang == "vi" else column.english for column in columns]


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[ExportCell]]) -> int:
    """A .csv (UTF-8 with BOM, for Excel) or .xlsx sheet; returns the rows written."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileProblem("export.format", name=path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        return _write_csv(path, header, rows)
    return _write_xlsx(path, header, rows)


def _csv_cell(value: ExportCell) -> str | int:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else value


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[ExportCell]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
            count += 1
    return count


def _write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[ExportCell]]) -> int:
    import openpyxl  # slow to import: only XLSX needs it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for position, title in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(position)].width = max(12, len(title) + 4)
    sheet.freeze_panes = "A2"

    def cell(value: ExportCell, *, bold: bool = False) -> WriteOnlyCell:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and value.startswith("="):
            written.data_type = "s"  # a title that starts with "=" is text, not a formula
        if isinstance(value, date):
            written.number_format = DATE_FORMAT
        if bold:
            written.font = Font(bold=True)
        return written

    sheet.append([cell(title, bold=True) for title in header])
    count = 0
    for row in rows:
        sheet.append([cell(value) for value in row])
        count += 1
    workbook.save(path)
    return count


# TaskRecord's fields are a subset of Task's, under the same names.
_RECORD_FIELDS = tuple(f.name for f in fields(TaskRecord) if f.name != "cooperating_unit_ids")


def record_of(task: Task) -> TaskRecord:
    """A task as the import columns see it."""
    return TaskRecord(
        **{name: getattr(task, name) for name in _RECORD_FIELDS},
        cooperating_unit_ids=tuple(sorted(task.cooperating_unit_ids)),
    )


def status_word(task: Task, today: date, due_soon_days: int, lang: str) -> str:
    """Hoàn thành đúng hạn, hoàn thành quá hạn, chưa hoàn thành trong hạn / quá hạn, sắp đến hạn."""
    status = status_on(task, today)
    if status is Status.OPEN_IN_TIME and is_due_soon(task, today, due_soon_days):
        return plain(lang, "export.status.due_soon")
    return plain(lang, f"export.status.{status.value}")


def task_row(
    task: Task, catalog: Catalog, *, today: date, due_soon_days: int, lang: str
) -> list[ExportCell]:
    cells: dict[str, Value] = task_cells(record_of(task), catalog)
    overdue = days_overdue(task, today)
    return [
        *cells.values(),
        status_word(task, today, due_soon_days, lang),
        overdue if overdue else None,
    ]


def _person_row(person: PersonRecord, catalog: Catalog, lang: str) -> list[ExportCell]:
    cells = person_cells(person, catalog)
    if lang == "vi":
        cells["vai_tro"] = ROLE_LABELS[person.role]
    return list(cells.values())


async def export_file(
    db: Database, kind: Kind, path: Path, *, today: date, due_soon_days: int, lang: str
) -> int:
    """Write the register's units, people or tasks to `path`; returns the rows written."""
    if path.suffix.lower() not in SUFFIXES:
        raise FileProblem("export.format", name=path.name)
    catalog = await importing.load_catalog(db)
    columns = COLUMNS[kind]
    rows: list[list[ExportCell]]
    if kind is Kind.UNITS:
        rows = [list(unit_cells(u, catalog).values()) for u in catalog.units.values()]
    elif kind is Kind.PEOPLE:
        rows = [_person_row(person, catalog, lang) for person in catalog.people.values()]
    else:
        columns = (*columns, *EXPORT_ONLY_COLUMNS)
        rows = [
            task_row(task, catalog, today=today, due_soon_days=due_soon_days, lang=lang)
            for task in await register.all_tasks(db)
        ]
    rows.sort(key=lambda row: str(row[0]))
    return await asyncio.to_thread(write_table, path, headers(columns, lang), rows)
