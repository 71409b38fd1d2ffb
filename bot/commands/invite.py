"""`dondoc invite`: one-time invite links that link a Telegram account to a person.

dondoc invite PERSON_CODE [--json]       a new code (the person's earlier ones stop working)
dondoc invite --revoke PERSON_CODE       revoke the person's open codes
dondoc invite --all-unlinked --out F.csv one code per person without a linked account
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import datetime
from pathlib import Path

from bot.clock import SystemClock
from bot.commands import open_database, run_async
from bot.config import Settings
from bot.formats import format_date, format_int
from bot.models import NewInvite
from bot.onboarding import invite_link, new_invite, start_line
from bot.services import accounts
from bot.texts import plain
from storage import Database

CSV_COLUMNS = (
    "ma_can_bo", "ho_ten", "vai_tro", "don_vi", "dien_thoai", "lenh_start", "lien_ket", "het_han",
)  # fmt: skip


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "invite", help="one-time invite links for linking Telegram accounts to people"
    )
    parser.add_argument("person", nargs="?", metavar="PERSON_CODE", help="the person (ma_can_bo)")
    parser.add_argument("--json", action="store_true", help="print only JSON on standard output")
    parser.add_argument("--revoke", metavar="PERSON_CODE", help="revoke the person's open codes")
    parser.add_argument(
        "--all-unlinked", action="store_true", help="a code for every person not linked yet"
    )
    parser.add_argument("--out", type=Path, metavar="FILE.csv", help="with --all-unlinked")
    parser.set_defaults(handler=handle, parser=parser)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    modes = [args.person is not None, args.revoke is not None, args.all_unlinked]
    if sum(modes) != 1 or (args.all_unlinked and args.out is None):
        args.parser.error(
            "give exactly one of PERSON_CODE, --revoke PERSON_CODE, --all-unlinked --out FILE.csv"
        )
    return run_async(invite(args, settings))


async def invite(args: argparse.Namespace, settings: Settings) -> int:
    lang = settings.organization.language
    now = SystemClock(settings.organization.tz).now()
    async with open_database(settings) as db:
        if args.all_unlinked:
            try:
                count = await write_unlinked(db, settings, args.out, now)
            except OSError as exc:
                print(f"dondoc invite: {args.out}: {exc.strerror or exc}", file=sys.stderr)  # noqa: T201
                return 1
            print(plain(lang, "invite.cli_written", count=format_int(count, lang), path=args.out))  # noqa: T201
            return 0
        if args.revoke is not None:
            return await revoke(db, args.revoke, lang, now)
        ttl = settings.telegram.invite_ttl_days
        invited = await accounts.invite(db, args.person, ttl_days=ttl, now=now)
    if invited is None:
        return _unknown(lang, args.person)
    person, issued = invited
    link = invite_link(settings.telegram.bot_username, issued.code)
    if args.json:
        shape = {"person": person.code, "start": start_line(issued.code), "link": link}
        print(json.dumps(shape, ensure_ascii=False))  # noqa: T201
        return 0
    values = {"name": person.name, "code": person.code, "expires": _expires(issued, settings)}
    print(plain(lang, "invite.cli_link", link=link or start_line(issued.code), **values))  # noqa: T201
    return 0


async def revoke(db: Database, code: str, lang: str, now: datetime) -> int:
    revoked = await accounts.revoke_invites(db, code, now=now)
    if revoked is None:
        return _unknown(lang, code)
    person, count = revoked
    text = plain(
        lang, "invite.cli_revoked", count=format_int(count, lang), name=person.name, code=code
    )
    print(text)  # noqa: T201
    return 0


def _unknown(lang: str, code: str) -> int:
    print(plain(lang, "invite.cli_unknown", code=code), file=sys.stderr)  # noqa: T201
    return 1


def _expires(issued: NewInvite, settings: Settings) -> str:
    return format_date(issued.expires_at.astimezone(settings.organization.tz).date())


async def write_unlinked(db: Database, settings: Settings, out: Path, now: datetime) -> int:
    """One invite per unlinked person, as a CSV the Office can open in Excel (UTF-8, BOM).
    The file is written first and the codes stored after: no file, no new codes."""
    people = await accounts.unlinked_people(db)
    issued = [new_invite(now, settings.telegram.invite_ttl_days) for _ in people]
    rows = []
    for (person, unit), invite in zip(people, issued, strict=True):
        rows.append(
            {
                "ma_can_bo": person.code,
                "ho_ten": person.name,
                "vai_tro": person.role.value,
                "don_vi": unit.name if unit is not None else "",
                "dien_thoai": person.phone,
                "lenh_start": start_line(invite.code),
                "lien_ket": invite_link(settings.telegram.bot_username, invite.code) or "",
                "het_han": _expires(invite, settings),
            }
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        await accounts.add_invites(
            db, [(p.id, i) for (p, _), i in zip(people, issued, strict=True)], now=now
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    return len(rows)
