"""Section 1 of the report ("1. Tiến độ thực hiện nhiệm vụ"): the seed's two paragraphs,
filled in from the figures. Used by `dondoc stats`, the bot's /stats and the docx report.

The seed's wording is kept; two things are added so that the numbers add up and say what
they are shares of: the tasks due in the period that are not completed (still in time, or
overdue; and how many were extended), and the base of every percentage (on time and late
are shares of the completed; completed and not completed are shares of the assigned).
Percentages of one whole are rounded together so that they add up to 100,0%.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.dates import format_date as babel_date

from bot.figures import Figures, is_month, year_window
from bot.formats import format_date, format_int, format_percent, shares, two_digits
from bot.texts import plain


def section1_paragraphs(
    figures: Figures, *, lang: str = "vi", formal: bool = False, appendix_refs: bool = True
) -> list[str]:
    """The period paragraph and the year-to-date paragraph, as plain text.

    `formal`: counts under 10 written with two digits (`05`), as the formal report does.
    `appendix_refs`: point to appendix 1 (completed late) and 2 (overdue) when they list
    anything.
    """
    count: Callable[[int], str] = (
        (lambda n: two_digits(n, lang)) if formal else (lambda n: format_int(n, lang))
    )
    return [
        _period_paragraph(figures, lang, count, appendix_refs),
        _year_paragraph(figures, lang, count, appendix_refs),
    ]


def _completed(
    lang: str, key: str, count: Callable[[int], str], on_time: int, late: int, **more: str
) -> str:
    """The completed tasks split into on time and late, as shares of the completed."""
    on_time_share, late_share = shares([on_time, late])
    return plain(
        lang,
        key,
        on_time=count(on_time),
        on_time_share=format_percent(on_time_share, lang),
        late=count(late),
        late_share=format_percent(late_share, lang),
        **more,
    )


def _within(figures: Figures, lang: str) -> str:
    start = figures.period.start
    if not is_month(figures.period):
        return plain(lang, "s1.in_period")
    if lang == "en":
        return plain(lang, "s1.in_month", month=babel_date(start, "LLLL", locale="en"))
    return plain(lang, "s1.in_month", month=start.month)


def _period_paragraph(figures: Figures, lang: str, count: Callable[[int], str], refs: bool) -> str:
    p = figures.period_figures
    # The figures speak of the days up to T at the latest.
    last = year_window(figures.period, figures.as_of).end
    dates = {"start": format_date(figures.period.start), "end": format_date(last)}
    if p.assigned:
        assigned = plain(lang, "s1.period", assigned=count(p.assigned), **dates)
    else:
        assigned = plain(lang, "s1.period_none", **dates)
    within = _within(figures, lang)
    if not p.due:
        return f"{assigned} {plain(lang, 's1.due_none', within=within)}"
    if p.completed:
        completed = _completed(
            lang, "s1.due_completed", count, p.on_time, p.late,
            completed=count(p.completed),
            ref=plain(lang, "s1.ref_late") if refs and p.late else "",
        )  # fmt: skip
    else:
        completed = plain(lang, "s1.due_none_completed")
    open_ = p.open_in_time + p.open_overdue
    due = plain(
        lang,
        "s1.due",
        due=count(p.due),
        within=within,
        completed=completed,
        open=plain(
            lang,
            "s1.due_open",
            open=count(open_),
            in_time=count(p.open_in_time),
            overdue=count(p.open_overdue),
        )
        if open_
        else "",
        extended=plain(lang, "s1.due_extended", due=count(p.due), extended=count(p.extended))
        if p.extended
        else "",
    )
    return f"{assigned} {due}"


def _year_paragraph(figures: Figures, lang: str, count: Callable[[int], str], refs: bool) -> str:
    y = figures.year_figures
    window = year_window(figures.period, figures.as_of)
    dates = {"start": format_date(window.start), "end": format_date(window.end)}
    if not y.assigned:
        return plain(lang, "s1.year_none", **dates)
    completed_share, open_share = shares([y.completed, y.open])
    if y.completed:
        completed = _completed(
            lang, "s1.year_completed", count, y.on_time, y.late,
            completed=count(y.completed),
            completed_share=format_percent(completed_share, lang),
        )  # fmt: skip
    else:
        completed = plain(lang, "s1.year_none_completed")
    open_ = ""
    if y.open:
        open_ = plain(
            lang,
            "s1.year_open",
            open=count(y.open),
            open_share=format_percent(open_share, lang),
            in_time=count(y.open_in_time),
            overdue=count(y.open_overdue),
            ref=plain(lang, "s1.ref_overdue") if refs and y.open_overdue else "",
        )
    return plain(
        lang, "s1.year", assigned=count(y.assigned), completed=completed, open=open_, **dates
    )
