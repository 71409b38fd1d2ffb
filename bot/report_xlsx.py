"""The monthly report as an Excel workbook: the figures, per unit, per assigning leader and
the three appendices, one sheet each, with headers, widths and frozen header rows.

Written with XlsxWriter, as `dondoc export` does: it streams cells many times faster than
openpyxl's writer (a report of a million tasks must be ready in seconds); openpyxl reads
the workbook back in the tests. Counts are numbers, shares are fractions shown as `0.0%`,
dates are dates shown as `DD/MM/YYYY`, so the Office can sort, filter and sum them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bot.figures import GroupFigures, YearFigures
from bot.formats import format_date, format_int, percent, shares
from bot.report_data import Appendix, MonthlyReport, ReportTask
from bot.texts import plain

# Appendix sheets hold at most this many rows (the longest overdue first); the figures
# sheet always has the complete counts.
APPENDIX_ROWS = 1_000
DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0.0%"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in a sheet


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the header's catalogue key
    width: float  # in characters
    value: Callable[[ReportTask], Any]


def build_xlsx(
    report: MonthlyReport, *, lang: str = "vi", appendix_rows: int = APPENDIX_ROWS
) -> bytes:
    """The workbook as .xlsx bytes; each appendix sheet lists at most `appendix_rows` tasks."""
    import xlsxwriter  # imported here: the bot starts without loading it

    out = io.BytesIO()
    # Cells are written as what they are: no text is turned into a formula, number or link.
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(out, options)
    try:
        sheets = _Sheets(workbook, lang, appendix_rows)
        sheets.figures(report)
        sheets.groups("sheet.units", report.figures.units, report.figures.year_figures, "unit")
        sheets.groups("sheet.leaders", report.figures.leaders, None, "leader")
        for number, appendix in enumerate((report.late, report.overdue, report.waiting), 1):
            sheets.appendix(number, appendix)
    finally:
        workbook.close()
    return out.getvalue()


def _share(value: Decimal) -> float:
    return float(value / 100)


def task_columns(number: int, states: Mapping[str, str]) -> list[Column]:
    """The columns of appendix sheet 1, 2 or 3 (after the row number); `states` names the
    state of a completion report."""
    columns = [
        Column("report.col.code", 18, lambda t: t.code),
        Column("report.col.doc_number", 16, lambda t: t.doc_number),
        Column("report.col.doc_date", 13, lambda t: t.doc_date),
        Column("report.col.title", 60, lambda t: t.title),
        Column("report.col.lead_unit", 32, lambda t: t.lead_unit),
        Column("report.col.assigned_on", 13, lambda t: t.assigned_on),
        Column("report.col.original", 13, lambda t: t.original_deadline),
        Column("report.col.deadline", 13, lambda t: t.deadline),
    ]
    if number == 1:
        return [
            *columns,
            Column("report.col.completed_on", 15, lambda t: t.completed_on),
            Column("report.col.days_late", 12, lambda t: t.days_late),
            Column("report.col.officer", 24, lambda t: t.officer),
        ]
    return [
        *columns,
        Column("report.col.days_overdue", 12, lambda t: t.days_overdue),
        Column("report.col.officer", 24, lambda t: t.officer),
        Column("report.col.report_state", 18, lambda t: states.get(t.report_state or "", "")),
    ]


GROUP_FIGURES = ("assigned", "completed", "on_time", "late", "open_in_time", "open_overdue")


class _Sheets:
    def __init__(self, workbook: Any, lang: str, rows: int) -> None:
        self.workbook = workbook
        self.lang = lang
        self.rows = rows
        self.bold = workbook.add_format({"bold": True})
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter"}
        )
        self.day = workbook.add_format({"num_format": DATE_FORMAT})
        self.share = workbook.add_format({"num_format": PERCENT_FORMAT})
        self.bold_share = workbook.add_format({"num_format": PERCENT_FORMAT, "bold": True})

    def text(self, key: str, **values: Any) -> str:
        return plain(self.lang, key, **values)

    def sheet(
        self, key: str, columns: Sequence[tuple[str, float]], *, title: str | None = None
    ) -> tuple[Any, int]:
        """A new sheet: widths, the bold header row frozen (under an optional title row);
        the sheet and the index of its first data row."""
        sheet = self.workbook.add_worksheet(self.text(f"report.{key}")[:31])
        for i, (_, width) in enumerate(columns):
            sheet.set_column(i, i, width)
        row = 0
        if title is not None:
            sheet.write_string(0, 0, title, self.bold)
            row = 1
        for i, (header_key, _) in enumerate(columns):
            sheet.write_string(row, i, self.text(header_key), self.header)
        sheet.freeze_panes(row + 1, 0)
        return sheet, row + 1

    def put(self, sheet: Any, row: int, column: int, value: Any, fmt: Any = None) -> None:
        """One cell as what it is: text, a date, a number; None and "" stay empty."""
        if value is None or value == "":
            return
        if isinstance(value, str):
            sheet.write_string(row, column, NOT_XML.sub("", value), fmt)
        elif isinstance(value, date):
            sheet.write_datetime(row, column, value, fmt or self.day)
        else:
            sheet.write_number(row, column, value, fmt)

    # --- the sheets ----------------------------------------------------------------------

    def figures(self, report: MonthlyReport) -> None:
        figures = report.figures
        period, year = figures.period_figures, figures.year_figures
        title = self.text(
            "report.xlsx_title",
            start=format_date(figures.period.start),
            end=format_date(figures.period.end),
            as_of=format_date(figures.as_of),
        )
        columns = [
            ("report.col.measure", 62),
            ("report.col.count", 12),
            ("report.col.share", 10),
            ("report.col.base", 40),
        ]
        sheet, first = self.sheet("sheet.figures", columns, title=title)
        due_split = shares([period.completed, period.open_in_time, period.open_overdue])
        done_split = shares([period.on_time, period.late])
        year_split = shares([year.completed, year.open])
        year_done = shares([year.on_time, year.late])
        year_open = shares([year.open_in_time, year.open_overdue])
        rows: list[tuple[str, int, Decimal | None, str]] = [
            ("period.assigned", period.assigned, None, ""),
            ("period.due", period.due, None, ""),
            ("period.completed", period.completed, due_split[0], "base.due"),
            ("period.on_time", period.on_time, done_split[0], "base.completed"),
            ("period.late", period.late, done_split[1], "base.completed"),
            ("period.open_in_time", period.open_in_time, due_split[1], "base.due"),
            ("period.open_overdue", period.open_overdue, due_split[2], "base.due"),
            ("period.extended", period.extended, percent(period.extended, period.due), "base.due"),
            ("year.assigned", year.assigned, None, ""),
            ("year.completed", year.completed, year_split[0], "base.assigned"),
            ("year.on_time", year.on_time, year_done[0], "base.completed"),
            ("year.late", year.late, year_done[1], "base.completed"),
            ("year.open", year.open, year_split[1], "base.assigned"),
            ("year.open_in_time", year.open_in_time, year_open[0], "base.open"),
            ("year.open_overdue", year.open_overdue, year_open[1], "base.open"),
        ]
        for row, (key, count, share, base) in enumerate(rows, first):
            sheet.write_string(row, 0, self.text(f"report.fig.{key}"))
            sheet.write_number(row, 1, count)
            if share is not None:
                sheet.write_number(row, 2, _share(share), self.share)
                sheet.write_string(row, 3, self.text(f"report.{base}"))

    def groups(
        self, key: str, groups: Sequence[GroupFigures], total: YearFigures | None, kind: str
    ) -> None:
        """Per unit or per assigning leader: the year to date, and the total row."""
        columns = [
            ("report.col.no", 6),
            (f"report.col.{kind}_code", 14),
            (f"report.col.{kind}", 40),
            *[(f"report.col.{name}", 14) for name in GROUP_FIGURES],
            ("report.col.completed_share", 12),
        ]
        sheet, first = self.sheet(key, columns)
        for row, group in enumerate(groups, first):
            sheet.write_number(row, 0, row - first + 1)
            self.put(sheet, row, 1, group.code)
            self.put(sheet, row, 2, group.name)
            self.figure_cells(sheet, row, group.figures)
        if total is not None:
            row = first + len(groups)
            sheet.write_string(row, 2, self.text("report.total"), self.bold)
            self.figure_cells(sheet, row, total, bold=True)

    def figure_cells(
        self, sheet: Any, row: int, figures: YearFigures, *, bold: bool = False
    ) -> None:
        for column, name in enumerate(GROUP_FIGURES, 3):
            sheet.write_number(row, column, getattr(figures, name), self.bold if bold else None)
        share = _share(percent(figures.completed, figures.assigned))
        sheet.write_number(
            row, 3 + len(GROUP_FIGURES), share, self.bold_share if bold else self.share
        )

    def appendix(self, number: int, appendix: Appendix) -> None:
        states = {state: self.text(f"report.state.{state}") for state in ("pending", "returned")}
        columns = task_columns(number, states)
        sheet, first = self.sheet(
            f"sheet.appendix{number}",
            [("report.col.no", 6), *[(c.key, c.width) for c in columns]],
            title=self.text(f"report.appendix{number}_title"),
        )
        shown = appendix.tasks[: self.rows]
        for row, task in enumerate(shown, first):
            sheet.write_number(row, 0, row - first + 1)
            for column, spec in enumerate(columns, 1):
                self.put(sheet, row, column, spec.value(task))
        if appendix.total > len(shown):
            more = self.text(
                "report.appendix_more",
                shown=format_int(len(shown), self.lang),
                total=format_int(appendix.total, self.lang),
            )
            sheet.write_string(first + len(shown), 1, more, self.bold)
