"""Export: the register's rows as a sheet the import reads back unchanged.

`dondoc export tasks FILE.xlsx|FILE.csv` writes every import column, then each task's status
and days overdue as of the organisation's today (the import ignores those two). Units and
people export the same way (bot/services/exports.py reads them from the register).
`write_table` also writes the sample province, the templates and the conflicts of an import.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import xlsxwriter

from bot.formats import format_date
from bot.importer import (
    COLUMNS,
    EXPORT_ONLY_COLUMNS,
    ROLE_LABELS,
    Column,
    FileProblem,
    person_cells,
    task_cells,
    unit_cells,
)
from bot.models import Catalog, ImportKind, PersonRecord, Task, TaskRecord, Value, record_from
from bot.report_xlsx import DATE_FORMAT, NOT_XML
from bot.status import Status, days_overdue, is_due_soon, status_on
from bot.texts import plain

ExportCell = str | int | date | None
SUFFIXES = (".csv", ".xlsx")


def headers(columns: Sequence[Column], lang: str) -> list[str]:
    """The Vietnamese labels, or the English names: the import reads both."""
    return [column.label if lang == "vi" else column.english for column in columns]


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[ExportCell]]) -> int:
    """A .csv (UTF-8 with BOM, for Excel) or .xlsx sheet; returns the rows written."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileProblem("export.format", name=path.name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            return _write_csv(path, header, rows)
        return _write_xlsx(path, header, rows)
    except OSError as exc:
        raise FileProblem("export.unwritable", name=path, detail=exc.strerror or exc) from exc


def _csv_cell(value: ExportCell) -> str | int:
    if value is None:
        return ""
    return format_date(value) if isinstance(value, date) else value


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[ExportCell]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
            count += 1
    return count


# XlsxWriter in constant-memory mode streams rows: 100,000 tasks in seconds, where
# openpyxl's writer takes ~40 s. openpyxl (and the import) reads the file back.
def _write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[ExportCell]]) -> int:
    # Cells are written as what they are: no text is turned into a formula, number or link.
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        sheet = workbook.add_worksheet("dondoc")
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": DATE_FORMAT})
        for column, title in enumerate(header):
            sheet.set_column(column, column, max(12, len(title) + 4))
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, 0, header, bold)
        count = 0
        for count, row in enumerate(rows, 1):
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    sheet.write_string(count, column, NOT_XML.sub("", value))
                elif isinstance(value, date):
                    sheet.write_datetime(count, column, value, day)
                else:
                    sheet.write_number(count, column, value)
    finally:
        workbook.close()
    return count


def record_of(task: Task) -> TaskRecord:
    """A task as the import columns see it."""
    cooperating = tuple(sorted(task.cooperating_unit_ids))
    return record_from(task, TaskRecord, cooperating_unit_ids=cooperating)


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


def export_sheet(
    kind: ImportKind,
    catalog: Catalog,
    tasks: Iterable[Task],
    *,
    today: date,
    due_soon_days: int,
    lang: str,
) -> tuple[list[str], list[list[ExportCell]]]:
    """The header and the rows (by code) of the catalogue's units or people, or the tasks."""
    columns = COLUMNS[kind]
    rows: list[list[ExportCell]]
    if kind is ImportKind.UNITS:
        rows = [list(unit_cells(u, catalog).values()) for u in catalog.units.values()]
    elif kind is ImportKind.PEOPLE:
        rows = [_person_row(person, catalog, lang) for person in catalog.people.values()]
    else:
        columns = (*columns, *EXPORT_ONLY_COLUMNS)
        rows = [
            task_row(task, catalog, today=today, due_soon_days=due_soon_days, lang=lang)
            for task in tasks
        ]
    rows.sort(key=lambda row: str(row[0]))
    return headers(columns, lang), rows
