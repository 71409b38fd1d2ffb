"""What the monthly report says: the figures, the process figures and the three appendices.

One `MonthlyReport` is loaded by `storage.reports.load_report` and written by both
`bot.report_docx` and `bot.report_xlsx`, so the two documents always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from bot.models.figures import Figures


@dataclass(frozen=True, slots=True)
class ReportTask:
    """One line of an appendix or of a task list in the chat."""

    code: str
    title: str
    lead_unit: str  # the lead unit's name
    assigned_on: date
    original_deadline: date | None
    deadline: date | None  # in force on the report's day
    completed_on: date | None = None
    days_overdue: int = 0  # calendar days past the deadline in force (open tasks)
    doc_number: str = ""
    doc_date: date | None = None
    officer: str = ""  # the responsible officer's name, if one is named
    report_state: str | None = None  # "pending" or "returned" (a completion report)

    @property
    def days_late(self) -> int:
        """For a completed task: calendar days between the deadline and the completion."""
        if self.completed_on is None or self.deadline is None:
            return 0
        return max((self.completed_on - self.deadline).days, 0)


class UnitOverdue(NamedTuple):
    """One line of /overdue: a lead unit, its overdue open tasks and the oldest of them.
    A named tuple: /overdue makes 1,000 after every change, each from its row in C
    (`storage.reports`), where a dataclass's `__init__` was a quarter of the bot's own time."""

    unit_id: int
    code: str
    name: str
    overdue: int
    oldest_days: int  # days overdue of its oldest overdue task


@dataclass(frozen=True, slots=True)
class OverduePage:
    """A page of /overdue: its lines, most overdue first, and the sums of the whole list."""

    lines: list[UnitOverdue]
    total: int  # the lines of the whole list: units with overdue open tasks
    tasks: int  # their overdue open tasks


@dataclass(frozen=True, slots=True)
class Appendix:
    """An appendix's tasks, the worst first, and how many there are in all: a long list is
    cut (the documents say so), the count never is."""

    tasks: list[ReportTask] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True, slots=True)
class ProcessFigures:
    """Section 2: how the process went in the period, from the workflow's tables, and the
    tasks of appendix 3 by the state of their report. `None` means the register cannot
    tell (the table that would say it does not exist)."""

    reports_returned: int | None = None  # completion reports returned in the period
    extensions_refused: int | None = None  # extension requests refused in the period
    extensions_granted: int | None = None  # extension requests granted in the period
    waiting_pending: int = 0  # appendix 3: overdue, a completion report waits for review
    waiting_returned: int = 0  # appendix 3: overdue, the completion report was returned


# The appendices' kinds, in the order of the seed: completed late, overdue, and overdue with a
# completion report waiting (their catalogue titles: report.appendix1_title, 2, 3).
APPENDIX_KINDS = ("late", "overdue", "waiting")


def appendix_title_key(kind: str) -> str:
    return f"report.appendix{APPENDIX_KINDS.index(kind) + 1}_title"


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    """Everything both report documents say, for one period as of one day."""

    figures: Figures
    late: Appendix = field(default_factory=Appendix)  # appendix 1
    overdue: Appendix = field(default_factory=Appendix)  # appendix 2
    waiting: Appendix = field(default_factory=Appendix)  # appendix 3
    process: ProcessFigures = field(default_factory=ProcessFigures)

    @property
    def as_of(self) -> date:
        return self.figures.as_of

    def appendices(self) -> list[tuple[int, str, Appendix]]:
        """The appendices the documents attach, numbered in order: (number, kind, appendix),
        kind being "late", "overdue" or "waiting". An empty one is left out (the text says
        there is nothing) and the next takes its number, as the Office numbers them."""
        lists = (self.late, self.overdue, self.waiting)
        present = [(kind, a) for kind, a in zip(APPENDIX_KINDS, lists, strict=True) if a.total]
        return [(number, kind, appendix) for number, (kind, appendix) in enumerate(present, 1)]

    def appendix_numbers(self) -> dict[str, int]:
        """The number of each attached appendix by its kind (see `appendices`)."""
        return {kind: number for number, kind, _ in self.appendices()}
