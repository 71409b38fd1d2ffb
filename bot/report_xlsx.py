"""The monthly report as an Excel workbook: the figures, per unit, per assigning leader and
the appendices the Word document attaches (the same numbers), one sheet each: a title row
giving the period, the header row frozen, bordered cells with wrapped text, and a page set
up to print (A4 landscape, one page wide, the header row repeated on every page).

Written with XlsxWriter, as `dondoc export` does: it streams cells many times faster than
openpyxl's writer (a report of a million tasks must be ready in seconds); openpyxl reads
the workbook back in the tests. Counts are numbers shown as `#,##0`, shares are fractions
shown as `0.0%`, dates are dates shown as `DD/MM/YYYY`, so the Office can sort, filter and
sum them. The separators of `#,##0` and `0.0%` are the reader's locale's: a vi-VN Excel or
LibreOffice shows 1.132 and 95,8%, an en-US one 1,132 and 95.8% (a literal "." would
fix the thousands but not the decimal comma, and read as a decimal point in en-US).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bot.formats import format_date, format_int, percent, shares
from bot.models import (
    Appendix,
    GroupFigures,
    MonthlyReport,
    ReportTask,
    YearFigures,
    appendix_title_key,
    year_figures,
    year_window,
)
from bot.texts import plain

# Appendix sheets hold at most this many rows (the longest overdue first); the figures
# sheet always has the complete counts.
APPENDIX_ROWS = 1_000
DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"  # 1.132 in a vi-VN Excel or LibreOffice, 1,132 in en-US
_LINE_PT = 15  # the height of a line of 11 pt text
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
        window = year_window(report.figures.period, report.as_of)
        dates = {"start": format_date(window.start), "end": format_date(window.end)}
        units, leaders = report.figures.units, report.figures.leaders
        sheets.groups("sheet.units", units, report.figures.year_figures, "unit", dates)
        sheets.groups("sheet.leaders", leaders, _sum(leaders), "leader", dates)
        for number, kind, appendix in report.appendices():
            sheets.appendix(number, kind, appendix)
    finally:
        workbook.close()
    return out.getvalue()


def _share(value: Decimal) -> float:
    return float(value / 100)


def _sum(groups: Sequence[GroupFigures]) -> YearFigures:
    """The total of the groups' figures (a leader's tasks are no other leader's)."""
    return year_figures(
        **{
            name: sum(getattr(g.figures, name) for g in groups)
            for name in ("on_time", "late", "open_in_time", "open_overdue")
        }
    )


def task_columns(kind: str, states: Mapping[str, str]) -> list[Column]:
    """The columns of the appendix sheet of the "late", "overdue" or "waiting" tasks (after
    the row number); `states` names the state of a completion report."""
    columns = [
        Column("report.col.code", 15, lambda t: t.code),
        Column("report.col.doc_number", 16, lambda t: t.doc_number),
        Column("report.col.doc_date", 11, lambda t: t.doc_date),
        Column("report.col.title", 50, lambda t: t.title),
        Column("report.col.lead_unit", 28, lambda t: t.lead_unit),
        Column("report.col.assigned_on", 11, lambda t: t.assigned_on),
        Column("report.col.original", 11, lambda t: t.original_deadline),
        Column("report.col.deadline", 11, lambda t: t.deadline),
    ]
    if kind == "late":
        return [
            *columns,
            Column("report.col.completed_on", 11, lambda t: t.completed_on),
            Column("report.col.days_late", 9, lambda t: t.days_late),
            Column("report.col.officer", 20, lambda t: t.officer),
        ]
    return [
        *columns,
        Column("report.col.days_overdue", 9, lambda t: t.days_overdue),
        Column("report.col.officer", 20, lambda t: t.officer),
        Column("report.col.report_state", 12, lambda t: states.get(t.report_state or "", "")),
    ]


GROUP_FIGURES = ("assigned", "completed", "on_time", "late", "open_in_time", "open_overdue")


class _Sheets:
    def __init__(self, workbook: Any, lang: str, rows: int) -> None:
        self.workbook = workbook
        self.lang = lang
        self.rows = rows
        self.widths: dict[str, list[float]] = {}  # each sheet's column widths, by its name
        self.title = workbook.add_format({"bold": True, "font_size": 12, "valign": "vcenter"})
        self.note = workbook.add_format({"italic": True})
        self.header = self.cell(bold=True, align="center", valign="vcenter")
        self.plain = {bold: self.cell(bold=bold) for bold in (False, True)}
        self.day = self.cell(num_format=DATE_FORMAT, align="center")
        self.count = {bold: self.cell(bold=bold, num_format=COUNT_FORMAT) for bold in (0, 1)}
        self.share = {bold: self.cell(bold=bold, num_format=PERCENT_FORMAT) for bold in (0, 1)}

    def cell(self, **properties: Any) -> Any:
        """A table cell's format: thin borders, text wrapped, at the top unless told."""
        return self.workbook.add_format(
            {"border": 1, "text_wrap": True, "valign": "top", **properties}
        )

    def text(self, key: str, **values: Any) -> str:
        return plain(self.lang, key, **values)

    def sheet(
        self, key: str, columns: Sequence[tuple[str, float]], *, title: str
    ) -> tuple[Any, int]:
        """A new sheet: widths, the title row, the bold header row (tall enough for its
        longest heading, frozen, repeated on every printed page), and the page set up for
        A4 landscape one page wide; the sheet and the index of its first data row."""
        sheet = self.workbook.add_worksheet(self.text(f"report.{key}")[:31])
        self.widths[sheet.name] = [width for _, width in columns]
        for i, (_, width) in enumerate(columns):
            sheet.set_column(i, i, width)
        sheet.merge_range(0, 0, 0, len(columns) - 1, title, self.title)
        sheet.set_row(0, 2 * _LINE_PT)
        lines = 1
        for i, (header_key, width) in enumerate(columns):
            heading = self.text(header_key)
            sheet.write_string(1, i, heading, self.header)
            lines = max(lines, _lines(heading, width * 0.85))  # bold is wider
        sheet.set_row(1, lines * _LINE_PT + 4)
        sheet.freeze_panes(2, 0)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
        sheet.repeat_rows(1)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.center_horizontally()
        # Excel's codes for the page and the page count.
        sheet.set_footer(f"&C{self.text('report.xlsx_footer', page='&P', pages='&N')}")
        return sheet, 2

    def write_row(self, sheet: Any, row: int, cells: Sequence[Any], *, bold: bool = False) -> None:
        """A table row from its first column, as tall as its longest text wrapped needs:
        LibreOffice does not fit a row's height to wrapped text when it opens the file."""
        lines = 1
        for column, value in enumerate(cells):
            self.put(sheet, row, column, value, bold=bold)
            if isinstance(value, str):
                lines = max(lines, _lines(value, self.widths[sheet.name][column]))
        if lines > 1:
            sheet.set_row(row, lines * _LINE_PT + 2)

    def put(self, sheet: Any, row: int, column: int, value: Any, *, bold: bool = False) -> None:
        """One bordered cell as what it is: text, a date, a count; None and "" stay empty."""
        if value is None or value == "":
            sheet.write_blank(row, column, None, self.plain[bold])
        elif isinstance(value, str):
            sheet.write_string(row, column, NOT_XML.sub("", value), self.plain[bold])
        elif isinstance(value, date):
            sheet.write_datetime(row, column, value, self.day)
        else:
            sheet.write_number(row, column, value, self.count[bold])

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
        numbers = report.appendix_numbers()
        cited = {"period.late": numbers.get("late"), "year.open_overdue": numbers.get("overdue")}
        for row, (key, count, share, base) in enumerate(rows, first):
            label = self.text(f"report.fig.{key}")
            if cited.get(key):
                label = self.text("report.fig.ref", label=label, number=cited[key])
            base_text = self.text(f"report.{base}") if share is not None else None
            self.write_row(sheet, row, [label, count, None, base_text])
            if share is not None:
                sheet.write_number(row, 2, _share(share), self.share[False])

    def groups(
        self,
        key: str,
        groups: Sequence[GroupFigures],
        total: YearFigures,
        kind: str,
        dates: Mapping[str, str],
    ) -> None:
        """Per unit or per assigning leader: the year to date, and the total row."""
        columns = [
            ("report.col.no", 6),
            (f"report.col.{kind}_code", 14),
            (f"report.col.{kind}", 40),
            *[(f"report.col.{name}", 14) for name in GROUP_FIGURES],
            ("report.col.completed_share", 12),
        ]
        sheet, first = self.sheet(key, columns, title=self.text(f"report.xlsx_{kind}s", **dates))
        for row, group in enumerate(groups, first):
            self.group_row(sheet, row, [row - first + 1, group.code, group.name], group.figures)
        total_row = first + len(groups)
        self.group_row(sheet, total_row, [None, None, self.text("report.total")], total, bold=True)

    def group_row(
        self, sheet: Any, row: int, cells: list[Any], figures: YearFigures, *, bold: bool = False
    ) -> None:
        counts = [getattr(figures, name) for name in GROUP_FIGURES]
        self.write_row(sheet, row, [*cells, *counts], bold=bold)
        share = _share(percent(figures.completed, figures.assigned))
        sheet.write_number(row, 3 + len(GROUP_FIGURES), share, self.share[bold])

    def appendix(self, number: int, kind: str, appendix: Appendix) -> None:
        states = {state: self.text(f"report.state.{state}") for state in ("pending", "returned")}
        columns = task_columns(kind, states)
        sheet, first = self.sheet(
            f"sheet.appendix{number}",
            [("report.col.no", 6), *[(c.key, c.width) for c in columns]],
            title=self.text(appendix_title_key(kind)),
        )
        shown = appendix.tasks[: self.rows]
        for row, task in enumerate(shown, first):
            self.write_row(sheet, row, [row - first + 1, *(c.value(task) for c in columns)])
        if appendix.total > len(shown):
            more = self.text(
                "report.appendix_more",
                shown=format_int(len(shown), self.lang),
                total=format_int(appendix.total, self.lang),
            )
            sheet.write_string(first + len(shown), 1, more, self.note)


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide."""
    chars = max(int(width) - 1, 1)
    return max(1, sum(len(textwrap.wrap(line, chars)) for line in text.split("\n")))
