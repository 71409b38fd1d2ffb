"""/tasks pages by the lengths of its lines and renders only the page shown, from slim rows
(`ListedTask`: what a line shows and the deadline in force that day) (issue 7): the pages
are exactly those of the former implementation, which rendered every line of every page from
full `Task` rows. That implementation is kept below, verbatim, as the reference."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import pytest

from bot import views
from bot.formats import format_date, format_int
from bot.models import DeadlineChange, ListedTask, ReportState, Task
from bot.paging import MESSAGE_LIMIT, Page, Row, text_length
from bot.status import Status, deadline_on, status_on
from bot.texts import Html, t
from bot.views import (
    LIST_TITLE_LIMIT,
    TASKS_PER_PAGE,
    Group,
    group_of,
    listed,
    placed_lines,
    shorten,
    task_line,
    task_list_page,
)

TODAY = date(2026, 11, 27)

# --- the reference: bot/views.py and bot/paging.py as they were (commit dc15f69) ----------


def _old_group_of(task: Task, today: date, soon_days: int) -> Group:
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


def _old_note(lang: str, task: Task) -> Html:
    if task.report_state is ReportState.PENDING:
        return t(lang, "tasks.note.pending")
    if task.report_state is ReportState.RETURNED:
        return t(lang, "tasks.note.returned")
    return Html("")


def _old_task_line(lang: str, task: Task, today: date) -> Html:
    title = shorten(task.title, LIST_TITLE_LIMIT)
    note = _old_note(lang, task)
    if task.deadline is None:
        return t(lang, "tasks.line_no_deadline", code=task.code, title=title, note=note)
    overdue = views.days_overdue(task, today)
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


def _old_placed(tasks: Sequence[Task], today: date, soon_days: int) -> list[tuple[Group, Task]]:
    return sorted(
        ((_old_group_of(task, today, soon_days), task) for task in tasks),
        key=lambda pair: (views.ORDER[pair[0]], pair[1].deadline or date.max, pair[1].code),
    )


def _old_task_rows(lang: str, tasks: Sequence[Task], today: date, soon_days: int) -> list[Row]:
    placed = _old_placed(tasks, today, soon_days)
    headers = {
        group: t(lang, f"tasks.group.{group.value}", days=format_int(soon_days, lang))
        for group in views.Group
    }
    return [Row(headers[group], _old_task_line(lang, task, today)) for group, task in placed]


def _old_render(rows: Sequence[Row], continued: Callable[[str], str], first: Row | None) -> str:
    parts: list[str] = []
    previous = first.section if first is not None else None
    for index, row in enumerate(rows):
        if index == 0 or row.section != previous:
            if parts:
                parts.append("")
            goes_on = index == 0 and previous == row.section
            parts.append(continued(row.section) if goes_on else row.section)
        parts.append(row.line)
        previous = row.section
    return "\n".join(parts)


def _old_paginate(
    rows: Sequence[Row], *, budget: int, per_page: int, continued: Callable[[str], str]
) -> list[str]:
    pages: list[str] = []
    start = 0
    while start < len(rows):
        before = rows[start - 1] if start > 0 else None
        first = rows[start]
        goes_on = before is not None and before.section == first.section
        length = text_length(continued(first.section) if goes_on else first.section)
        length += 1 + text_length(first.line)
        end = start + 1
        while end < len(rows) and end - start < per_page:
            row = rows[end]
            extra = 1 + text_length(row.line)
            if row.section != rows[end - 1].section:
                extra += 2 + text_length(row.section)
            if length + extra > budget:
                break
            length, end = length + extra, end + 1
        pages.append(_old_render(rows[start:end], continued, before))
        start = end
    return pages


def _old_task_list_page(
    lang: str, name: str, tasks: Sequence[Task], today: date, soon_days: int, page: int
) -> Page:
    if not tasks:
        return Page(t(lang, "tasks.none"), 0, 1)
    header = t(lang, "tasks.header", name=name, count=format_int(len(tasks), lang))
    footer = t(lang, "tasks.footer")
    widest_marker = t(lang, "tasks.page", page=999, pages=999)
    budget = MESSAGE_LIMIT - text_length(header + widest_marker + footer) - 8
    bodies = _old_paginate(
        _old_task_rows(lang, tasks, today, soon_days),
        budget=budget,
        per_page=TASKS_PER_PAGE,
        continued=lambda section: t(lang, "tasks.continued", header=Html(section)),
    )
    page = max(0, min(page, len(bodies) - 1))
    parts: list[str] = [header]
    if len(bodies) > 1:
        parts[0] += " · " + t(lang, "tasks.page", page=page + 1, pages=len(bodies))
    parts += ["", bodies[page], "", footer]
    return Page(Html("\n".join(parts)), page, len(bodies))


# --- random registers ------------------------------------------------------------------------

WORDS = ["Báo cáo", "kế hoạch", "triển khai", "Sở", "<b>", "A&B", "x>y", "&amp;", "🚀", "𝔘",
         "  ", "\t", "\n", "tiếp", "Nghị quyết số 12/NQ-HĐND", "“trích dẫn”", "<", ">"]  # fmt: skip


def _title(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.1:
        return ""
    if kind < 0.35:  # long: cut with an ellipsis on the list, maybe inside an entity
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 80)))
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12)))


def _task(rng: random.Random, number: int) -> Task:
    deadline = None if rng.random() < 0.15 else TODAY + timedelta(days=rng.randint(-1500, 60))
    extended_on, extensions = None, ()
    if deadline is not None and rng.random() < 0.1:  # granted after today: an older deadline
        extended_on = TODAY + timedelta(days=rng.randint(1, 5))
        old = rng.choice([None, deadline - timedelta(days=rng.randint(1, 20))])
        granted = TODAY - timedelta(days=rng.randint(0, 3))
        extensions = (DeadlineChange(number, None, old, granted),) if rng.random() < 0.5 else ()
    code = rng.choice([f"NV-2026-{number:07d}", f"NV&<{number}>", f"NV-🚀-{number}"])
    return Task(
        id=number,
        code=code,
        title=_title(rng),
        lead_unit_id=1,
        assigned_on=TODAY - timedelta(days=2000),
        original_deadline=rng.choice([deadline, None]),
        deadline=deadline,
        extended_on=extended_on,
        extensions=extensions,
        report_state=rng.choice([None, None, None, ReportState.PENDING, ReportState.RETURNED]),
    )


def _tasks(seed: int) -> list[Task]:
    rng = random.Random(seed)
    size = rng.choice([0, 1, 3, 24, 25, 26, rng.randint(0, 300)])
    return [_task(rng, number) for number in range(size)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_is_the_one_the_former_implementation_showed(lang: str) -> None:
    for seed in range(60):
        tasks = _tasks(seed)
        name = ["Cán bộ <31> & Co", "Sở Nội vụ"][seed % 2]
        soon = seed % 9
        lines = [listed(task, TODAY) for task in tasks]
        first = _old_task_list_page(lang, name, tasks, TODAY, soon, 0)
        for page in [*range(first.pages), first.pages, 10**6]:
            expected = _old_task_list_page(lang, name, tasks, TODAY, soon, page)
            assert task_list_page(lang, name, lines, TODAY, soon, page) == expected, (seed, page)
            assert text_length(expected.text) <= MESSAGE_LIMIT


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_line_is_measured_as_long_as_it_is_rendered(lang: str) -> None:
    rng = random.Random(7)
    tasks = [_task(rng, n) for n in range(2000)]
    placed = placed_lines(lang, [listed(task, TODAY) for task in tasks], TODAY, 7)
    old = [task for _, task in _old_placed(tasks, TODAY, 7)]
    assert [length for _, _, length in placed] == [
        text_length(_old_task_line(lang, task, TODAY)) for task in old
    ]
    assert [task_line(lang, line, TODAY) for _, line, _ in placed[:50]] == [
        _old_task_line(lang, task, TODAY) for task in old[:50]
    ]


def test_a_listed_task_goes_where_the_full_task_went() -> None:
    rng = random.Random(3)
    for task in (_task(rng, n) for n in range(3000)):
        line = listed(task, TODAY)
        for soon in (0, 3, 7):
            assert group_of(line, TODAY, soon) == _old_group_of(task, TODAY, soon), task
        assert line.days_overdue(TODAY) == views.days_overdue(task, TODAY), task


def test_only_the_lines_of_the_page_shown_are_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(1)
    tasks = [_task(rng, number) for number in range(744)]
    rendered: list[ListedTask] = []

    def counting(lang: str, task: ListedTask, today: date) -> Html:
        rendered.append(task)
        return task_line(lang, task, today)

    monkeypatch.setattr(views, "task_line", counting)
    shown = task_list_page("vi", "Cán bộ 31", [listed(t, TODAY) for t in tasks], TODAY, 7, 3)
    assert shown.pages > 4 and shown.page == 3
    assert 0 < len(rendered) <= TASKS_PER_PAGE
    assert shown == _old_task_list_page("vi", "Cán bộ 31", tasks, TODAY, 7, 3)
