"""The figures of the report and of /stats: a period, its figures and the year's, and the
groups by unit and by assigning leader (`bot.figures` computes them from tasks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


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
