"""The practice room's own register: a SQLite file under its data folder, never the real one.

On first start it is filled from the import files the trainer put in the folder
(units/people/tasks, .xlsx or .csv), or else from `dondoc sample` written around the room's
first day; `fresh` starts it over. Filled through the same import as `dondoc import`. Also
what the room's page reads of it: the people one may be, and their units.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot.models import ImportKind, Person, Role, Unit
from bot.sample import write_sample
from bot.services.imports import import_file
from storage import Database
from storage.register import list_units, people_with_role

log = logging.getLogger(__name__)

DATABASE = "dondoc-sandbox.sqlite3"
CLOCK = "clock.txt"  # where «Ngày hôm sau» left the room's clock, for the next start
SAMPLE = "sample"  # the folder under the data folder the sample's files are written in


@dataclass(frozen=True)
class Filled:
    """How the register was filled on this start (None: it already was)."""

    source: str  # "sample" or "files"
    files: dict[ImportKind, Path]
    counts: dict[ImportKind, int] = field(default_factory=dict)


def database_path(data: Path) -> Path:
    return data / DATABASE


def own_files(data: Path) -> dict[ImportKind, Path]:
    """The import files the trainer put in the data folder, by kind (.xlsx before .csv)."""
    found: dict[ImportKind, Path] = {}
    for kind in ImportKind:
        for suffix in (".xlsx", ".csv"):
            path = data / f"{kind.value}{suffix}"
            if path.is_file():
                found[kind] = path
                break
    return found


def forget(data: Path) -> None:
    """Start over: remove the register (and SQLite's journal files) and the room's clock."""
    base = database_path(data)
    for path in (base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")):
        path.unlink(missing_ok=True)
    (data / CLOCK).unlink(missing_ok=True)


def saved_moment(data: Path) -> datetime | None:
    """Where the room's clock was last moved to (None: never, or unreadable)."""
    try:
        moment = datetime.fromisoformat((data / CLOCK).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def save_moment(data: Path, moment: datetime) -> None:
    (data / CLOCK).write_text(moment.isoformat() + "\n", encoding="utf-8")


def _files_to_import(data: Path, today: date, fresh: bool) -> Filled | None:
    """Where a new register's rows come from, with the files (None: it is filled already)."""
    data.mkdir(parents=True, exist_ok=True)
    if fresh:
        forget(data)
    if database_path(data).exists():
        return None
    files = own_files(data)
    if files:
        return Filled("files", files)
    sample = write_sample(data / SAMPLE, today=today)
    files = {
        ImportKind.UNITS: sample.units,
        ImportKind.PEOPLE: sample.people,
        ImportKind.TASKS: sample.tasks,
    }
    return Filled("sample", files)


async def prepare(data: Path, *, today: date, now: datetime, fresh: bool) -> Filled | None:
    """The register at data/DATABASE, filled on first start; None when it already was."""
    filled = await asyncio.to_thread(_files_to_import, data, today, fresh)
    if filled is None:
        return None
    files = filled.files
    path = database_path(data)
    counts = filled.counts
    db = await Database.open(path)
    try:
        for kind in ImportKind:  # units, then the people in them, then their tasks
            if kind not in files:
                continue
            result = await import_file(db, kind, files[kind], today=today, now=now)
            if not result.ok:
                problems = "; ".join(error.message("vi") for error in result.errors[:5])
                raise ValueError(f"{files[kind]}: {problems}")
            counts[kind] = result.created + result.updated + result.unchanged
    except BaseException:
        await db.close()
        forget(data)  # all or nothing: the next start tries again
        raise
    await db.close()
    return filled


# --- what the room's page reads ---------------------------------------------------------------


async def everyone(db: Database) -> list[Person]:
    """The register's people, role by role (the Office, the leaders, heads, officers)."""
    people: list[Person] = []
    for role in Role:
        people.extend(await people_with_role(db, role))
    return people


async def units_by_id(db: Database) -> dict[int, Unit]:
    return {unit.id: unit for unit in await list_units(db)}
