"""Submitting and deciding: a completion report or an extension request filed, and the
Office's decisions on them, each with the outbox rows it stores in its own transaction
(the reviewers' cards of a new item, the notices of a decision). Checked again inside the
transaction against the task as it is then (a refusal comes back, nothing changes); a
decision takes effect once (`Decision.taken`). Telling the sender and editing the cards
is the caller's (handlers/workflow.py). Also the reads the dialogues and /review need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.context import Services
from bot.formats import format_date
from bot.models import (
    CompletionReport,
    Decision,
    Dialogue,
    ExtensionRequest,
    ItemKind,
    Person,
    Refusal,
    Task,
)
from bot.services.review import concerned, notices, review_cards
from bot.workflow import (
    clean_text,
    document_numbers,
    extension_refusal,
    new_deadline_refusal,
    report_refusal,
    text_refusal,
)
from bot.workflow_views import TITLE_CHARS, short
from storage import workflow as store
from storage.db import Database
from storage.register import get_person


async def submit_report(
    services: Services, task: Task, person: Person, result: str, file: tuple[str, str] | None
) -> tuple[CompletionReport, Decision | None] | Refusal:
    """File the report; with review on, put it before the Office's admins."""
    settings = services.settings.workflow
    result = clean_text(result)

    def check(current: Task) -> Refusal | None:
        return report_refusal(person, current) or text_refusal(
            result, what="result", max_length=settings.max_text_length
        )

    numbers = document_numbers(result)
    return await store.submit_report(
        services.db, task_id=task.id, person_id=person.id, now=services.clock.now(),
        today=services.clock.today(), result=result, reply_doc=", ".join(numbers),
        file_id=None if file is None else file[0], file_kind=None if file is None else file[1],
        review=settings.review_completion, check=check,
        cards=await review_cards(services, ItemKind.REPORT, task),
    )  # fmt: skip


async def request_extension(
    services: Services, task: Task, person: Person, new_deadline: date, reason: str
) -> ExtensionRequest | Refusal:
    """File the request and put it before its reviewers."""
    settings = services.settings.workflow
    today, reason = services.clock.today(), clean_text(reason)

    def check(current: Task, request_open: bool) -> Refusal | None:
        return extension_refusal(
            person, current, new_deadline=new_deadline, reason=reason, today=today,
            settings=settings, calendar=services.calendar, request_open=request_open,
        )  # fmt: skip

    return await store.request_extension(
        services.db, task_id=task.id, person_id=person.id, now=services.clock.now(),
        today=today, new_deadline=new_deadline, reason=reason, check=check,
        cards=await review_cards(services, ItemKind.EXTENSION, task),
    )  # fmt: skip


async def accept_report(
    services: Services, report: CompletionReport, task: Task, *, by: Person
) -> Decision:
    """Accept the report (the task is completed on its day); the reporter is told."""
    reporter = await get_person(services.db, id=report.person_id) if report.person_id else None
    told = notices(services, [reporter], "wf.notify.accepted", task=task, item_id=report.id,
                   code=task.code, title=short(task.title, TITLE_CHARS),
                   on=format_date(report.reported_on))  # fmt: skip
    return await store.accept_report(
        services.db, report_id=report.id, person_id=by.id, now=services.clock.now(),
        notices=told,
    )  # fmt: skip


async def grant_extension(
    services: Services, request: ExtensionRequest, task: Task, *, by: Person, new_deadline: date
) -> Decision | Refusal:
    """Grant `request` (on `task`, as the caller read it) with `new_deadline`; the one who
    asked and the lead unit's heads are told."""
    today, settings = services.clock.today(), services.settings.workflow

    def check(current: Task) -> Refusal | None:
        return new_deadline_refusal(current.deadline, new_deadline, today=today, settings=settings)

    asker_and_heads = await concerned(services, request.person_id, task)
    told = notices(
        services, asker_and_heads, "wf.notify.granted",
        task=task, item_id=request.id, code=task.code, title=short(task.title, TITLE_CHARS),
        date=format_date(new_deadline), old=format_date(task.deadline) if task.deadline else "",
        asked=format_date(request.new_deadline),
    )  # fmt: skip
    return await store.grant_extension(
        services.db, request_id=request.id, person_id=by.id, now=services.clock.now(),
        today=today, new_deadline=new_deadline, check=check, notices=told,
    )  # fmt: skip


async def decide_with_reason(
    services: Services,
    item: CompletionReport | ExtensionRequest,
    task: Task,
    *,
    by: Person,
    reason: str,
) -> Decision:
    """Return a report, or refuse a request, for `reason` (already checked); the reporter,
    or the one who asked and the lead unit's heads, are told."""
    now = services.clock.now()
    values = {
        "code": task.code, "title": short(task.title, TITLE_CHARS), "reason": reason,
        "deadline": format_date(task.deadline) if task.deadline else "",
    }  # fmt: skip
    if isinstance(item, CompletionReport):
        reporter = await get_person(services.db, id=item.person_id) if item.person_id else None
        told = notices(services, [reporter], "wf.notify.returned", task=task,
                       item_id=item.id, **values)  # fmt: skip
        return await store.return_report(
            services.db, report_id=item.id, person_id=by.id, now=now, reason=reason,
            notices=told,
        )  # fmt: skip
    told = notices(services, await concerned(services, item.person_id, task),
                   "wf.notify.refused", task=task, item_id=item.id, **values)  # fmt: skip
    return await store.refuse_extension(
        services.db, request_id=item.id, person_id=by.id, now=now, reason=reason,
        notices=told,
    )  # fmt: skip


# --- open requests, dialogues and the review queue ------------------------------------------


async def open_request(db: Database, task_id: int) -> ExtensionRequest | None:
    """The task's extension request still waiting for a decision, if any."""
    return await store.open_request(db, task_id)


async def request_by_id(db: Database, request_id: int) -> ExtensionRequest | None:
    return await store.get_request(db, request_id)


async def save_dialogue(db: Database, dialogue: Dialogue) -> None:
    """Start (or replace) the person's dialogue: the bot's question waiting for an answer."""
    await store.save_dialogue(db, dialogue)


async def dialogue_of(db: Database, person_id: int) -> Dialogue | None:
    """The person's dialogue, if one waits (expired ones too: the caller says so)."""
    return await store.get_dialogue(db, person_id)


async def end_dialogue(db: Database, person_id: int) -> None:
    await store.end_dialogue(db, person_id)


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """/review: the oldest items waiting for a decision (at most `limit`, reports and
    requests together, oldest first) and how many wait in all."""

    waiting: list[tuple[ItemKind, int]]
    count: int


async def review_queue(db: Database, *, limit: int) -> ReviewQueue:
    reports = await store.pending_reports(db, limit=limit)
    requests = await store.pending_requests(db, limit=limit)
    waiting = sorted(
        [(r.reported_at, ItemKind.REPORT, r.id) for r in reports]
        + [(r.requested_at, ItemKind.EXTENSION, r.id) for r in requests]
    )[:limit]
    if not waiting:
        return ReviewQueue([], 0)
    return ReviewQueue(
        [(kind, item_id) for _, kind, item_id in waiting], await store.pending_count(db)
    )
