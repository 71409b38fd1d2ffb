"""An import's records and their catalogue: the register as an import sees it, the plan of
what a file changes and the merge's result (`bot.importer` reads, checks and merges files;
storage/importing.py writes them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.models.people import Role

Value = str | date | None


class Prefer(StrEnum):
    """Whose value a conflict keeps."""

    REGISTER = "register"
    FILE = "file"


@dataclass(frozen=True, slots=True)
class Conflict:
    """One field both sides changed: the three values and whose was kept."""

    code: str
    field: str  # the column key (bot.importer's TASK_COLUMNS and the others)
    base: Value
    register: Value
    file: Value
    kept: Prefer


class ImportKind(StrEnum):
    UNITS = "units"
    PEOPLE = "people"
    TASKS = "tasks"


@dataclass(frozen=True, slots=True)
class UnitRecord:
    code: str
    name: str
    kind: str = ""
    id: int | None = None  # None: not in the register yet


@dataclass(frozen=True, slots=True)
class PersonRecord:
    code: str
    name: str
    role: Role
    unit_id: int | None = None
    phone: str = ""
    telegram_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class TaskRecord:
    code: str
    title: str
    lead_unit_id: int
    assigned_on: date
    doc_number: str = ""
    doc_date: date | None = None
    content: str = ""
    assigner: str = ""  # a leader's person code, or the assigning body ("UBND tỉnh")
    assigner_id: int | None = None
    cooperating_unit_ids: tuple[int, ...] = ()  # ascending
    officer_id: int | None = None
    original_deadline: date | None = None
    deadline: date | None = None
    completed_on: date | None = None
    id: int | None = None
    extended_on: date | None = None  # the register's; an import does not set it directly


Record = TypeVar("Record", UnitRecord, PersonRecord, TaskRecord)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a record kind's fields, read once


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


def record_from(row: object, kind: type[Record], **values: Any) -> Record:
    """A record from a row of bot.models (Unit, Person, Task): the fields they share by name."""
    shared: dict[str, Any] = {name: getattr(row, name) for name in _field_names(kind)}
    return kind(**(shared | values) if values else shared)


def casefold_index(codes: Iterable[str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for code in codes:
        index.setdefault(code.casefold(), code)
    return index


def _find(records: Mapping[str, Record], folded: Mapping[str, str], code: str) -> Record | None:
    found = records.get(code)
    if found is None and (exact := folded.get(code.casefold())):
        found = records[exact]
    return found


@dataclass
class Catalog:
    """The register as an import sees it: every unit, person and task by code."""

    units: dict[str, UnitRecord] = field(default_factory=dict)
    people: dict[str, PersonRecord] = field(default_factory=dict)
    tasks: dict[str, TaskRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._unit_codes = {u.id: code for code, u in self.units.items()}
        self._person_codes = {p.id: code for code, p in self.people.items()}
        self._units_folded = casefold_index(self.units)
        self._people_folded = casefold_index(self.people)
        self._tasks_folded = casefold_index(self.tasks)

    def unit(self, code: str) -> UnitRecord | None:
        """The unit of this code, written in any case ("syt" finds "SYT")."""
        return _find(self.units, self._units_folded, code)

    def person(self, code: str) -> PersonRecord | None:
        return _find(self.people, self._people_folded, code)

    def task(self, code: str) -> TaskRecord | None:
        return _find(self.tasks, self._tasks_folded, code)

    def unit_code(self, unit_id: int | None) -> str:
        return "" if unit_id is None else self._unit_codes.get(unit_id, "")

    def person_code(self, person_id: int | None) -> str:
        return "" if person_id is None else self._person_codes.get(person_id, "")


@dataclass(frozen=True, slots=True)
class Change(Generic[Record]):
    old: Record
    new: Record
    fields: dict[str, list[str | None]]  # column key: [old, new], as the history keeps it


@dataclass(frozen=True, slots=True)
class Plan(Generic[Record]):
    create: list[Record]
    update: list[Change[Record]]
    unchanged: int


@dataclass(frozen=True, slots=True)
class RowChange:
    """The fields an import changes in one row of the register: column key -> (old, new)."""

    code: str
    fields: Mapping[str, tuple[Value, Value]]


# The merge made again with the rows the register holds now (by code), at write time.
Recheck = Callable[[Mapping[str, Record]], "Merged[Record]"]


@dataclass(frozen=True, slots=True)
class Merged(Generic[Record]):
    """A plan merged with the register, what it kept and where it disagreed, and the bases
    to remember: (code, encoded cells) of the rows whose base changes."""

    plan: Plan[Record]
    kept: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    bases: list[tuple[str, str]] = field(default_factory=list)
