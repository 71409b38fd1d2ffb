"""What the bot shows about tasks: the /tasks list in pages and the /task card. Pure:
rows and a day in, Telegram HTML out (every value escaped through `bot.texts.t`)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache, partial
from operator import itemgetter
from string import Formatter

from bot.formats import format_date, format_int
from bot.models import ListedTask, Person, ReportState, Task, TaskEvent, Unit
from bot.paging import MESSAGE_LIMIT, Page, Row, clamp, page_spans, render_page, text_length
from bot.status import Status, days_overdue, deadline_on, status_on
from bot.texts import Html, t, template
from bot.workflow_views import event_line, short

TASKS_PER_PAGE = 25
LIST_TITLE_LIMIT = 90  # characters of a title on a list line
CARD_TITLE_LIMIT = 600
CARD_CONTENT_LIMIT = 2000
CARD_EVENTS = 5
_FIELDS = Formatter()
_DATE_LENGTH = len(format_date(date.max))  # dd/mm/yyyy, every date


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
    return short(" ".join(text.split()), limit)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def listed(task: Task, today: date) -> ListedTask:
    """An open task as /tasks lists it on `today`."""
    state = None if task.report_state is None else task.report_state.value
    in_force = _iso(deadline_on(task, today))
    return ListedTask(task.code, task.title, _iso(task.deadline), in_force, state)


def group_of(task: ListedTask, today: date, soon_days: int) -> Group:
    """Where an open task goes on /tasks as of `today` (the day it was listed on)."""
    deadline = task.in_force
    if deadline is None:
        return Group.NO_DEADLINE
    day = today.isoformat()
    if deadline < day:  # open, past the deadline in force: `Status.OPEN_OVERDUE`
        return Group.OVERDUE
    if deadline == day:
        return Group.DUE_TODAY
    if deadline <= (today + timedelta(days=soon_days)).isoformat():
        return Group.DUE_SOON
    return Group.LATER


def _note(lang: str, state: str | None) -> Html:
    if state == ReportState.PENDING.value:
        return t(lang, "tasks.note.pending")
    if state == ReportState.RETURNED.value:
        return t(lang, "tasks.note.returned")
    return Html("")


@lru_cache(maxsize=1024)  # the lines of the pages last shown (paging, /tasks again)
def task_line(lang: str, task: ListedTask, today: date) -> Html:
    """`• NV-2020-0345 Báo cáo … — hạn 15/04/2020, quá hạn 3 ngày`."""
    title = shorten(task.title, LIST_TITLE_LIMIT)
    note = _note(lang, task.report_state)
    if task.deadline is None:
        return t(lang, "tasks.line_no_deadline", code=task.code, title=title, note=note)
    overdue = task.days_overdue(today)
    key = "tasks.line_overdue" if overdue else "tasks.line"
    return t(
        lang,
        key,
        code=task.code,
        title=title,
        deadline=format_date(date.fromisoformat(task.deadline)),
        days=format_int(overdue, lang),
        note=note,
    )


# The fields of the three kinds of line, each used once (else lines are measured rendered).
_LINE_FIELDS = {
    "tasks.line_no_deadline": {"code", "title", "note"},
    "tasks.line": {"code", "title", "deadline", "note"},
    "tasks.line_overdue": {"code", "title", "deadline", "days", "note"},
}


def _fixed_length(lang: str, key: str) -> int | None:
    """The length of the text `key` with empty values, when its fields are those of
    `_LINE_FIELDS`, each once and plain (so that a line's length is this plus its values')."""
    text = template(lang, key)
    found = [(name, spec, conv) for _, name, spec, conv in _FIELDS.parse(text) if name is not None]
    names = [name for name, _, _ in found]
    if len(names) != len(_LINE_FIELDS[key]) or set(names) != _LINE_FIELDS[key]:
        return None
    if any(spec or conv for _, spec, conv in found):
        return None
    return text_length(text.format(**dict.fromkeys(names, "")))


@lru_cache(maxsize=4096)
def _code_title_length(code: str, title: str) -> int:
    """The length of a line's code and title as `t()` puts them in (shortened, escaped)."""
    # Escaping and UTF-16 lengths add over joined text.
    return text_length(html.escape(code + shorten(title, LIST_TITLE_LIMIT), quote=False))


_Known = tuple[int, str, Group, int | None]  # a section's place, deadline key, section, tail
_NO_DEADLINE_LAST = date.max.isoformat()


def placed_lines(
    lang: str, tasks: Sequence[ListedTask], today: date, soon_days: int
) -> list[tuple[Group, ListedTask, int]]:
    """The tasks by section, then by deadline (the most overdue first), then code, each with
    its section and the length of its line, `text_length(task_line(lang, task, today))`, had
    without rendering the line: /tasks pages a list of hundreds by these and renders only the
    page shown. One pass (a head's list has hundreds of tasks; many share a deadline)."""
    no_deadline, in_time, overdue = (_fixed_length(lang, key) for key in _LINE_FIELDS)
    states = (None, *(state.value for state in ReportState))
    notes = {state: text_length(_note(lang, state)) for state in states}
    known: dict[tuple[str | None, str | None], _Known] = {}
    keyed = []
    for task in tasks:
        found = known.get((task.deadline, task.in_force))
        if found is None:
            group = group_of(task, today, soon_days)
            # What follows the code and title: the same for the tasks of these deadlines.
            tail: int | None
            if no_deadline is None or in_time is None or overdue is None:
                tail = None  # the lines are measured rendered, below
            elif task.deadline is None:
                tail = no_deadline
            elif group is Group.OVERDUE:  # the same as task.days_overdue(today) > 0
                days = format_int(task.days_overdue(today), lang)  # ASCII, nothing escaped
                tail = _DATE_LENGTH + overdue + len(days)
            else:
                tail = _DATE_LENGTH + in_time
            found = (ORDER[group], task.deadline or _NO_DEADLINE_LAST, group, tail)
            known[task.deadline, task.in_force] = found
        rank, deadline, group, tail = found
        if tail is None:
            length = text_length(task_line(lang, task, today))
        else:
            length = _code_title_length(task.code, task.title) + notes[task.report_state] + tail
        keyed.append((rank, deadline, task.code, group, task, length))
    keyed.sort(key=_SECTION_DEADLINE_CODE)
    return [(group, task, length) for _, _, _, group, task, length in keyed]


_SECTION_DEADLINE_CODE = itemgetter(0, 1, 2)


def _continued(lang: str, section: str) -> str:
    return t(lang, "tasks.continued", header=Html(section))


@lru_cache(maxsize=16)
def _layout(
    lang: str, tasks: tuple[ListedTask, ...], today: date, soon_days: int, budget: int
) -> tuple[list[tuple[Group, ListedTask, int]], list[range], dict[Group, Html]]:
    """The list in order, its pages and its section headers. Kept for the same list: paging
    through it (◀ ▶) reads the tasks again but lays them out once. Shared: never changed."""
    placed = placed_lines(lang, tasks, today, soon_days)
    days = format_int(soon_days, lang)
    headers = {group: t(lang, f"tasks.group.{group.value}", days=days) for group in Group}
    spans = page_spans(
        [headers[group] for group, _, _ in placed],
        [length for _, _, length in placed],
        budget=budget,
        per_page=TASKS_PER_PAGE,
        continued=partial(_continued, lang),
    )
    return placed, spans, headers


def task_list_page(
    lang: str, name: str, tasks: Sequence[ListedTask], today: date, soon_days: int, page: int
) -> Page:
    """Page `page` of a person's open tasks as listed on `today`, one message long at most.
    The list is paged by the lengths of its lines (`placed_lines`): only the lines of that
    page are rendered."""
    if not tasks:
        return Page(t(lang, "tasks.none"), 0, 1)
    header = t(lang, "tasks.header", name=name, count=format_int(len(tasks), lang))
    footer = t(lang, "tasks.footer")
    widest_marker = t(lang, "tasks.page", page=999, pages=999)
    budget = MESSAGE_LIMIT - text_length(header + widest_marker + footer) - 8
    placed, spans, headers = _layout(lang, tuple(tasks), today, soon_days, budget)
    page = clamp(page, len(spans))
    shown = placed[spans[page].start : spans[page].stop]
    before = spans[page].start - 1
    body = render_page(
        [Row(headers[group], task_line(lang, task, today)) for group, task, _ in shown],
        partial(_continued, lang),
        headers[placed[before][0]] if before >= 0 else None,
    )
    parts: list[str] = [header]
    if len(spans) > 1:
        parts[0] += " · " + t(lang, "tasks.page", page=page + 1, pages=len(spans))
    parts += ["", body, "", footer]
    return Page(Html("\n".join(parts)), page, len(spans))


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
