"""The texts of /stats, /overdue, /unit and /mine: pure functions of figures and rows.

Every value is escaped by `bot.texts.t`; numbers, shares and dates are written the
Vietnamese way (`1.132`, `95,8%`, `31/03/2020`), and each share says what it is a share of.
"""

from __future__ import annotations

import calendar
import html
from collections.abc import Sequence
from datetime import date

from bot.formats import format_date, format_int, format_percent, shares
from bot.models import Figures, Period, ReportTask, Unit, UnitOverdue, YearFigures
from bot.report_text import section1_paragraphs
from bot.texts import Html, t

TITLE_CHARS = 90  # a task's title in a list line, at most (the card has it in full)
PER_PAGE = 10


def period_label(period: Period, lang: str) -> Html:
    """ "tháng 03/2020" for a whole month, else "từ 01/03/2020 đến 15/03/2020"."""
    start, end = period.start, period.end
    last = calendar.monthrange(start.year, start.month)[1]
    if start.day == 1 and end == date(start.year, start.month, last):
        return t(lang, "fig.period_month", month=f"{start.month:02d}", year=start.year)
    return t(lang, "fig.period_span", start=format_date(start), end=format_date(end))


def stats_text(figures: Figures, *, lang: str) -> Html:
    """/stats: the seed's two sentences of section 1 (with the split of the tasks due that
    the seed leaves out, and the base of every share)."""
    period = period_label(figures.period, lang)
    parts = [t(lang, "fig.stats_title", period=period, as_of=format_date(figures.as_of))]
    parts += [
        Html(html.escape(sentence, quote=False))
        for sentence in section1_paragraphs(figures, lang=lang, formal=False, appendix_refs=False)
    ]
    return Html("\n\n".join(parts))


def year_lines(figures: YearFigures, *, year_start: date, as_of: date, lang: str) -> Html:
    """A unit's or a leader's year to date, in three lines, with the base of each share."""
    done, still = shares([figures.completed, figures.open])
    on_time, late = shares([figures.on_time, figures.late])
    return t(
        lang,
        "fig.year_lines",
        start=format_date(year_start),
        end=format_date(as_of),
        assigned=format_int(figures.assigned, lang),
        completed=format_int(figures.completed, lang),
        completed_share=format_percent(done, lang),
        on_time=format_int(figures.on_time, lang),
        on_time_share=format_percent(on_time, lang),
        late=format_int(figures.late, lang),
        late_share=format_percent(late, lang),
        open=format_int(figures.open, lang),
        open_share=format_percent(still, lang),
        in_time=format_int(figures.open_in_time, lang),
        overdue=format_int(figures.open_overdue, lang),
    )


def task_line(task: ReportTask, lang: str, *, unit: bool = False) -> Html:
    """One task in a list: code, title, deadline, days overdue, officer (and lead unit)."""
    title = task.title if len(task.title) <= TITLE_CHARS else task.title[: TITLE_CHARS - 1] + "…"
    if task.deadline is None:
        when = t(lang, "fig.no_deadline")
    elif task.days_overdue:
        when = t(
            lang, "fig.overdue_by", deadline=format_date(task.deadline), days=task.days_overdue
        )
    else:
        when = t(lang, "fig.deadline", deadline=format_date(task.deadline))
    extra = []
    if unit:
        extra.append(task.lead_unit)
    if task.officer:
        extra.append(task.officer)
    tail = t(lang, "fig.line_tail", who=" · ".join(extra)) if extra else ""
    return t(lang, "fig.task_line", code=task.code, title=title, when=when, tail=Html(tail))


def joined(parts: Sequence[Html]) -> Html:
    """Already-safe pieces, one a line."""
    return Html("\n".join(parts))


def pages(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, -(-total // per_page))


def unit_text(
    unit: Unit,
    figures: YearFigures,
    open_tasks: Sequence[ReportTask],
    *,
    open_total: int,
    page: int,
    year_start: date,
    as_of: date,
    lang: str,
) -> Html:
    """/unit: the unit, its year to date, and one page of its open tasks."""
    parts = [
        t(lang, "fig.unit_title", name=unit.name, code=unit.code),
        year_lines(figures, year_start=year_start, as_of=as_of, lang=lang),
    ]
    if open_total:
        header = t(
            lang,
            "fig.unit_open",
            count=format_int(open_total, lang),
            page=page + 1,
            pages=pages(open_total),
        )
        parts.append(joined([header, *(task_line(task, lang) for task in open_tasks)]))
    else:
        parts.append(t(lang, "fig.unit_none_open"))
    return Html("\n\n".join(parts))


def unit_stats_text(
    unit: Unit, figures: YearFigures, *, year_start: date, as_of: date, lang: str
) -> Html:
    """A head's /stats: their unit's year to date."""
    return Html(
        "\n\n".join(
            [
                t(lang, "fig.unit_title", name=unit.name, code=unit.code),
                year_lines(figures, year_start=year_start, as_of=as_of, lang=lang),
            ]
        )
    )


def overdue_text(
    lines: Sequence[UnitOverdue], *, total: int, units: int, page: int, today: date, lang: str
) -> Html:
    """/overdue: one page of the units with overdue open tasks, most first."""
    if not units:
        return t(lang, "fig.overdue_none", today=format_date(today))
    head = t(
        lang,
        "fig.overdue_title",
        total=format_int(total, lang),
        units=format_int(units, lang),
        today=format_date(today),
    )
    body = [
        t(
            lang,
            "fig.overdue_line",
            number=page * PER_PAGE + i,
            name=line.name,
            count=format_int(line.overdue, lang),
            days=format_int(line.oldest_days, lang),
        )
        for i, line in enumerate(lines, start=1)
    ]
    foot = t(lang, "fig.overdue_foot", page=page + 1, pages=pages(units))
    return joined([head, Html(""), *body, Html(""), foot])


def unit_overdue_text(
    unit: Unit, tasks: Sequence[ReportTask], *, total: int, page: int, today: date, lang: str
) -> Html:
    """The overdue open tasks of one unit, a page of them, the most overdue first."""
    if not total:
        return t(lang, "fig.unit_overdue_none", name=unit.name, today=format_date(today))
    head = t(
        lang,
        "fig.unit_overdue_title",
        name=unit.name,
        count=format_int(total, lang),
        page=page + 1,
        pages=pages(total),
    )
    return joined([head, *(task_line(task, lang) for task in tasks)])


def mine_text(
    name: str,
    figures: YearFigures,
    overdue: Sequence[ReportTask],
    in_time: Sequence[ReportTask],
    *,
    overdue_total: int,
    in_time_total: int,
    year_start: date,
    as_of: date,
    lang: str,
) -> Html:
    """/mine: a leader's tasks by status: the year to date, then the open ones listed."""
    parts = [
        t(lang, "fig.mine_title", name=name),
        year_lines(figures, year_start=year_start, as_of=as_of, lang=lang),
    ]
    for key, tasks, total in (
        ("fig.mine_overdue", overdue, overdue_total),
        ("fig.mine_in_time", in_time, in_time_total),
    ):
        if not total:
            continue
        group = [t(lang, key, count=format_int(total, lang))]
        group += [task_line(task, lang, unit=True) for task in tasks]
        if total > len(tasks):
            group.append(t(lang, "fig.more", count=format_int(total - len(tasks), lang)))
        parts.append(joined(group))
    if not overdue_total and not in_time_total:
        parts.append(t(lang, "fig.mine_none_open"))
    return Html("\n\n".join(parts))
