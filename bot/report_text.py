"""Section 1 of the report ("1. Tiến độ thực hiện nhiệm vụ"): the seed's two paragraphs,
filled in from the figures. Used by `dondoc stats`, the bot's /stats and the docx report.

The seed's wording is kept; two things are added so that the numbers add up and say what
they are shares of: the tasks due in the period that are not completed (still in time, or
overdue; and how many were extended), and the base of every percentage (on time and late
are shares of the completed; completed and not completed are shares of the assigned).
Percentages of one whole are rounded together so that they add up to 100,0%.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from babel.dates import format_date as babel_date

from bot.figures import is_month
from bot.formats import format_date, format_int, format_percent, shares, two_digits
from bot.models import Figures, year_window
from bot.texts import plain

# The appendices cited when no numbering is given: 1 lists the late, 2 the overdue.
FIXED_APPENDICES = {"late": 1, "overdue": 2}


def section1_paragraphs(
    figures: Figures,
    *,
    lang: str = "vi",
    formal: bool = False,
    appendix_refs: bool | Mapping[str, int] = True,
) -> list[str]:
    """The period paragraph and the year-to-date paragraph, as plain text.

    `formal`: counts under 10 written with two digits (`05`), as the formal report does,
    and a part that is zero said in words («không có nhiệm vụ nào …»), never «00».
    `appendix_refs`: point to the appendix of the completed late ("late") and of the
    overdue ("overdue") when there are such tasks; True cites appendices 1 and 2, a mapping
    gives the numbers of the appendices attached (`MonthlyReport.appendix_numbers`).
    """
    count: Callable[[int], str] = (
        (lambda n: two_digits(n, lang)) if formal else (lambda n: format_int(n, lang))
    )
    if isinstance(appendix_refs, bool):
        refs: Mapping[str, int] = FIXED_APPENDICES if appendix_refs else {}
    else:
        refs = appendix_refs
    words = _Words(lang, count, refs, formal)
    return [_period_paragraph(figures, words), _year_paragraph(figures, words)]


class _Words:
    """How this text says counts, appendix references and a split of a whole in two."""

    def __init__(
        self, lang: str, count: Callable[[int], str], refs: Mapping[str, int], formal: bool
    ) -> None:
        self.lang, self.count, self.refs, self.formal = lang, count, refs, formal

    def ref(self, kind: str, tasks: int) -> str:
        """ " (chi tiết … tại phụ lục N kèm theo)" when there are tasks and N is attached."""
        if not tasks or kind not in self.refs:
            return ""
        return plain(self.lang, f"s1.ref_{kind}", number=self.refs[kind])

    def split(self, key: str, first: int, second: int, **more: str) -> str:
        """The sentence `key` of a whole split in two parts, or, in the formal report, its
        `key_first` / `key_second` form («đều …») when the other part is zero."""
        if self.formal and not second:
            key += "_first"
        elif self.formal and not first:
            key += "_second"
        return plain(self.lang, key, **more)


def _completed(words: _Words, key: str, on_time: int, late: int, **more: str) -> str:
    """The completed tasks split into on time and late, as shares of the completed."""
    lang, count = words.lang, words.count
    on_time_share, late_share = shares([on_time, late])
    return words.split(
        key,
        on_time,
        late,
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


def _period_paragraph(figures: Figures, words: _Words) -> str:
    lang, count = words.lang, words.count
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
            words, "s1.due_completed", p.on_time, p.late,
            completed=count(p.completed), ref=words.ref("late", p.late),
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
        open=words.split(
            "s1.due_open",
            p.open_in_time,
            p.open_overdue,
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


def _year_paragraph(figures: Figures, words: _Words) -> str:
    lang, count = words.lang, words.count
    y = figures.year_figures
    window = year_window(figures.period, figures.as_of)
    dates = {"start": format_date(window.start), "end": format_date(window.end)}
    if not y.assigned:
        return plain(lang, "s1.year_none", **dates)
    completed_share, open_share = shares([y.completed, y.open])
    if y.completed:
        completed = _completed(
            words, "s1.year_completed", y.on_time, y.late,
            completed=count(y.completed),
            completed_share=format_percent(completed_share, lang),
        )  # fmt: skip
    else:
        completed = plain(lang, "s1.year_none_completed")
    open_ = ""
    if y.open:
        open_ = words.split(
            "s1.year_open",
            y.open_in_time,
            y.open_overdue,
            open=count(y.open),
            open_share=format_percent(open_share, lang),
            in_time=count(y.open_in_time),
            overdue=count(y.open_overdue),
            ref=words.ref("overdue", y.open_overdue),
        )
    return plain(
        lang, "s1.year", assigned=count(y.assigned), completed=completed, open=open_, **dates
    )
