"""What the workflow shows: a reviewer's card of a report or a request, and a task's history
in pages. Pure: rows, names and a time zone in, Telegram HTML out (values escaped by `t`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from bot.buttons import REVIEW
from bot.formats import cut, format_date
from bot.models import CompletionReport, ExtensionRequest, ImportKind, Task, TaskEvent
from bot.paging import MESSAGE_LIMIT, Page, Row, clamp, paginate, text_length
from bot.texts import Html, plain, t

TITLE_CHARS = 200  # a task title in cards and prompts
CARD_TEXT_CHARS = 1600  # a result, reason or note on a card: two of them fit one message
EVENT_CHARS = 300  # a result or a reason on a history line
HISTORY_ROWS = 30  # events on one page of a history
# Reviewers' buttons: (label key, action of the "rv:<action>:<id>" data, bot.buttons.REVIEW).
Buttons = tuple[tuple[str, str], ...]
REPORT_BUTTONS: Buttons = (("wf.btn.accept", "a"), ("wf.btn.return", "r"))
EXTENSION_BUTTONS: Buttons = (
    ("wf.btn.grant", "g"),
    ("wf.btn.grant_other", "d"),
    ("wf.btn.refuse", "x"),
)
EVENT_KINDS = frozenset(
    (
        "created", "import_changed", "reminded", "escalated", "reported", "returned",
        "completed", "extension_requested", "extension_granted", "extension_refused",
    )
)  # fmt: skip


def short(text: str, limit: int) -> str:
    """`text` cut to `limit` characters as Telegram counts them, lines kept (`cut`)."""
    return cut(text, limit)


def format_moment(at: datetime | None, tz: tzinfo) -> str:
    """`14:05 20/04/2020` in the organisation's time zone ('' for no time)."""
    if at is None:
        return ""
    local = at.astimezone(tz)
    return f"{local:%H:%M} {format_date(local.date())}"


def day_text(value: date | None, lang: str, *, none_key: str | None = None) -> str:
    if value is not None:
        return format_date(value)
    return t(lang, none_key) if none_key else ""


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """A card's text, and its buttons (label, data) while the item waits for a decision."""

    text: Html
    buttons: Buttons = ()


def review_card(
    lang: str,
    item: CompletionReport | ExtensionRequest,
    task: Task,
    *,
    unit_name: str,
    names: Mapping[int, str],
    tz: tzinfo,
    max_extensions: int,
) -> ReviewCard:
    """A report or a request as a reviewer sees it: buttons while it waits, else who decided
    and what."""
    nobody = t(lang, "wf.card.nobody")
    common = {
        "code": task.code,
        "title": short(task.title, TITLE_CHARS),
        "unit": unit_name,
        "person": names.get(item.person_id or 0, nobody),
        "deadline": day_text(task.deadline, lang, none_key="wf.card.no_deadline"),
    }
    decided = {
        "by": names.get(item.decided_by or 0, nobody),
        "at": format_moment(item.decided_at, tz),
        "note": short(item.decision_note, CARD_TEXT_CHARS),
    }
    if isinstance(item, CompletionReport):
        text = t(
            lang, "wf.card.report", **common, at=format_moment(item.reported_at, tz),
            docs=item.reply_doc or t(lang, "wf.card.no_doc"),
            result=short(item.result, CARD_TEXT_CHARS),
        )  # fmt: skip
        if item.file_id:
            text = Html(text + t(lang, "wf.card.file"))
        decided["on"] = format_date(item.reported_on)
        buttons = REPORT_BUTTONS
    else:
        text = t(
            lang, "wf.card.extension", **common, at=format_moment(item.requested_at, tz),
            original=day_text(task.original_deadline, lang), asked=format_date(item.new_deadline),
            reason=short(item.reason, CARD_TEXT_CHARS), count=len(task.extensions),
            max=max_extensions,
        )  # fmt: skip
        decided["date"] = day_text(item.granted_deadline, lang)
        buttons = EXTENSION_BUTTONS
    if item.state != "pending":
        return ReviewCard(Html(text + t(lang, f"wf.state.{item.state}", **decided)))
    labelled = tuple((plain(lang, key), REVIEW.make(action, item.id)) for key, action in buttons)
    return ReviewCard(Html(text + t(lang, "wf.card.waiting")), labelled)


def _iso_day(value: object) -> str:
    """A date kept as ISO text in an event's detail, shown dd/mm/yyyy ('' when missing)."""
    try:
        return format_date(date.fromisoformat(str(value)))
    except ValueError:
        return ""


def event_line(lang: str, event: TaskEvent, names: Mapping[int, str], tz: tzinfo) -> Html:
    """One line of a task's history: when, what (with its detail), who."""
    detail = event.detail
    kind = event.kind
    if kind == "reminded" and detail.get("reminder") == "escalation":
        kind = "escalated"
    if kind == "import_changed":
        what = _imported(lang, detail)
        return t(lang, "wf.history.line", at=format_moment(event.at, tz), what=what, who=Html(""))
    what = t(
        lang, f"wf.event.{kind}" if kind in EVENT_KINDS else "wf.event.other",
        result=short(str(detail.get("result", "")), EVENT_CHARS),
        reason=short(str(detail.get("reason", "")), EVENT_CHARS),
        on=_iso_day(detail.get("completed_on")), date=_iso_day(detail.get("new_deadline")),
        old=_iso_day(detail.get("old_deadline")), new=_iso_day(detail.get("new_deadline")),
        kind=kind,
    )  # fmt: skip
    actor = names.get(event.actor_id or 0)
    who = t(lang, "wf.history.by", name=actor) if actor else ""
    return t(lang, "wf.history.line", at=format_moment(event.at, tz), what=what, who=Html(who))


def _imported(lang: str, detail: Mapping[str, object]) -> Html:
    """What an import changed, field by field, and where from. Events written before the
    merge kept only the fields (column key: [old, new]) and no source."""
    from bot.import_summary import changed_fields  # the importer's columns: only here

    fields = detail.get("fields", detail)
    source = detail.get("source") if "fields" in detail else None
    if not isinstance(fields, Mapping) or not fields:
        return t(lang, "wf.event.import_changed")
    pairs = {key: pair for key, pair in fields.items() if isinstance(pair, list)}
    return t(
        lang, "wf.event.import_merged", fields=changed_fields(lang, ImportKind.TASKS, pairs),
        source=str(source) if source else plain(lang, "import.merge.source_unknown"),
    )  # fmt: skip


def history_page(
    lang: str,
    task: Task,
    events: Sequence[TaskEvent],
    names: Mapping[int, str],
    tz: tzinfo,
    page: int,
) -> Page:
    """Page `page` of a task's history, oldest first, one message long at most."""
    head = t(lang, "wf.history.head", code=task.code, title=short(task.title, TITLE_CHARS))
    rows = [Row(head, event_line(lang, event, names, tz)) for event in events] or [Row(head, "")]
    widest = t(lang, "wf.history.page", page=999, pages=999)
    bodies = paginate(rows, budget=MESSAGE_LIMIT - text_length(widest) - 8, per_page=HISTORY_ROWS)
    page = clamp(page, len(bodies))
    if len(bodies) == 1:
        return Page(Html(bodies[0]), 0, 1)
    marker = t(lang, "wf.history.page", page=page + 1, pages=len(bodies))
    return Page(Html(f"{bodies[page]}\n\n{marker}"), page, len(bodies))
