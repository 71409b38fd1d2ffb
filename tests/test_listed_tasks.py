"""/tasks reads slim rows (`storage.task_lists.listed_open_tasks`): the same tasks, each as the full
task lists it on the day (`bot.views.listed`), the deadline in force included when an
extension was granted after that day (issue 7)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.models import ListedTask, Person, Role
from bot.views import listed
from storage import Database
from storage.register import add_person, add_task, add_unit
from storage.task_lists import listed_open_tasks, open_tasks_for

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)


async def _register(db: Database, rng: random.Random) -> list[Person]:
    """Two units, a head and two officers each; 300 tasks, some completed, some extended
    (now and then after TODAY, once or twice), some with a report waiting or returned."""
    people = []
    for u in range(2):
        unit = await add_unit(db, code=f"U{u}", name=f"Đơn vị {u}")
        people.append(await add_person(db, code=f"H{u}", name="Thủ trưởng", role=Role.HEAD,
                                       unit_id=unit.id))  # fmt: skip
        for o in range(2):
            people.append(await add_person(db, code=f"O{u}{o}", name="Chuyên viên",
                                           role=Role.OFFICER, unit_id=unit.id))  # fmt: skip
    officers = [p for p in people if p.role is Role.OFFICER]
    for n in range(300):
        unit_id = rng.choice(officers).unit_id
        assert unit_id is not None
        officer = rng.choice([None, *(p for p in officers if p.unit_id == unit_id)])
        original = rng.choice([None, TODAY + timedelta(days=rng.randint(-40, 40))])
        deadline, extended_on = original, None
        if original is not None and rng.random() < 0.4:
            extended_on = TODAY + timedelta(days=rng.randint(-5, 5))
            deadline = original + timedelta(days=rng.randint(1, 30))
        task = await add_task(
            db,
            code=f"NV-{n:04d}",
            title=rng.choice(["Báo cáo <quý>", "Kế hoạch & dự toán", ""]),
            content="nội dung dài " * 50,
            lead_unit_id=unit_id,
            officer_id=None if officer is None else officer.id,
            assigned_on=TODAY - timedelta(days=60),
            original_deadline=original,
            deadline=deadline,
            completed_on=rng.choice([None, None, None, TODAY - timedelta(days=1)]),
            now=NOW,
        )
        if extended_on is not None:  # granted on that day (add_task grants it on assigned_on)
            await db.execute(
                "UPDATE tasks SET extended_on = ? WHERE id = ?", (extended_on.isoformat(), task.id)
            )
            await db.execute(
                "UPDATE deadline_changes SET granted_on = ? WHERE task_id = ?",
                (extended_on.isoformat(), task.id),
            )
        if extended_on is not None and rng.random() < 0.5:  # an earlier extension too
            await db.execute(
                "INSERT INTO deadline_changes (task_id, old_deadline, new_deadline, granted_on,"
                " decided_at, reason) VALUES (?, ?, ?, ?, ?, '')",
                (task.id, None, (TODAY - timedelta(days=3)).isoformat(),
                 (extended_on - timedelta(days=4)).isoformat(), NOW.isoformat()),
            )  # fmt: skip
        state = rng.choice([None, None, "pending", "returned"])
        await db.execute("UPDATE tasks SET report_state = ? WHERE id = ?", (state, task.id))
    return people


def _by_code(tasks: list[ListedTask]) -> list[ListedTask]:
    return sorted(tasks, key=lambda task: task.code)


async def test_each_list_is_the_full_tasks_as_listed_on_the_day(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        people = await _register(db, random.Random(5))
        extended_later = 0
        for person in people:
            full = await open_tasks_for(db, person)
            for day in (TODAY - timedelta(days=6), TODAY, TODAY + timedelta(days=6)):
                expected = [listed(task, day) for task in full]
                assert _by_code(await listed_open_tasks(db, person, today=day)) == _by_code(
                    expected
                )
                extended_later += sum(
                    1 for task in full if task.extended_on is not None and task.extended_on > day
                )
        assert extended_later > 50  # the deadline in force was an earlier one, many times
    finally:
        await db.close()


async def test_leaders_and_admins_have_no_list(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        for role in (Role.LEADER, Role.ADMIN):
            person = await add_person(db, code=role.value, name="X", role=role)
            assert await listed_open_tasks(db, person, today=TODAY) == []
    finally:
        await db.close()
