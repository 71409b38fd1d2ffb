"""`dondoc report --period YYYY-MM [--as-of D] --out FILE.docx|FILE.xlsx`: the monthly
report as a Word document or an Excel workbook, from the same figures as `dondoc stats`."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from bot.clock import SystemClock
from bot.commands import open_database, run_async
from bot.config import Settings
from bot.figures import default_as_of, parse_period
from bot.formats import format_date, format_int
from bot.models import Period
from bot.services.figures import monthly_report
from bot.texts import plain

FORMATS = (".docx", ".xlsx")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report", help="write the monthly report (.docx as the seed, or .xlsx)"
    )
    parser.add_argument("--period", required=True, metavar="YYYY-MM", help="the month")
    parser.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="the figures as of this day (default: the end of the month, or today within it)",
    )
    parser.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="FILE.docx or FILE.xlsx"
    )
    parser.add_argument("--lang", choices=("vi", "en"), default="vi", help="default: vi")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    now = SystemClock(settings.organization.tz).now()
    today = now.date()
    try:
        period = parse_period(args.period)
    except ValueError:
        return _fail(args.lang, "report.cli.period", args.period)
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else default_as_of(period, today)
    except ValueError:
        return _fail(args.lang, "report.cli.as_of", args.as_of)
    if as_of < period.start:
        return _fail(args.lang, "report.cli.as_of_early", format_date(as_of))
    suffix = args.out.suffix.lower()
    if suffix not in FORMATS:
        return _fail(args.lang, "report.cli.out", args.out)
    return run_async(
        _write(settings, period=period, as_of=as_of, out=args.out, now=now, lang=args.lang)
    )


def _fail(lang: str, key: str, value: object) -> int:
    print(f"dondoc report: {plain(lang, key, value=value)}", file=sys.stderr)  # noqa: T201
    return 2


async def _write(
    settings: Settings, *, period: Period, as_of: date, out: Path, now: datetime, lang: str
) -> int:
    # Imported here: every other `dondoc` command starts without the report's modules.
    from bot.report_docx import APPENDIX_ROWS as DOCX_ROWS
    from bot.report_docx import build_docx
    from bot.report_xlsx import APPENDIX_ROWS as XLSX_ROWS
    from bot.report_xlsx import build_xlsx

    async with open_database(settings) as db:
        # Each document lists at most so many tasks per appendix: load no more than that.
        limit = DOCX_ROWS if out.suffix.lower() == ".docx" else XLSX_ROWS
        report = await monthly_report(
            db, period=period, as_of=as_of, tz=settings.organization.tz, limit=limit
        )
    if out.suffix.lower() == ".docx":
        data = build_docx(report, settings, today=now.date(), now=now, lang=lang)
    else:
        data = build_xlsx(report, lang=lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(data)
    partial.replace(out)  # never a half-written report under the real name
    figures = report.figures
    print(  # noqa: T201
        plain(
            lang, "report.cli.written", path=out, start=format_date(period.start),
            end=format_date(period.end), as_of=format_date(as_of),
            assigned=format_int(figures.period_figures.assigned, lang),
            due=format_int(figures.period_figures.due, lang),
            late=format_int(report.late.total, lang),
            overdue=format_int(report.overdue.total, lang),
            waiting=format_int(report.waiting.total, lang),
        )
    )  # fmt: skip
    return 0
