"""`dondoc sync` (one pull of the e-office's exports now) and `dondoc sync status`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.clock import SystemClock
from bot.commands import open_database, run_async
from bot.config import Settings
from bot.formats import format_int
from bot.import_summary import shown
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


def handle_sync(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "status":
        return run_async(_status(settings, as_json=args.json))
    return run_async(_pull(settings, dry_run=args.dry_run, as_json=args.json))


async def _pull(settings: Settings, *, dry_run: bool, as_json: bool) -> int:
    from bot.sync import pull

    lang = settings.organization.language
    if not settings.sync.addresses:
        print(plain(lang, "sync.none"), file=sys.stderr)  # noqa: T201
        return 1
    clock = SystemClock(settings.organization.tz)
    async with open_database(settings) as db:
        pulls = await pull(db, settings, today=clock.today(), now=clock.now(), dry_run=dry_run)
    if as_json:
        print(json.dumps([_pull_json(done, lang) for done in pulls], ensure_ascii=False, indent=2))  # noqa: T201
    else:
        for done in pulls:
            stream = sys.stderr if done.failure is not None else sys.stdout
            for line in done.lines(lang):
                print(line, file=stream)
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
    from storage.sync import last_pulls

    lang = settings.organization.language
    async with open_database(settings) as db:
        pulls = await last_pulls(db)
    ordered = [pulls[kind] for kind in ("units", "people", "tasks") if kind in pulls]
    if as_json:
        print(json.dumps([  # noqa: T201
            {"kind": p.kind, "address": p.address, "pulled_at": p.pulled_at.isoformat(),
             "outcome": p.outcome, "created": p.created, "updated": p.updated,
             "unchanged": p.unchanged, "kept": p.kept, "conflicts": p.conflicts,
             "message": p.message, "etag": p.validator.etag,
             "last_modified": p.validator.last_modified, "hash": p.validator.content_hash}
            for p in ordered
        ], ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    if not ordered:
        print(plain(lang, "sync.status.none"))  # noqa: T201
        return 0
    tz = settings.organization.tz
    for p in ordered:
        counts = {
            name: format_int(getattr(p, name), lang)
            for name in ("created", "updated", "unchanged", "conflicts")
        }
        outcome = plain(lang, f"sync.status.{p.outcome}", message=p.message or "", **counts)
        when = p.pulled_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
        kind = plain(lang, f"import.kind.{p.kind}")
        print(plain(lang, "sync.status.line", kind=kind, address=p.address, when=when,  # noqa: T201
                    outcome=outcome))  # fmt: skip
        v = p.validator
        print(plain(lang, "sync.status.validator", etag=v.etag or "-",  # noqa: T201
                    last_modified=v.last_modified or "-",
                    hash=(v.content_hash or "-")[:12]))  # fmt: skip
    return 0
