"""Export: the register as a sheet the import reads back unchanged.

`dondoc export tasks FILE.xlsx|FILE.csv` writes every import column, then each task's status
and days overdue as of the organisation's today (the import ignores those two). Units and
people export the same way. `write_table` also writes the sample province and the templates.
"""

from __future__ import annotations

import asyncio
import csv
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

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
    record_from,
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


# The .xlsx is written as XML directly: openpyxl's writer takes ~40 s for 100,000 tasks,
# this one a few seconds. Strings are shared and the sheet states its size, so that
# openpyxl (and the import) reads the file back quickly.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TYPE = "application/vnd.openxmlformats-"
_SHEET_TYPE = "officedocument.spreadsheetml."
_PARTS = {
    "[Content_Types].xml": (
        f'{_XML}<Types xmlns="{_PACKAGE}/content-types">'
        f'<Default Extension="rels" ContentType="{_TYPE}package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(
            f'<Override PartName="/xl/{part}.xml" ContentType="{_TYPE}{_SHEET_TYPE}{kind}+xml"/>'
            for part, kind in (
                ("workbook", "sheet.main"),
                ("worksheets/sheet1", "worksheet"),
                ("styles", "styles"),
                ("sharedStrings", "sharedStrings"),
            )
        )
        + "</Types>"
    ),
    "_rels/.rels": (
        f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="dondoc" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    # Cell styles: 0 plain, 1 a date (dd/mm/yyyy), 2 the bold header.
    "xl/styles.xml": (
        f'{_XML}<styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system, as it counts after 1900-03-01
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _column_letters(count: int) -> list[str]:
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[ExportCell]]) -> int:
    strings: dict[str, int] = {}

    def shared(text: str) -> int:
        found = strings.get(text)
        if found is None:
            found = strings[text] = len(strings)
        return found

    letters = _column_letters(len(header))
    body: list[str] = []

    def add_row(number: int, values: Sequence[ExportCell], style: str = "") -> None:
        body.append(f'<row r="{number}">')
        for letter, value in zip(letters, values, strict=True):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                body.append(f'<c r="{letter}{number}"{style} t="s"><v>{shared(value)}</v></c>')
            elif isinstance(value, date):
                serial = (value - _EPOCH).days
                body.append(f'<c r="{letter}{number}" s="1"><v>{serial}</v></c>')
            else:
                body.append(f'<c r="{letter}{number}"{style}><v>{value}</v></c>')
        body.append("</row>")

    add_row(1, header, ' s="2"')
    count = 0
    for count, row in enumerate(rows, 1):
        add_row(count + 1, row)
    widths = "".join(
        f'<col min="{n}" max="{n}" width="{max(12, len(t) + 4)}" customWidth="1"/>'
        for n, t in enumerate(header, 1)
    )
    sheet = (
        f'{_XML}<worksheet xmlns="{_MAIN}"><dimension ref="A1:{letters[-1]}{count + 1}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2"'
        ' activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols><sheetData>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in _PARTS.items():
            archive.writestr(name, xml)
        with archive.open("xl/worksheets/sheet1.xml", "w") as out:
            out.write(sheet.encode())
            for start in range(0, len(body), 10_000):
                out.write("".join(body[start : start + 10_000]).encode())
            out.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w") as out:
            out.write(f'{_XML}<sst xmlns="{_MAIN}" uniqueCount="{len(strings)}">'.encode())
            for text in strings:
                clean = escape(_NOT_XML.sub("", text))
                out.write(f'<si><t xml:space="preserve">{clean}</t></si>'.encode())
            out.write(b"</sst>")
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
