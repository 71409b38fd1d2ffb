"""The register's rows, as the rules and the handlers see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # the Office (Văn phòng)
    LEADER = "leader"  # Chủ tịch, Phó Chủ tịch
    HEAD = "head"  # Thủ trưởng đơn vị
    OFFICER = "officer"  # chuyên viên, cán bộ đầu mối


class ReportState(StrEnum):
    """Where a task's latest completion report stands (None: no open report)."""

    PENDING = "pending"  # chờ duyệt
    RETURNED = "returned"  # trả lại, yêu cầu phúc đáp lại


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    code: str
    name: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    code: str
    name: str
    role: Role
    unit_id: int | None = None
    phone: str = ""
    telegram_id: int | None = None
    language: str = "vi"


@dataclass(frozen=True, slots=True)
class Task:
    """One assigned task. Status is never stored: see `bot.status`."""

    id: int
    code: str
    title: str
    lead_unit_id: int
    assigned_on: date
    original_deadline: date | None = None
    deadline: date | None = None  # in force: the original or the last granted extension
    completed_on: date | None = None  # the day the unit reported, once the Office accepted
    extended_on: date | None = None  # the day the last extension was granted
    doc_number: str = ""  # số, ký hiệu văn bản
    doc_date: date | None = None
    content: str = ""
    assigner: str = ""  # a leader's person code, or the assigning body ("UBND tỉnh")
    assigner_id: int | None = None
    officer_id: int | None = None
    report_state: ReportState | None = None
    cooperating_unit_ids: tuple[int, ...] = ()
    # Extensions granted so far, oldest first: what the deadline was on an earlier day.
    extensions: tuple[DeadlineChange, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class DeadlineChange:
    """A granted extension: the original deadline is never overwritten."""

    task_id: int
    old_deadline: date | None
    new_deadline: date | None
    granted_on: date
    reason: str = ""
    decided_by: int | None = None


@dataclass(frozen=True, slots=True)
class TaskEvent:
    """One line of a task's history: who did what, when."""

    id: int
    task_id: int
    at: datetime
    kind: str
    actor_id: int | None = None
    detail: dict[str, object] = field(default_factory=dict)
