"""The report figures of DOMAIN.md: for a period P, the year to date, per unit and per leader.

The shapes below are the contract between the rules, `dondoc stats`, the bot's /stats and
the report documents.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from bot.models import Task
from bot.status import Status, exists_on, is_extended_on, status_on


@dataclass(frozen=True, slots=True)
class Period:
    """A span of calendar days, both ends included."""

    start: date
    end: date


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """Tasks assigned in P, and the tasks due in P (original deadline in P) as of T."""

    assigned: int = 0
    due: int = 0
    completed: int = 0  # of the due
    on_time: int = 0
    late: int = 0
    open_in_time: int = 0
    open_overdue: int = 0
    extended: int = 0  # of the due: deadline in force later than the original, as of T


@dataclass(frozen=True, slots=True)
class YearFigures:
    """Tasks assigned from 1 January of P's year to T, as of T."""

    assigned: int = 0
    completed: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    open_in_time: int = 0
    open_overdue: int = 0


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """Year-to-date figures of one lead unit or one assigning leader."""

    code: str
    name: str
    figures: YearFigures


@dataclass(frozen=True, slots=True)
class Figures:
    as_of: date
    period: Period
    period_figures: PeriodFigures
    year_figures: YearFigures
    units: list[GroupFigures] = field(default_factory=list)
    leaders: list[GroupFigures] = field(default_factory=list)

    @property
    def year_start(self) -> date:
        return date(self.period.start.year, 1, 1)

    def to_json(self) -> dict[str, Any]:
        """The shape `dondoc stats --json` prints."""
        return {
            "as_of": self.as_of.isoformat(),
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
            "period_figures": asdict(self.period_figures),
            "year_figures": asdict(self.year_figures),
            "units": [
                {
                    "code": g.code,
                    "name": g.name,
                    "assigned": g.figures.assigned,
                    "completed": g.figures.completed,
                    "on_time": g.figures.on_time,
                    "late": g.figures.late,
                    "open_in_time": g.figures.open_in_time,
                    "open_overdue": g.figures.open_overdue,
                }
                for g in self.units
            ],
        }


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


def year_window(period: Period, as_of: date) -> Period:
    """The days whose tasks the year-to-date figures count: 1 January of P's year to the
    end of P, and no later than T (a task assigned after T does not exist yet)."""
    return Period(date(period.start.year, 1, 1), min(period.end, as_of))


def year_figures(*, on_time: int, late: int, open_in_time: int, open_overdue: int) -> YearFigures:
    """Year figures from the four statuses, so that the parts always add up."""
    return YearFigures(
        assigned=on_time + late + open_in_time + open_overdue,
        completed=on_time + late,
        on_time=on_time,
        late=late,
        open=open_in_time + open_overdue,
        open_in_time=open_in_time,
        open_overdue=open_overdue,
    )


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


def unit_groups(
    by_unit: Mapping[int, YearFigures], unit_names: Mapping[int, tuple[str, str]]
) -> list[GroupFigures]:
    """Per-unit figures named and sorted by unit code (an unknown id shows as its number)."""
    groups = [
        GroupFigures(*unit_names.get(unit_id, (str(unit_id), "")), figures)
        for unit_id, figures in by_unit.items()
    ]
    return sorted(groups, key=lambda g: g.code)


def leader_groups(
    by_assigner: Mapping[str, YearFigures], leader_names: Mapping[str, str]
) -> list[GroupFigures]:
    """Per-assigner figures: a person's code and name, or the assigning body's own text."""
    groups = [
        GroupFigures(key, leader_names.get(key, key), figures)
        for key, figures in by_assigner.items()
    ]
    return sorted(groups, key=lambda g: g.code)
