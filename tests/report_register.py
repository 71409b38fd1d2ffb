"""A register with the seed report's figures, for the report and figures tests.

March 2020 as of 31/03/2020, as in the seed: 344 tasks assigned in March; 196 due in March,
118 of them completed (113 on time, 05 late), 72 extended and still in time, 06 overdue;
year to date 1.132 assigned, 949 completed (944 on time, 05 late), 183 open (177 in time,
06 overdue). Of the 06 overdue, one has a completion report waiting for review and one a
report that was returned (appendix 3). In March one report was returned and one extension
request refused. A task of 2019 is overdue too (not in this year's figures), and one task
is assigned in April (after the report's day).

Tasks are written in one transaction through storage.importing (1.100 tasks in a blink).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.figures import month_period
from bot.models import ExtensionRequest, Merged, MonthlyReport, Person, Plan, Role, TaskRecord, Unit
from storage import Database
from storage.importing import apply_tasks
from storage.register import get_task
from storage.reports import load_report
from storage.workflow import refuse_extension, request_extension, return_report, submit_report
from tests.factories import make_person, make_unit
from tests.harness import TZ

PERIOD_START, PERIOD_END = date(2020, 3, 1), date(2020, 3, 31)
AS_OF = PERIOD_END
LATE = [f"NV-2020-L{i}" for i in range(1, 6)]  # appendix 1
OVERDUE = [f"NV-2020-O{i}" for i in range(1, 7)]  # appendix 2
WAITING = ["NV-2020-O1", "NV-2020-O2"]  # appendix 3: report pending, report returned
OLD_OVERDUE = "NV-2019-X1"


@dataclass(frozen=True)
class SeedRegister:
    units: list[Unit]  # Sở Y tế, Sở Nội vụ, UBND huyện Cao Lộc
    leader: Person  # "Chủ tịch", assigner of every third task
    officer: Person  # of Sở Y tế


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


async def seed_register(db: Database) -> SeedRegister:
    health = await make_unit(db, "SYT", "Sở Y tế")
    interior = await make_unit(db, "SNV", "Sở Nội vụ")
    district = await make_unit(db, "UBCL", "UBND huyện Cao Lộc")
    units = [health, interior, district]
    leader = await make_person(db, Role.LEADER, code="CT", name="Hồ Tiến Thiệu", telegram_id=2001)
    officer = await make_person(db, Role.OFFICER, health, code="CVYT", name="Nguyễn Văn An")
    records: list[TaskRecord] = []

    def add(code: str, n: int, assigned: date, original: date | None, deadline: date | None,
            completed: date | None = None) -> None:  # fmt: skip
        unit = units[n % 3]
        by_leader = n % 3 == 0
        records.append(
            TaskRecord(
                code=code,
                title=f"Nhiệm vụ {code} về triển khai kế hoạch",
                lead_unit_id=unit.id,
                assigned_on=assigned,
                doc_number=f"{n}/UBND-KT",
                doc_date=assigned - timedelta(days=1),
                assigner=leader.code if by_leader else "UBND tỉnh",
                assigner_id=leader.id if by_leader else None,
                officer_id=officer.id if unit is health else None,
                original_deadline=original,
                deadline=deadline,
                completed_on=completed,
            )
        )

    n = 0

    def group(prefix: str, count: int, assigned: date, original: date | None,
              deadline: date | None, completed: date | None = None) -> None:  # fmt: skip
        nonlocal n
        for i in range(count):
            n += 1
            add(f"NV-2020-{prefix}{i + 1:03d}", n, assigned, original, deadline, completed)

    # Due in March, completed on time: 50 assigned in March, 63 in February.
    group("A", 50, date(2020, 3, 2), date(2020, 3, 20), date(2020, 3, 20), date(2020, 3, 18))
    group("B", 63, date(2020, 2, 20), date(2020, 3, 20), date(2020, 3, 20), date(2020, 3, 18))
    # Due in March, completed late (2 to 6 days): appendix 1.
    for i, code in enumerate(LATE):
        n += 1
        add(code, n, date(2020, 2, 10), date(2020, 3, 10), date(2020, 3, 10),
            date(2020, 3, 12 + i))  # fmt: skip
    # Due in March, extended to 30/04 and still in time: 50 assigned in March, 22 in February.
    group("C", 50, date(2020, 3, 3), date(2020, 3, 25), date(2020, 4, 30))
    group("D", 22, date(2020, 2, 21), date(2020, 3, 25), date(2020, 4, 30))
    # Due in March, overdue: appendix 2 (deadlines 05/03 … 10/03).
    for i, code in enumerate(OVERDUE):
        n += 1
        deadline = date(2020, 3, 5 + i)
        add(code, n, date(2020, 2, 15), deadline, deadline)
    # Assigned in March, due in April: 105 open, 139 completed early.
    group("E", 105, date(2020, 3, 10), date(2020, 4, 15), date(2020, 4, 15))
    group("F", 139, date(2020, 3, 5), date(2020, 4, 30), date(2020, 4, 30), date(2020, 3, 25))
    # Assigned in January, completed on time in February.
    group("G", 692, date(2020, 1, 6), date(2020, 2, 14), date(2020, 2, 14), date(2020, 2, 10))
    # Not in this year's figures: overdue since 2019; assigned after the report's day.
    add(OLD_OVERDUE, 9001, date(2019, 11, 1), date(2019, 12, 1), date(2019, 12, 1))
    add("NV-2020-Z1", 9002, date(2020, 4, 2), date(2020, 4, 20), date(2020, 4, 20))
    await apply_tasks(
        db,
        Merged(Plan(create=records, update=[], unchanged=0)),
        today=AS_OF,
        now=_at(AS_OF),
        source="test",
    )
    await _workflow(db, officer)
    return SeedRegister(units=units, leader=leader, officer=officer)


async def _workflow(db: Database, officer: Person) -> None:
    """One report waiting (O1), one returned in March (O2), one request refused in March."""
    admin = await make_person(db, Role.ADMIN, code="VP", name="Văn Phòng")
    tasks = {}
    for code in (*WAITING, "NV-2020-O3"):
        task = await get_task(db, code=code)
        assert task is not None
        tasks[code] = task.id

    def no_check(*_: object) -> None:
        return None

    for code, day in (("NV-2020-O1", date(2020, 3, 28)), ("NV-2020-O2", date(2020, 3, 15))):
        filed = await submit_report(
            db, task_id=tasks[code], person_id=officer.id, now=_at(day), today=day,
            result="Đã có Báo cáo số 12/BC-SYT", reply_doc="12/BC-SYT", file_id=None,
            file_kind=None, review=True, check=no_check,
        )  # fmt: skip
        assert isinstance(filed, tuple)
        if code == "NV-2020-O2":
            await return_report(db, report_id=filed[0].id, person_id=admin.id,
                                now=_at(date(2020, 3, 20)), reason="Chưa đúng yêu cầu")  # fmt: skip
    request = await request_extension(
        db, task_id=tasks["NV-2020-O3"], person_id=officer.id, now=_at(date(2020, 3, 2)),
        today=date(2020, 3, 2), new_deadline=date(2020, 4, 30), reason="Chờ ý kiến của Bộ Y tế",
        check=no_check,
    )  # fmt: skip
    assert isinstance(request, ExtensionRequest)
    await refuse_extension(db, request_id=request.id, person_id=admin.id,
                           now=_at(date(2020, 3, 4)), reason="Không có căn cứ")  # fmt: skip


async def seed_report(path: Path, as_of: date = AS_OF) -> MonthlyReport:
    """The monthly report of March 2020 on a fresh register with the seed's figures (as of
    31/03/2020, or an earlier day)."""
    db = await Database.open(path)
    try:
        await seed_register(db)
        return await load_report(db, period=month_period(2020, 3), as_of=as_of, tz=TZ)
    finally:
        await db.close()
