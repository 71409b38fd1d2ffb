"""The report figures of DOMAIN.md: for a period P, the year to date, per unit and per leader.

The shapes below are the contract between the rules, `dondoc stats`, the bot's /stats and
the report documents.
"""

from __future__ import annotations

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
