"""Rows for tests: units, people and tasks with sensible defaults, through storage.register.

    world = await small_world(db)               # two units, an admin, a leader, heads, officers
    task = await make_task(db, world.health, now, deadline=date(2020, 4, 20), officer=world.officer)

Telegram ids: a person made with `telegram_id=...` is linked already; `small_world` links
everyone (ids in `TG_IDS`) except `world.newcomer`, who has a phone number and no account.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime

from bot.models import Person, Role, Task, Unit
from storage import Database
from storage.register import add_person, add_task, add_unit

_numbers = itertools.count(1)


async def make_unit(db: Database, code: str | None = None, name: str | None = None) -> Unit:
    number = next(_numbers)
    return await add_unit(db, code=code or f"DV{number:03d}", name=name or f"Đơn vị số {number}")


async def make_person(
    db: Database,
    role: Role = Role.OFFICER,
    unit: Unit | None = None,
    *,
    code: str | None = None,
    name: str | None = None,
    phone: str = "",
    telegram_id: int | None = None,
    language: str = "vi",
) -> Person:
    number = next(_numbers)
    return await add_person(
        db,
        code=code or f"CB{number:03d}",
        name=name or f"Cán bộ số {number}",
        role=role,
        unit_id=None if unit is None else unit.id,
        phone=phone,
        telegram_id=telegram_id,
        language=language,
    )


async def make_task(
    db: Database,
    unit: Unit,
    now: datetime,
    *,
    code: str | None = None,
    title: str | None = None,
    deadline: date | None = None,
    original_deadline: date | None = None,
    assigned_on: date | None = None,
    officer: Person | None = None,
    completed_on: date | None = None,
    cooperating: tuple[Unit, ...] = (),
    **fields: object,
) -> Task:
    """A task of `unit`, assigned on `now`'s day unless said otherwise."""
    number = next(_numbers)
    return await add_task(
        db,
        code=code or f"NV-2020-{number:04d}",
        title=title or f"Nhiệm vụ số {number}",
        lead_unit_id=unit.id,
        assigned_on=assigned_on or now.date(),
        now=now,
        deadline=deadline,
        original_deadline=original_deadline,
        completed_on=completed_on,
        officer_id=None if officer is None else officer.id,
        cooperating_unit_ids=[u.id for u in cooperating],
        **fields,  # type: ignore[arg-type]
    )


# Telegram user ids of small_world's people.
TG_IDS = {"admin": 1001, "leader": 1002, "head": 1003, "officer": 1004, "colleague": 1005,
          "other_head": 1006, "other_officer": 1007}  # fmt: skip


@dataclass(frozen=True)
class World:
    """Two units and their people: the Office's admin, a leader, each unit's head and
    officers, and a newcomer of the health department who has not linked an account."""

    health: Unit
    interior: Unit
    admin: Person
    leader: Person
    head: Person  # of health
    officer: Person  # of health
    colleague: Person  # another officer of health
    other_head: Person  # of interior
    other_officer: Person  # of interior
    newcomer: Person  # an officer of health, phone 0912 345 678, no Telegram yet


async def small_world(db: Database) -> World:
    health = await make_unit(db, "SYT", "Sở Y tế")
    interior = await make_unit(db, "SNV", "Sở Nội vụ")

    async def person(key: str, role: Role, unit: Unit | None, name: str) -> Person:
        return await make_person(
            db, role, unit, code=key.upper(), name=name, telegram_id=TG_IDS[key]
        )

    return World(
        health=health,
        interior=interior,
        admin=await person("admin", Role.ADMIN, None, "Trần Thị Văn Phòng"),
        leader=await person("leader", Role.LEADER, None, "Lê Văn Lãnh Đạo"),
        head=await person("head", Role.HEAD, health, "Phạm Thủ Trưởng"),
        officer=await person("officer", Role.OFFICER, health, "Nguyễn Chuyên Viên"),
        colleague=await person("colleague", Role.OFFICER, health, "Đỗ Đồng Nghiệp"),
        other_head=await person("other_head", Role.HEAD, interior, "Vũ Giám Đốc"),
        other_officer=await person("other_officer", Role.OFFICER, interior, "Hoàng Cán Bộ"),
        newcomer=await make_person(
            db, Role.OFFICER, health, code="NEWCOMER", name="Mai Người Mới", phone="0912 345 678"
        ),
    )
