"""Completion reports, extension requests, decisions and guided dialogues (the rules are
in `bot.workflow`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why something was not done; `key` is the catalogue text shown with `values`."""

    reason: str
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"wf.no.{self.reason}"

    @property
    def mendable(self) -> bool:
        """Whether typing again can mend it (a text or a date), so a dialogue stays open."""
        return self.reason.startswith(("result_", "reason_", "date_"))


class ItemKind(StrEnum):
    """What a reviewer decides on."""

    REPORT = "report"
    EXTENSION = "extension"


@dataclass(frozen=True, slots=True)
class CompletionReport:
    id: int
    task_id: int
    person_id: int | None
    reported_at: datetime
    reported_on: date  # local date: the completion date once accepted
    result: str
    reply_doc: str = ""  # số, ký hiệu văn bản trả lời (", "-joined when several)
    file_id: str | None = None
    file_kind: str | None = None  # "document" | "photo"
    state: str = "pending"  # pending | accepted | returned
    decided_by: int | None = None
    decided_at: datetime | None = None
    decision_note: str = ""


@dataclass(frozen=True, slots=True)
class ExtensionRequest:
    id: int
    task_id: int
    person_id: int | None
    requested_at: datetime
    requested_on: date
    old_deadline: date | None
    new_deadline: date
    reason: str
    state: str = "pending"  # pending | granted | refused | withdrawn
    granted_deadline: date | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    decision_note: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """What became of a report or a request after a reviewer acted.

    `taken` is False when someone decided before (or the item was withdrawn): then
    `state`, `decided_by` and `decided_at` say what stands.
    """

    taken: bool
    state: str
    decided_by: int | None = None
    decided_at: datetime | None = None
    withdrawn: tuple[int, ...] = ()  # extension requests closed by this decision


class Step(StrEnum):
    """What a dialogue waits for next."""

    DONE_RESULT = "done_result"  # the officer's result (text, maybe with a file)
    EXTEND_DATE = "extend_date"  # the date asked for, maybe with the reason
    EXTEND_REASON = "extend_reason"  # the reason, the date being known
    RETURN_REASON = "return_reason"  # the reviewer's reason to return a report
    GRANT_DATE = "grant_date"  # the reviewer's other date
    REFUSE_REASON = "refuse_reason"  # the reviewer's reason to refuse a request


@dataclass(frozen=True, slots=True)
class Dialogue:
    """A guided exchange in progress, kept in the database so that a restart keeps it."""

    person_id: int
    chat_id: int
    step: Step
    started_at: datetime
    expires_at: datetime
    task_id: int | None = None
    item_id: int | None = None  # the report or extension request a reviewer decides on
    data: Mapping[str, object] = field(default_factory=dict)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at
