"""The appendices as of an earlier day: a task completed or extended after that day was open,
and perhaps overdue, on it; the appendices list exactly what the figures count."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from bot.figures import month_period
from bot.models import ExtensionRequest, Role
from storage import Database
from storage.reports import find_units, load_report
from storage.workflow import grant_extension, request_extension
from tests.factories import make_person, make_task, make_unit
from tests.harness import TZ

MARCH = month_period(2020, 3)
AS_OF = date(2020, 3, 31)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=TZ)


async def test_appendices_as_of_an_earlier_day(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "dondoc.sqlite3")
    try:
        unit = await make_unit(db, "SYT", "Sở Y tế")
        officer = await make_person(db, Role.OFFICER, unit)
        admin = await make_person(db, Role.ADMIN)
        now = at(date(2020, 4, 10))

        async def task(code: str, deadline: date, completed: date | None = None) -> int:
            made = await make_task(db, unit, now, code=code, assigned_on=date(2020, 3, 1),
                                   deadline=deadline, completed_on=completed)  # fmt: skip
            return made.id

        await task("LATE", date(2020, 3, 10), completed=date(2020, 3, 12))
        await task("DONE-AFTER", date(2020, 3, 15), completed=date(2020, 4, 2))
        await task("OPEN", date(2020, 3, 20))
        await task("IN-TIME", date(2020, 4, 20))
        extended = await task("EXTENDED-AFTER", date(2020, 3, 25))
        request = await request_extension(
            db, task_id=extended, person_id=officer.id, now=at(date(2020, 4, 5)),
            today=date(2020, 4, 5), new_deadline=date(2020, 4, 30), reason="Chờ ý kiến Bộ",
            check=lambda *_: None,
        )  # fmt: skip
        assert isinstance(request, ExtensionRequest)
        await grant_extension(db, request_id=request.id, person_id=admin.id,
                              now=at(date(2020, 4, 5)), today=date(2020, 4, 5),
                              check=lambda _: None)  # fmt: skip
        report = await load_report(db, period=MARCH, as_of=AS_OF, tz=TZ)
    finally:
        await db.close()
    assert [t.code for t in report.late.tasks] == ["LATE"]
    assert report.late.total == report.figures.period_figures.late == 1
    overdue = {t.code: (t.deadline, t.days_overdue) for t in report.overdue.tasks}
    assert overdue == {
        "DONE-AFTER": (date(2020, 3, 15), 16),  # completed on 02/04: open on 31/03
        "OPEN": (date(2020, 3, 20), 11),
        "EXTENDED-AFTER": (date(2020, 3, 25), 6),  # extended on 05/04: due 25/03 on 31/03
    }
    assert report.overdue.total == report.figures.year_figures.open_overdue == 3
    assert [t.code for t in report.overdue.tasks] == ["DONE-AFTER", "OPEN", "EXTENDED-AFTER"]
    assert report.process.extensions_granted == 0  # granted in April, not in March


async def test_units_are_found_by_code_or_part_of_the_name(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "dondoc.sqlite3")
    try:
        for code, name in (("SYT", "Sở Y tế"), ("TTYT", "Trung tâm Y tế huyện Cao Lộc"),
                           ("STNMT", "Sở Tài nguyên và Môi trường")):  # fmt: skip
            await make_unit(db, code, name)

        async def codes(query: str) -> list[str]:
            return [unit.code for unit in await find_units(db, query)]

        assert await codes("syt") == ["SYT"]
        assert await codes("y te") == ["SYT", "TTYT"]
        assert await codes("Sở Y TẾ") == ["SYT"]
        assert await codes("tai nguyen moi truong") == ["STNMT"]  # every word, in any order
        assert await codes("nguyen va m") == ["STNMT"]  # a part of the name
        assert await codes("bo quoc phong") == []
        assert await codes("   ") == []
    finally:
        await db.close()
