"""The report figures (docs/DOMAIN.md, "The report and its figures"): for a period P, the
year to date, per unit and per leader.

The shapes below are the contract between the rules, `dondoc stats`, the bot's /stats and
the report documents.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from bot.models import (
    Figures,
    Period,
    PeriodFigures,
    Task,
    YearFigures,
    leader_groups,
    unit_groups,
    year_figures,
    year_window,
)
from bot.status import Status, exists_on, is_extended_on, status_on

# --- the figures, as one pure function over the tasks -------------------------------------


class PeriodError(ValueError):
    """A period that is not understood (`reason`: "bad_format", "bad_month", "reversed")."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason
        self.text = text


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(date(year, month, 1), date(year, month, last))


def parse_period(text: str) -> Period:
    """`YYYY-MM` as the month's period."""
    match = _MONTH.match(text.strip())
    if not match:
        raise PeriodError("bad_format", text)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1:
        raise PeriodError("bad_month", text)
    return month_period(year, month)


def is_month(period: Period) -> bool:
    """Whether the period is exactly one calendar month."""
    return period == month_period(period.start.year, period.start.month)


def default_as_of(period: Period, today: date) -> date:
    """The period's last day, or today when the period has not ended yet."""
    return min(period.end, today)


class _Tally:
    """Tasks counted by status as of T."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: Counter[Status] = Counter()

    def add(self, status: Status) -> None:
        self.counts[status] += 1

    def figures(self) -> YearFigures:
        return year_figures(
            on_time=self.counts[Status.COMPLETED_ON_TIME],
            late=self.counts[Status.COMPLETED_LATE],
            open_in_time=self.counts[Status.OPEN_IN_TIME],
            open_overdue=self.counts[Status.OPEN_OVERDUE],
        )


def compute_figures(
    tasks: Iterable[Task],
    *,
    period: Period,
    as_of: date,
    unit_names: Mapping[int, tuple[str, str]],
    leader_names: Mapping[str, str],
) -> Figures:
    """THE definition of the report figures (storage/figures.py computes the same in SQL).

    As of T: a task assigned after T does not exist; it is completed only if completed on
    or before T; an extension counts only if granted on or before T.
    - period: `assigned` = assigned in P; `due` = original deadline in P, and of those the
      statuses as of T and `extended` (deadline in force later than the original);
    - year: the tasks assigned from 1 January of P's year to the end of P (and by T), by
      status as of T; the same per lead unit (`unit_names`: id -> (code, name); every unit
      with a task, by code) and per assigner (`leader_names`: person code -> name; else
      the assigner's own text).
    """
    window = year_window(period, as_of)
    assigned = due = extended = 0
    due_tally, year_tally = _Tally(), _Tally()
    units: dict[int, _Tally] = {}
    leaders: dict[str, _Tally] = {}
    for task in tasks:
        if not exists_on(task, as_of):
            continue
        status = status_on(task, as_of)
        if period.start <= task.assigned_on <= period.end:
            assigned += 1
        original = task.original_deadline
        if original is not None and period.start <= original <= period.end:
            due += 1
            due_tally.add(status)
            extended += is_extended_on(task, as_of)
        if window.start <= task.assigned_on <= window.end:
            year_tally.add(status)
            units.setdefault(task.lead_unit_id, _Tally()).add(status)
            leaders.setdefault(task.assigner, _Tally()).add(status)
    of_due = due_tally.figures()
    return Figures(
        as_of=as_of,
        period=period,
        period_figures=PeriodFigures(
            assigned=assigned,
            due=due,
            completed=of_due.completed,
            on_time=of_due.on_time,
            late=of_due.late,
            open_in_time=of_due.open_in_time,
            open_overdue=of_due.open_overdue,
            extended=extended,
        ),
        year_figures=year_tally.figures(),
        units=unit_groups({uid: t.figures() for uid, t in units.items()}, unit_names),
        leaders=leader_groups({key: t.figures() for key, t in leaders.items()}, leader_names),
    )
