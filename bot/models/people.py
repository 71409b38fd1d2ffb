"""Units, people and their invites, as the rules, the handlers and storage see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # the Office (Văn phòng)
    LEADER = "leader"  # Chủ tịch, Phó Chủ tịch
    HEAD = "head"  # Thủ trưởng đơn vị
    OFFICER = "officer"  # chuyên viên, cán bộ đầu mối


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
class NewInvite:
    code: str
    digest: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Invite:
    """A stored invite (the code itself is never stored)."""

    id: int
    person_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountLink:
    """What linking a Telegram account to a person changed: the person's earlier account and
    the account's earlier person."""

    person_id: int
    telegram_id: int
    previous_telegram_id: int | None
    previous_person_id: int | None

    @property
    def changed(self) -> bool:
        return self.previous_telegram_id != self.telegram_id


class InviteState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"  # forged, mistyped, or never issued
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"  # revoked by the Office, or replaced by a newer invite
