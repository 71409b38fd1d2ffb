"""The lists and figures the figures' commands show (/stats, /overdue, /unit, /mine,
/chart, `dondoc stats`) and the monthly report (/report, `dondoc report`), read from the
register as of a day given (docs/DOMAIN.md, "The report and its figures")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Generic, Protocol, TypeVar

from bot.figure_views import PER_PAGE, pages
from bot.figures import YearFigures, month_period
from bot.models import Figures, MonthlyReport, OverduePage, Period, Person, Unit
from storage import reports
from storage.db import Database
from storage.figures import load_figures, unit_year_figures
from storage.register import get_unit
from storage.reports import TaskPage


class _Listed(Protocol):
    @property
    def total(self) -> int: ...  # the lines of the whole list


Listed = TypeVar("Listed", bound=_Listed)


@dataclass(frozen=True, slots=True)
class ShownPage(Generic[Listed]):
    """A page of a list as shown: its lines, its number (clamped) and the pages."""

    first: Listed
    page: int
    count: int


async def clamped_page(
    load: Callable[[int], Awaitable[Listed]], page: int, *, per_page: int = PER_PAGE
) -> ShownPage[Listed]:
    """Page `page` of a list (`load(offset)`), or its last page when the list got shorter
    since the button was made."""
    page = max(page, 0)
    first = await load(page * per_page)
    count = pages(first.total, per_page)
    if page >= count:  # the list got shorter since the button was made
        page = count - 1
        first = await load(page * per_page)
    return ShownPage(first, page, count)


async def unit_overdue_page(
    db: Database, unit_id: int, *, today: date, page: int
) -> ShownPage[TaskPage]:
    """A page of one unit's overdue open tasks, the most overdue first."""

    def load(offset: int) -> Awaitable[TaskPage]:
        return reports.unit_overdue_tasks(
            db, unit_id=unit_id, today=today, offset=offset, limit=PER_PAGE
        )

    return await clamped_page(load, page)


async def unit_open_page(
    db: Database, unit_id: int, *, today: date, page: int
) -> ShownPage[TaskPage]:
    """A page of one unit's open tasks, by deadline."""

    def load(offset: int) -> Awaitable[TaskPage]:
        return reports.unit_open_tasks(
            db, unit_id=unit_id, today=today, offset=offset, limit=PER_PAGE
        )

    return await clamped_page(load, page)


@dataclass(frozen=True, slots=True)
class UnitOverdueList:
    """A unit and a page of its overdue open tasks."""

    unit: Unit
    shown: ShownPage[TaskPage]


async def unit_overdue(
    db: Database, unit_id: int, *, today: date, page: int
) -> UnitOverdueList | None:
    """A page of one unit's overdue open tasks; None when the unit is gone."""
    unit = await get_unit(db, id=unit_id)
    if unit is None:
        return None
    return UnitOverdueList(unit, await unit_overdue_page(db, unit.id, today=today, page=page))


@dataclass(frozen=True, slots=True)
class UnitFigures:
    """/unit: a unit's figures this year, and a page of its open tasks."""

    unit: Unit
    figures: YearFigures
    year_start: date
    open: ShownPage[TaskPage]


async def unit_figures(db: Database, unit_id: int, *, today: date, page: int) -> UnitFigures | None:
    """A unit's figures from the year's start to `today` and a page of its open tasks;
    None when the unit is gone."""
    unit = await get_unit(db, id=unit_id)
    if unit is None:
        return None
    year_start = date(today.year, 1, 1)
    figures = await unit_year_figures(db, unit_id=unit.id, year_start=year_start, as_of=today)
    shown = await unit_open_page(db, unit.id, today=today, page=page)
    return UnitFigures(unit, figures, year_start, shown)


async def head_unit_year(
    db: Database, head: Person, *, year_start: date, as_of: date
) -> tuple[Unit, YearFigures]:
    """A head's own unit, and its figures from `year_start` to `as_of`."""
    unit = await get_unit(db, id=head.unit_id)
    assert unit is not None  # a head always belongs to a unit (schema CHECK)
    figures = await unit_year_figures(db, unit_id=unit.id, year_start=year_start, as_of=as_of)
    return unit, figures


async def kept_figures(
    db: Database, *, period: Period, as_of: date, groups: bool = True
) -> Figures:
    """The figures of the period and its year (by unit and by leader with `groups`), kept
    until the register changes (the chat's commands ask for them over and over)."""
    return await reports.kept_figures(db, period=period, as_of=as_of, groups=groups)


async def overdue_page(
    db: Database, *, today: date, page: int, per_page: int = PER_PAGE
) -> ShownPage[OverduePage]:
    """One page of /overdue's units, the most overdue first (the last page when `page` is
    past it), with the sums of the whole list."""

    def load(offset: int) -> Awaitable[OverduePage]:
        return reports.overdue_units(db, today=today, offset=offset, limit=per_page)

    return await clamped_page(load, page, per_page=per_page)


async def find_units(db: Database, query: str, *, limit: int) -> list[Unit]:
    """Units by code or by name (`storage.reports.find_units`)."""
    return await reports.find_units(db, query, limit=limit)


@dataclass(frozen=True, slots=True)
class LeaderFigures:
    """/mine: a leader's figures this year, and the first pages of the open tasks they
    assigned, overdue and in time."""

    figures: YearFigures
    overdue: TaskPage
    in_time: TaskPage


async def leader_figures(db: Database, person: Person, *, today: date) -> LeaderFigures:
    period = month_period(today.year, today.month)
    everything = await reports.kept_figures(db, period=period, as_of=today)
    # The leaders' figures are keyed by the assigner's code (bot.figures.compute_figures).
    mine = [group.figures for group in everything.leaders if group.code == person.code]
    figures = mine[0] if mine else YearFigures()
    overdue = await reports.leader_open_tasks(
        db, leader_id=person.id, today=today, overdue=True, offset=0, limit=PER_PAGE
    )
    in_time = await reports.leader_open_tasks(
        db, leader_id=person.id, today=today, overdue=False, offset=0, limit=PER_PAGE
    )
    return LeaderFigures(figures, overdue, in_time)


async def figures_as_of(db: Database, *, period: Period, as_of: date) -> Figures:
    """The register's figures for `period` as of `as_of`, read afresh (`dondoc stats`)."""
    return await load_figures(db, period=period, as_of=as_of)


async def monthly_report(
    db: Database, *, period: Period, as_of: date, tz: tzinfo, limit: int
) -> MonthlyReport:
    """Everything the monthly report says; each appendix lists at most `limit` tasks."""
    return await reports.load_report(db, period=period, as_of=as_of, tz=tz, limit=limit)
