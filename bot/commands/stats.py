"""`dondoc stats [--period YYYY-MM | --from D --to D] [--as-of D] [--json]`: the report figures.

Default period: the current month in the organisation's time zone; default as-of: the
period's last day, or today when the period has not ended. `--json` prints the shape of
`Figures.to_json()`; otherwise a readable table and the two paragraphs of section 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from bot.clock import SystemClock
from bot.commands import open_database, run_async
from bot.config import Settings
from bot.figures import PeriodError, default_as_of, month_period, parse_period
from bot.formats import DateInputError, format_date, format_int, format_percent, parse_user_date
from bot.formats import shares as share_of
from bot.models import Figures, GroupFigures, Period, YearFigures, year_window
from bot.report_text import section1_paragraphs
from bot.services.figures import figures_as_of
from bot.texts import plain

YEAR_COLUMNS = ("assigned", "completed", "on_time", "late", "open_in_time", "open_overdue")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("stats", help="the report figures for a period")
    parser.add_argument("--period", metavar="YYYY-MM", help="a month (default: this month)")
    parser.add_argument("--from", dest="start", metavar="DATE", help="first day of the period")
    parser.add_argument("--to", dest="end", metavar="DATE", help="last day of the period")
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="the figures as of this day (default: the period's end, or today within it)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--lang", choices=("vi", "en"), help="default: the organisation's")
    parser.set_defaults(handler=handle)


class UsageError(Exception):
    """Bad arguments: the text is the one line to print."""


def handle(args: argparse.Namespace, settings: Settings) -> int:
    lang = args.lang or settings.organization.language
    today = SystemClock(settings.organization.tz).today()
    try:
        period, as_of = choose(args, today=today, lang=lang)
    except UsageError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2
    return run_async(show(settings, period=period, as_of=as_of, as_json=args.json, lang=lang))


def choose(args: argparse.Namespace, *, today: date, lang: str) -> tuple[Period, date]:
    """The period and the as-of day the arguments ask for."""
    if args.period and (args.start or args.end):
        raise UsageError(plain(lang, "stats.error.both"))
    if bool(args.start) != bool(args.end):
        raise UsageError(plain(lang, "stats.error.half_range"))
    if args.period:
        try:
            period = parse_period(args.period)
        except PeriodError as exc:
            raise UsageError(plain(lang, "stats.error.period", value=args.period)) from exc
    elif args.start:
        start = _date(args.start, "--from", today=today, lang=lang)
        end = _date(args.end, "--to", today=today, lang=lang)
        if start > end:
            raise UsageError(
                plain(lang, "stats.error.reversed", start=format_date(start), end=format_date(end))
            )
        period = Period(start, end)
    else:
        period = month_period(today.year, today.month)
    if args.as_of:
        as_of = _date(args.as_of, "--as-of", today=today, lang=lang)
        if as_of < period.start:
            raise UsageError(
                plain(
                    lang,
                    "stats.error.as_of",
                    as_of=format_date(as_of),
                    start=format_date(period.start),
                )
            )
    else:
        as_of = default_as_of(period, today)
    return period, as_of


def _date(text: str, option: str, *, today: date, lang: str) -> date:
    try:
        return parse_user_date(text, today=today)
    except DateInputError as exc:
        raise UsageError(plain(lang, "stats.error.date", option=option, value=text)) from exc


async def show(settings: Settings, *, period: Period, as_of: date, as_json: bool, lang: str) -> int:
    async with open_database(settings) as db:
        figures = await figures_as_of(db, period=period, as_of=as_of)
    if as_json:
        print(json.dumps(figures.to_json(), ensure_ascii=False))  # noqa: T201
    else:
        print(render(figures, lang))  # noqa: T201
    return 0


# --- the readable table --------------------------------------------------------------------


def render(figures: Figures, lang: str = "vi") -> str:
    """The figures as plain text: the period, the year, per unit and per assigner, and the
    paragraphs of section 1."""
    p, y = figures.period_figures, figures.year_figures
    window = year_window(figures.period, figures.as_of)
    n = _counter(lang)
    due_open = p.open_in_time + p.open_overdue
    lines = [
        plain(
            lang,
            "stats.title",
            start=format_date(figures.period.start),
            end=format_date(figures.period.end),
            as_of=format_date(figures.as_of),
        ),
        "",
        plain(lang, "stats.period"),
        *_pairs(
            lang,
            [
                (0, "stats.assigned", n(p.assigned)),
                (0, "stats.due", n(p.due)),
                (1, "stats.completed", n(p.completed)),
                (2, "stats.on_time", n(p.on_time)),
                (2, "stats.late", n(p.late)),
                (1, "stats.open", n(due_open)),
                (2, "stats.open_in_time", n(p.open_in_time)),
                (2, "stats.open_overdue", n(p.open_overdue)),
                (1, "stats.extended", n(p.extended)),
            ],
        ),
        "",
        plain(lang, "stats.year", start=format_date(window.start), end=format_date(window.end)),
        *_pairs(lang, _year_rows(y, lang)),
        "",
        plain(lang, "stats.units"),
        *_table(lang, "stats.unit", figures.units, y),
        "",
        plain(lang, "stats.leaders"),
        *_table(lang, "stats.leader", figures.leaders, y),
        "",
        "\n\n".join(section1_paragraphs(figures, lang=lang)),
    ]
    return "\n".join(line.rstrip() for line in lines)


def _counter(lang: str) -> Callable[[int], str]:
    return lambda value: format_int(value, lang)


def _year_rows(y: YearFigures, lang: str) -> list[tuple[int, str, str]]:
    n = _counter(lang)
    completed_share, open_share = share_of([y.completed, y.open])
    on_time_share, late_share = share_of([y.on_time, y.late])

    def with_share(count: int, share: Decimal) -> str:
        return f"{n(count)} ({format_percent(share, lang)})"

    return [
        (0, "stats.assigned", n(y.assigned)),
        (1, "stats.completed", with_share(y.completed, completed_share)),
        (2, "stats.on_time", with_share(y.on_time, on_time_share)),
        (2, "stats.late", with_share(y.late, late_share)),
        (1, "stats.open", with_share(y.open, open_share)),
        (2, "stats.open_in_time", n(y.open_in_time)),
        (2, "stats.open_overdue", n(y.open_overdue)),
    ]


def _pairs(lang: str, rows: Sequence[tuple[int, str, str]]) -> list[str]:
    """Indented labels, values right-aligned in one column."""
    labels = ["  " * (depth + 1) + plain(lang, key) for depth, key, _ in rows]
    width = max(len(label) for label in labels)
    value_width = max(len(value.split(" ")[0]) for _, _, value in rows)
    out = []
    for label, (_, _, value) in zip(labels, rows, strict=True):
        count, _, rest = value.partition(" ")
        out.append(f"{label.ljust(width)}  {count.rjust(value_width)} {rest}")
    return out


def _table(
    lang: str, name_key: str, groups: Sequence[GroupFigures], total: YearFigures
) -> list[str]:
    if not groups:
        return ["  " + plain(lang, "stats.none")]
    header = [
        plain(lang, "stats.code"),
        plain(lang, name_key),
        *(plain(lang, f"stats.col.{c}") for c in YEAR_COLUMNS),
    ]
    body = [
        [g.code, g.name, *(format_int(getattr(g.figures, c), lang) for c in YEAR_COLUMNS)]
        for g in groups
    ]
    body.append(
        ["", plain(lang, "stats.total")]
        + [format_int(getattr(total, c), lang) for c in YEAR_COLUMNS]
    )
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        cells = [
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        return "  " + " | ".join(cells)

    rule = "  " + "-+-".join("-" * w for w in widths)
    return [line(header), rule, *(line(row) for row in body[:-1]), rule, line(body[-1])]
