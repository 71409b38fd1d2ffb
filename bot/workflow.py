"""The rules of completion reports and extension requests (docs/DOMAIN.md, "The workflow").

Pure functions over rows and a `today`: what a report or a request must satisfy, who reviews
it, and the numbers of reply documents found in a result. Each refusal is a `Refusal`
whose reason names the catalogue text (`wf.no.<reason>`) the user is shown.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from bot.access import may_report
from bot.models import ItemKind, Person, Refusal, ReportState, Role, Task

if TYPE_CHECKING:
    from bot.config import WorkflowSettings
    from bot.workdays import WorkCalendar

# A document number (số, ký hiệu văn bản): `123/BC-SNV`, `45/QĐ-UBND`, `12/2020/TT-BTC`,
# `01/CT-TTg`: a number, maybe a year, then the kind and the issuer joined by hyphens.
DOCUMENT_NUMBER = re.compile(
    r"(?<![\w/])\d{1,6}(?:/(?:19|20)\d\d)?/[^\W\d_]{1,10}(?:-[^\W_]{1,15})+(?![\w/-])"
)


# --- reply documents -----------------------------------------------------------------------


def document_numbers(text: str) -> tuple[str, ...]:
    """The document numbers named in a result, in order, each once."""
    found: dict[str, None] = {}
    for match in DOCUMENT_NUMBER.finditer(text):
        found.setdefault(match.group(0), None)
    return tuple(found)


# --- texts ---------------------------------------------------------------------------------


def clean_text(text: str | None) -> str:
    """A user's text with surrounding blanks removed (inner lines kept)."""
    return (text or "").strip()


def text_refusal(text: str, *, what: str, max_length: int, min_words: int = 0) -> Refusal | None:
    """A result or a reason must be there, within the cap, with enough words.

    `what` is "result" or "reason" (the refusal reasons are `<what>_empty`, `<what>_long`,
    `<what>_short`).
    """
    text = clean_text(text)
    if not text:
        return Refusal(f"{what}_empty")
    if len(text) > max_length:
        return Refusal(f"{what}_long", {"cap": max_length, "length": len(text)})
    if min_words and len(text.split()) < min_words:
        return Refusal(f"{what}_short", {"words": min_words})
    return None


# --- completion reports --------------------------------------------------------------------


def report_refusal(person: Person, task: Task) -> Refusal | None:
    """Whether `person` may report completion of `task` now."""
    return _reporter_refusal(person, task) or (
        Refusal("report_pending") if task.report_state is ReportState.PENDING else None
    )


def _reporter_refusal(person: Person, task: Task) -> Refusal | None:
    if task.completed_on is not None:
        return Refusal("completed", {"on": task.completed_on})
    if may_report(person, task):
        return None
    if person.role in (Role.HEAD, Role.OFFICER) and person.unit_id != task.lead_unit_id:
        return Refusal("other_unit")
    return Refusal("not_reporter")


def may_review_report(person: Person) -> bool:
    """The Office's admins accept or return completion reports."""
    return person.role is Role.ADMIN


# --- extension requests --------------------------------------------------------------------


def last_day_to_ask(deadline: date, settings: WorkflowSettings, calendar: WorkCalendar) -> date:
    """Requests are taken up to `extend_until` working days before the deadline."""
    if settings.extend_until == 0:
        return deadline
    return calendar.add_working_days(deadline, -settings.extend_until)


def extension_task_refusal(
    person: Person,
    task: Task,
    *,
    today: date,
    settings: WorkflowSettings,
    calendar: WorkCalendar,
    request_open: bool,
) -> Refusal | None:
    """Whether `person` may ask for more time on `task` today, whatever the date asked."""
    refusal = _reporter_refusal(person, task)
    if refusal is not None:
        return refusal
    if task.deadline is None:
        return Refusal("no_deadline")
    if request_open:
        return Refusal("request_open")
    if len(task.extensions) >= settings.max_extensions:
        return Refusal("too_many", {"count": settings.max_extensions})
    last_day = last_day_to_ask(task.deadline, settings, calendar)
    if today > last_day:
        return Refusal("too_late", {"last_day": last_day, "deadline": task.deadline})
    return None


def new_deadline_refusal(
    deadline: date | None, new_deadline: date, *, today: date, settings: WorkflowSettings
) -> Refusal | None:
    """A new deadline (asked for, or set by a reviewer) must be later than the current one,
    not in the past, and at most `max_extension_days` after the current one."""
    if new_deadline < today:
        return Refusal("date_past", {"date": new_deadline, "today": today})
    if deadline is None:
        return None
    if new_deadline <= deadline:
        return Refusal("date_not_later", {"date": new_deadline, "deadline": deadline})
    days = (new_deadline - deadline).days
    if days > settings.max_extension_days:
        return Refusal("date_too_far", {"days": settings.max_extension_days, "deadline": deadline})
    return None


def extension_refusal(
    person: Person,
    task: Task,
    *,
    new_deadline: date,
    reason: str,
    today: date,
    settings: WorkflowSettings,
    calendar: WorkCalendar,
    request_open: bool,
) -> Refusal | None:
    """Every rule of an extension request, the first broken one returned."""
    return (
        extension_task_refusal(
            person, task, today=today, settings=settings, calendar=calendar,
            request_open=request_open,
        )
        or new_deadline_refusal(task.deadline, new_deadline, today=today, settings=settings)
        or text_refusal(
            reason, what="reason", max_length=settings.max_text_length,
            min_words=settings.min_reason_words,
        )
    )  # fmt: skip


def may_review_extension(person: Person, task: Task, *, leaders_review: bool) -> bool:
    """The Office's admins; with `leaders_review_extensions`, the leader who assigned it."""
    if person.role is Role.ADMIN:
        return True
    return leaders_review and person.role is Role.LEADER and task.assigner_id == person.id


def may_review(person: Person, kind: ItemKind, task: Task, *, leaders_review: bool) -> bool:
    if kind is ItemKind.REPORT:
        return may_review_report(person)
    return may_review_extension(person, task, leaders_review=leaders_review)


# --- commands ------------------------------------------------------------------------------


def split_word(text: str) -> tuple[str, str]:
    """The first word of a text and the rest (both stripped)."""
    parts = clean_text(text).split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def looks_like_code(word: str) -> bool:
    """Whether a word was meant as a task code (`NV-2020-0345`): it starts with a letter and
    holds a digit (a result's first word rarely does)."""
    return re.fullmatch(r"[^\W\d_][\w.-]*\d[\w.-]*", word) is not None


# --- guided dialogues ----------------------------------------------------------------------
