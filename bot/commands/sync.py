"""`dondoc sync` (one pull of the e-office's exports now) and `dondoc sync status`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from bot.clock import SystemClock
from bot.commands import open_database, run_async
from bot.config import Settings
from bot.formats import format_date, format_int
from bot.import_summary import shown
from bot.importer import FileProblem, parse_day
from bot.texts import plain


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sync", help="pull the e-office's exports ([sync] addresses) now, or show the last pulls"
    )
    parser.add_argument(
        "action", nargs="?", choices=["status"],
        help="status: the last pull of each address (when, outcome, counts, validator)",
    )  # fmt: skip
    parser.add_argument(
        "--dry-run", action="store_true", help="say what the pull would import; write nothing"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(handler=handle_sync)


def _say(text: str, *, error: bool = False) -> None:
    print(text, file=sys.stderr if error else sys.stdout)


def handle_sync(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "status":
        return run_async(_status(settings, as_json=args.json))
    return run_async(_pull(settings, dry_run=args.dry_run, as_json=args.json))


async def _pull(settings: Settings, *, dry_run: bool, as_json: bool) -> int:
    from bot.services.sync import pull

    lang = settings.organization.language
    if not settings.sync.addresses:
        _say(plain(lang, "sync.none"), error=True)
        return 1
    clock = SystemClock(settings.organization.tz)
    async with open_database(settings) as db:
        pulls = await pull(db, settings, today=clock.today(), now=clock.now(), dry_run=dry_run)
    if as_json:
        _say(json.dumps([_pull_json(done, lang) for done in pulls], ensure_ascii=False, indent=2))
    else:
        for done in pulls:
            for line in done.lines(lang):
                _say(line, error=done.failure is not None)
    return 1 if any(done.failure is not None for done in pulls) else 0


def _pull_json(done: Any, lang: str) -> dict[str, Any]:
    result = done.result
    data: dict[str, Any] = {
        "kind": done.kind.value,
        "address": done.address,
        "outcome": done.outcome,
        "not_modified": done.not_modified,
        "dry_run": bool(result is not None and result.dry_run),
    }
    if done.failure is not None:
        data["failure"] = done.failure.message(lang)
    if result is not None:
        data["errors"] = [error.message(lang) for error in result.errors]
        if result.ok:
            data |= {
                name: getattr(result, name) for name in ("created", "updated", "unchanged", "kept")
            }
            data["conflicts"] = [
                {"code": c.code, "field": c.field, "base": shown(c.base, lang),
                 "register": shown(c.register, lang), "file": shown(c.file, lang),
                 "kept": c.kept.value}
                for c in result.conflicts
            ]  # fmt: skip
    return data


async def _status(settings: Settings, *, as_json: bool) -> int:
    from bot.services.sync import sync_status

    lang, tz = settings.organization.language, settings.organization.tz
    async with open_database(settings) as db:
        ordered = await sync_status(db)
    if as_json:
        _say(json.dumps([
            {"kind": p.kind, "address": p.address,
             "pulled_at": p.pulled_at.astimezone(tz).isoformat(), "outcome": p.outcome,
             "created": p.created, "updated": p.updated,
             "unchanged": p.unchanged, "kept": p.kept, "conflicts": p.conflicts,
             "message": p.message, "etag": p.validator.etag,
             "last_modified": p.validator.last_modified, "hash": p.validator.content_hash}
            for p in ordered
        ], ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    if not ordered:
        _say(plain(lang, "sync.status.none"))
        return 0
    for p in ordered:
        counts = {
            name: format_int(getattr(p, name), lang)
            for name in ("created", "updated", "unchanged", "conflicts")
        }
        outcome = plain(lang, f"sync.status.{p.outcome}", message=p.message or "", **counts)
        when = p.pulled_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
        kind = plain(lang, f"import.kind.{p.kind}")
        _say(plain(lang, "sync.status.line", kind=kind, address=p.address, when=when,
                    outcome=outcome))  # fmt: skip
        v = p.validator
        _say(plain(lang, "sync.status.validator", etag=v.etag or "-",
                    last_modified=v.last_modified or "-",
                    hash=(v.content_hash or "-")[:12]))  # fmt: skip
    return 0


# --- dondoc export changes ---------------------------------------------------------------


def _day(text: str) -> date:
    try:
        found = parse_day(text)
    except ValueError:
        found = None
    if found is None:
        raise argparse.ArgumentTypeError(f"{text!r}: write a day as dd/mm/yyyy or yyyy-mm-dd")
    return found


def add_change_period(parser: argparse.ArgumentParser) -> None:
    """--since and --until of `dondoc export changes`."""
    parser.add_argument(
        "--since", type=_day, metavar="DAY",
        help="changes: the first day (dd/mm/yyyy or yyyy-mm-dd); required for changes",
    )  # fmt: skip
    parser.add_argument(
        "--until", type=_day, metavar="DAY", help="changes: the last day (default: today)"
    )


def handle_export_changes(args: argparse.Namespace, settings: Settings) -> int:
    """The decisions made in the bot from --since to --until, one row each, for the e-office."""
    from bot.services.exports import export_changes

    lang = settings.organization.language
    tz = settings.organization.tz
    if args.since is None:
        _say(plain(lang, "changes.cli.since"), error=True)
        return 2
    until = args.until or SystemClock(tz).today()
    if until < args.since:
        _say(plain(lang, "changes.cli.order"), error=True)
        return 2

    async def run() -> int:
        async with open_database(settings) as db:
            return await export_changes(
                db, args.file, since=args.since, until=until, lang=lang, tz=tz
            )

    try:
        count = run_async(run())
    except FileProblem as problem:
        _say(problem.message(lang), error=True)
        return 1
    _say(
        plain(lang, "changes.cli.done", count=format_int(count, lang), path=args.file,
              since=format_date(args.since), until=format_date(until))
    )  # fmt: skip
    return 0
