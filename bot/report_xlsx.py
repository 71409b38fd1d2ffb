"""The monthly report as an Excel workbook: the figures, per unit, per assigning leader and
the three appendices, one sheet each, with headers, widths and frozen header rows.

Written in openpyxl's write-only mode (streamed, fast on long appendices). Counts are
numbers, shares are fractions shown as `0.0%`, dates are dates shown as `DD/MM/YYYY`, so
the Office can sort, filter and sum them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
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
APPENDIX_ROWS = 5_000
DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the header's catalogue key
    width: float  # in characters
    value: Callable[[Any], Any]
    number_format: str | None = None


def build_xlsx(
    report: MonthlyReport, *, lang: str = "vi", appendix_rows: int = APPENDIX_ROWS
) -> bytes:
    """The workbook as .xlsx bytes; each appendix sheet lists at most `appendix_rows` tasks."""
    from openpyxl import Workbook  # imported here: the bot starts without loading openpyxl

    workbook = Workbook(write_only=True)
    sheets = _Sheets(workbook, lang, appendix_rows)
    sheets.figures(report)
    sheets.groups("sheet.units", report.figures.units, report.figures.year_figures, unit=True)
    sheets.groups("sheet.leaders", report.figures.leaders, None, unit=False)
    for number, appendix in enumerate((report.late, report.overdue, report.waiting), start=1):
        sheets.appendix(number, appendix)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _share(value: Decimal) -> float:
    return float(value / 100)


def task_columns(number: int) -> list[Column]:
    """The columns of appendix sheet 1, 2 or 3."""
    columns = [
        Column("report.col.code", 18, lambda t: t.code),
        Column("report.col.doc_number", 16, lambda t: t.doc_number),
        Column("report.col.doc_date", 13, lambda t: t.doc_date, DATE_FORMAT),
        Column("report.col.title", 60, lambda t: t.title),
        Column("report.col.lead_unit", 32, lambda t: t.lead_unit),
        Column("report.col.assigned_on", 13, lambda t: t.assigned_on, DATE_FORMAT),
        Column("report.col.original", 13, lambda t: t.original_deadline, DATE_FORMAT),
        Column("report.col.deadline", 13, lambda t: t.deadline, DATE_FORMAT),
    ]
    if number == 1:
        return [
            *columns,
            Column("report.col.completed_on", 15, lambda t: t.completed_on, DATE_FORMAT),
            Column("report.col.days_late", 12, lambda t: t.days_late),
            Column("report.col.officer", 24, lambda t: t.officer),
        ]
    return [
        *columns,
        Column("report.col.days_overdue", 12, lambda t: t.days_overdue),
        Column("report.col.officer", 24, lambda t: t.officer),
        Column("report.col.report_state", 18, lambda t: t.report_state or ""),
    ]


GROUP_FIGURES = ("assigned", "completed", "on_time", "late", "open_in_time", "open_overdue")


class _Sheets:
    def __init__(self, workbook: Any, lang: str, rows: int) -> None:
        from openpyxl.styles import Alignment, Font

        self.workbook = workbook
        self.lang = lang
        self.rows = rows
        self.bold = Font(bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.current: Any = None  # the sheet being written (write-only cells need it)

    def text(self, key: str, **values: Any) -> str:
        return plain(self.lang, key, **values)

    def sheet(
        self, key: str, columns: Sequence[tuple[str, float]], *, title: str | None = None
    ) -> Any:
        """A new sheet: widths, the bold header row frozen (under an optional title row)."""
        from openpyxl.utils import get_column_letter

        sheet = self.workbook.create_sheet(self.text(f"report.{key}")[:31])
        self.current = sheet
        for i, (_, width) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        header_row = 1 if title is None else 2
        # Write-only sheets write their view with the first row: freeze before appending.
        sheet.freeze_panes = f"A{header_row + 1}"
        if title is not None:
            sheet.append([self.cell(title, bold=True)])
        sheet.append([self.cell(self.text(key_), header=True) for key_, _ in columns])
        return sheet

    def cell(
        self, value: Any, *, bold: bool = False, header: bool = False, fmt: str | None = None
    ) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.current, value=value)
        if bold or header:
            cell.font = self.bold
        if header:
            cell.alignment = self.wrap
        if fmt is not None:
            cell.number_format = fmt
        return cell

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
        sheet = self.sheet(
            "sheet.figures",
            [
                ("report.col.measure", 62),
                ("report.col.count", 12),
                ("report.col.share", 10),
                ("report.col.base", 40),
            ],
            title=title,
        )
        rows: list[tuple[str, int, Decimal | None, str]] = [
            ("period.assigned", period.assigned, None, ""),
            ("period.due", period.due, None, ""),
        ]
        due_split = shares([period.completed, period.open_in_time, period.open_overdue])
        done_split = shares([period.on_time, period.late])
        rows += [
            ("period.completed", period.completed, due_split[0], "base.due"),
            ("period.on_time", period.on_time, done_split[0], "base.completed"),
            ("period.late", period.late, done_split[1], "base.completed"),
            ("period.open_in_time", period.open_in_time, due_split[1], "base.due"),
            ("period.open_overdue", period.open_overdue, due_split[2], "base.due"),
            ("period.extended", period.extended, percent(period.extended, period.due), "base.due"),
        ]
        year_split = shares([year.completed, year.open])
        year_done = shares([year.on_time, year.late])
        year_open = shares([year.open_in_time, year.open_overdue])
        rows += [
            ("year.assigned", year.assigned, None, ""),
            ("year.completed", year.completed, year_split[0], "base.assigned"),
            ("year.on_time", year.on_time, year_done[0], "base.completed"),
            ("year.late", year.late, year_done[1], "base.completed"),
            ("year.open", year.open, year_split[1], "base.assigned"),
            ("year.open_in_time", year.open_in_time, year_open[0], "base.open"),
            ("year.open_overdue", year.open_overdue, year_open[1], "base.open"),
        ]
        for key, count, share, base in rows:
            sheet.append(
                [
                    self.text(f"report.fig.{key}"),
                    count,
                    None if share is None else self.cell(_share(share), fmt=PERCENT_FORMAT),
                    self.text(f"report.{base}") if base else None,
                ]
            )

    def groups(
        self, key: str, groups: Sequence[GroupFigures], total: YearFigures | None, *, unit: bool
    ) -> None:
        kind = "unit" if unit else "leader"
        sheet = self.sheet(
            key,
            [
                ("report.col.no", 6),
                (f"report.col.{kind}_code", 14),
                (f"report.col.{kind}", 40),
                *[(f"report.col.{name}", 14) for name in GROUP_FIGURES],
                ("report.col.completed_share", 12),
            ],
        )
        for number, group in enumerate(groups, start=1):
            sheet.append([number, group.code, group.name, *self.figure_cells(group.figures)])
        if total is not None:
            sheet.append(
                [
                    None,
                    None,
                    self.cell(self.text("report.total"), bold=True),
                    *self.figure_cells(total, bold=True),
                ]
            )

    def figure_cells(self, figures: YearFigures, *, bold: bool = False) -> list[Any]:
        counts: list[Any] = [self.cell(getattr(figures, name), bold=bold) for name in GROUP_FIGURES]
        share = _share(percent(figures.completed, figures.assigned))
        return [*counts, self.cell(share, bold=bold, fmt=PERCENT_FORMAT)]

    def appendix(self, number: int, appendix: Appendix) -> None:
        columns = task_columns(number)
        sheet = self.sheet(
            f"sheet.appendix{number}",
            [("report.col.no", 6), *[(c.key, c.width) for c in columns]],
            title=self.text(f"report.appendix{number}_title"),
        )
        formats = [c.number_format for c in columns]
        shown = appendix.tasks[: self.rows]
        for row_number, task in enumerate(shown, start=1):
            sheet.append([row_number, *self.values(columns, formats, task)])
        if appendix.total > len(shown):
            more = self.text(
                "report.appendix_more",
                shown=format_int(len(shown), self.lang),
                total=format_int(appendix.total, self.lang),
            )
            sheet.append([None, self.cell(more, bold=True)])

    def values(
        self, columns: Sequence[Column], formats: Sequence[str | None], task: ReportTask
    ) -> Iterable[Any]:
        for column, fmt in zip(columns, formats, strict=True):
            value = column.value(task)
            if column.key == "report.col.report_state" and value:
                value = self.text(f"report.state.{value}")
            if fmt is not None and isinstance(value, date):
                yield self.cell(value, fmt=fmt)
            else:
                yield value
