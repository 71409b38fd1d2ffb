"""What the bot shows about tasks: the /tasks list in pages and the /task card. Pure:
rows and a day in, Telegram HTML out (every value escaped through `bot.texts.t`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from enum import StrEnum

from bot.formats import format_date, format_int
from bot.models import Person, ReportState, Task, TaskEvent, Unit
from bot.paging import MESSAGE_LIMIT, Row, paginate, text_length
from bot.status import Status, days_overdue, deadline_on, status_on
from bot.texts import Html, t
from bot.workflow_views import event_line

TASKS_PER_PAGE = 25
LIST_TITLE_LIMIT = 90  # characters of a title on a list line
CARD_TITLE_LIMIT = 600
CARD_CONTENT_LIMIT = 2000
CARD_EVENTS = 5


class Group(StrEnum):
    """The sections of /tasks, in the order shown."""

    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"
    LATER = "later"
    NO_DEADLINE = "no_deadline"


ORDER = {group: index for index, group in enumerate(Group)}


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def group_of(task: Task, today: date, soon_days: int) -> Group:
    """Where an open task goes on /tasks as of `today`."""
    deadline = deadline_on(task, today)
    if deadline is None:
        return Group.NO_DEADLINE
    if status_on(task, today) is Status.OPEN_OVERDUE:
        return Group.OVERDUE
    if deadline == today:
        return Group.DUE_TODAY
    if (deadline - today).days <= soon_days:
        return Group.DUE_SOON
    return Group.LATER


def _note(lang: str, task: Task) -> Html:
    if task.report_state is ReportState.PENDING:
        return t(lang, "tasks.note.pending")
    if task.report_state is ReportState.RETURNED:
        return t(lang, "tasks.note.returned")
    return Html("")


def task_line(lang: str, task: Task, today: date) -> Html:
    """`• NV-2020-0345 Báo cáo … — hạn 15/04/2020, quá hạn 3 ngày`."""
    title = shorten(task.title, LIST_TITLE_LIMIT)
    note = _note(lang, task)
    if task.deadline is None:
        return t(lang, "tasks.line_no_deadline", code=task.code, title=title, note=note)
    overdue = days_overdue(task, today)
    key = "tasks.line_overdue" if overdue else "tasks.line"
    return t(
        lang,
        key,
        code=task.code,
        title=title,
        deadline=format_date(task.deadline),
        days=format_int(overdue, lang),
        note=note,
    )


def task_rows(lang: str, tasks: Sequence[Task], today: date, soon_days: int) -> list[Row]:
    """The /tasks rows: by section, then by deadline (the most overdue first), then code."""
    placed = sorted(
        ((group_of(task, today, soon_days), task) for task in tasks),
        key=lambda pair: (ORDER[pair[0]], pair[1].deadline or date.max, pair[1].code),
    )
    headers = {
        group: t(lang, f"tasks.group.{group.value}", days=format_int(soon_days, lang))
        for group in Group
    }
    return [Row(headers[group], task_line(lang, task, today)) for group, task in placed]


@dataclass(frozen=True, slots=True)
class ListPage:
    text: Html
    page: int  # 0-based, clamped to the pages there are
    pages: int


def task_list_page(
    lang: str, name: str, tasks: Sequence[Task], today: date, soon_days: int, page: int
) -> ListPage:
    """Page `page` of a person's open tasks, one message long at most."""
    if not tasks:
        return ListPage(t(lang, "tasks.none"), 0, 1)
    header = t(lang, "tasks.header", name=name, count=format_int(len(tasks), lang))
    footer = t(lang, "tasks.footer")
    widest_marker = t(lang, "tasks.page", page=999, pages=999)
    budget = MESSAGE_LIMIT - text_length(header + widest_marker + footer) - 8
    bodies = paginate(
        task_rows(lang, tasks, today, soon_days),
        budget=budget,
        per_page=TASKS_PER_PAGE,
        continued=lambda section: t(lang, "tasks.continued", header=Html(section)),
    )
    page = max(0, min(page, len(bodies) - 1))
    parts: list[str] = [header]
    if len(bodies) > 1:
        parts[0] += " · " + t(lang, "tasks.page", page=page + 1, pages=len(bodies))
    parts += ["", bodies[page], "", footer]
    return ListPage(Html("\n".join(parts)), page, len(bodies))


# --- the task card --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskCard:
    """A task with the names its card shows."""

    task: Task
    lead_unit: Unit | None = None
    cooperating: tuple[Unit, ...] = ()
    officer: Person | None = None
    assigner: str = ""  # a leader's name, or the assigning body as registered
    events: tuple[TaskEvent, ...] = ()  # the last few, oldest first
    names: Mapping[int, str] = field(default_factory=dict)  # the actors' names, by person id


def status_text(lang: str, task: Task, today: date) -> str:
    """The task's status as of `today`, in words ("chưa hoàn thành, quá hạn 3 ngày")."""
    status = status_on(task, today)
    if status is Status.OPEN_OVERDUE:
        overdue = format_int(days_overdue(task, today), lang)
        words = t(lang, "card.status.open_overdue", days=overdue)
    elif status is Status.OPEN_IN_TIME and task.deadline == today:
        words = t(lang, "card.status.due_today")
    elif status is Status.OPEN_IN_TIME and task.deadline is not None:
        left = (task.deadline - today).days
        words = t(lang, "card.status.due_soon", days=format_int(left, lang))
    else:
        words = t(lang, f"card.status.{status.value}")
    if not status.completed and task.report_state is not None:
        words = t(lang, f"card.status.{task.report_state.value}", status=words)
    return words


def task_card(lang: str, card: TaskCard, today: date, tz: tzinfo) -> Html:
    """One task in full, at most one message long (the content is cut if need be)."""
    content_limit = CARD_CONTENT_LIMIT
    while True:
        text = _card(lang, card, today, tz, content_limit)
        if text_length(text) <= MESSAGE_LIMIT or content_limit <= 0:
            return text
        content_limit -= max(100, text_length(text) - MESSAGE_LIMIT)


def _card(lang: str, card: TaskCard, today: date, tz: tzinfo, content_limit: int) -> Html:
    task = card.task
    lines: list[str] = [
        t(lang, "card.title", code=task.code, title=shorten(task.title, CARD_TITLE_LIMIT))
    ]
    if task.doc_number and task.doc_date:
        lines.append(
            t(lang, "card.doc_dated", number=task.doc_number, date=format_date(task.doc_date))
        )
    elif task.doc_number:
        lines.append(t(lang, "card.doc", number=task.doc_number))
    if task.content and content_limit > 0:
        lines.append(t(lang, "card.content", content=shorten(task.content, content_limit)))
    if card.assigner:
        lines.append(t(lang, "card.assigner", assigner=card.assigner))
    lines.append(t(lang, "card.assigned_on", date=format_date(task.assigned_on)))
    if card.lead_unit is not None:
        lines.append(t(lang, "card.lead", unit=card.lead_unit.name))
    if card.cooperating:
        names = "; ".join(unit.name for unit in card.cooperating)
        lines.append(t(lang, "card.cooperating", units=names))
    if card.officer is not None:
        lines.append(t(lang, "card.officer", name=card.officer.name))
    else:
        lines.append(t(lang, "card.no_officer"))
    if task.deadline is None:
        lines.append(t(lang, "card.no_deadline"))
    else:
        lines.append(t(lang, "card.deadline", date=format_date(task.deadline)))
        if task.original_deadline is not None and task.original_deadline != task.deadline:
            lines.append(
                t(lang, "card.original_deadline", date=format_date(task.original_deadline))
            )
    if task.completed_on is not None:
        lines.append(t(lang, "card.completed_on", date=format_date(task.completed_on)))
    lines.append(t(lang, "card.status", status=Html(status_text(lang, task, today))))
    if card.events:
        lines += ["", t(lang, "card.events")]
        lines += [event_line(lang, e, card.names, tz) for e in card.events[-CARD_EVENTS:]]
    return Html("\n".join(lines))
