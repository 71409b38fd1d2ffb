"""`dondoc reminders`: what a round would send, and how the outbox stands.

dondoc reminders preview [--at "YYYY-MM-DD HH:MM"] [--json]   a round, planned, not sent
dondoc reminders status [--json]                            pending, sent, failed, unreachable
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from bot.clock import SystemClock
from bot.commands import open_database, run_async
from bot.config import Settings
from bot.formats import format_date
from bot.models import PlannedReminder, TaskLine
from bot.reminders.policy import Policy
from bot.reminders.render import Notice, plain_text, render
from bot.services.rounds import outbox_status, preview_round
from bot.texts import language, plain
from bot.workdays import vietnam_calendar

STATES = ("pending", "sending", "sent", "failed", "cancelled")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("reminders", help="preview a round; the outbox's status")
    commands = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    preview = commands.add_parser("preview", help="what a round would send, without sending")
    preview.add_argument("--at", metavar='"YYYY-MM-DD HH:MM"', help="the round's time (now)")
    preview.add_argument("--json", action="store_true", help="print JSON on standard output")
    status = commands.add_parser("status", help="the outbox: pending, sent, failed, unreachable")
    status.add_argument("--json", action="store_true", help="print JSON on standard output")
    parser.set_defaults(handler=handle, parser=parser)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    lang = settings.organization.language
    now = SystemClock(settings.organization.tz).now()
    if args.action == "status":
        return run_async(show_status(settings, now, as_json=args.json))
    at = now
    if args.at is not None:
        try:
            naive = datetime.strptime(args.at.strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007
        except ValueError:
            sys.stderr.write(f"dondoc reminders: {plain(lang, 'rem.cli.bad_at', value=args.at)}\n")
            return 2
        at = naive.replace(tzinfo=settings.organization.tz)
    return run_async(show_preview(settings, at, as_json=args.json))


# --- preview ---------------------------------------------------------------------------------


async def show_preview(settings: Settings, at: datetime, *, as_json: bool) -> int:
    policy = Policy.from_settings(settings)
    lang = settings.organization.language
    async with open_database(settings) as db:
        preview = await preview_round(db, at=at, calendar=vietnam_calendar(), policy=policy)
    planned, people, tasks = preview.reminders, preview.people, preview.tasks
    lines = []
    for reminder in planned:
        person = people[reminder.person_id]
        task = tasks.get(reminder.task_id) if reminder.task_id is not None else None
        text = plain_text(_text(reminder, task, tasks, language(person.language), policy))
        lines.append((reminder, person.code, person.name, text, task))
    if as_json:
        document: dict[str, Any] = {
            "at": at.isoformat(timespec="minutes"),
            "count": len(planned),
            "reminders": [
                {
                    "kind": str(r.kind),
                    "person": code,
                    "name": name,
                    "task": None if task is None else task.code,
                    "subject": r.subject,
                    "not_before": r.not_before.isoformat(timespec="minutes"),
                    "text": text,
                }
                for r, code, name, text, task in lines
            ],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))  # noqa: T201
        return 0
    when = _when(at)
    if not planned:
        print(plain(lang, "rem.cli.preview_none", at=when))  # noqa: T201
        return 0
    people_count = len({r.person_id for r in planned})
    print(plain(lang, "rem.cli.preview_head", at=when, count=len(planned), people=people_count))  # noqa: T201
    for r, code, name, text, _ in lines:
        first = text.split("\n", 2)
        summary = " — ".join(part for part in first[:2] if part)
        line = plain(lang, "rem.cli.preview_line", at=_when(r.not_before), code=code,
                     name=name, kind=str(r.kind), first=summary)  # fmt: skip
        print(line)  # noqa: T201
    return 0


def _text(
    reminder: PlannedReminder,
    task: TaskLine | None,
    tasks: dict[int, TaskLine],
    lang: str,
    policy: Policy,
) -> str:
    notice = Notice(
        kind=reminder.kind,
        detail=reminder.detail,
        task_code=None if task is None else task.code,
        task_title=None if task is None else task.title,
        deadline=None if task is None else task.deadline,
        lines={i[0]: tasks[i[0]] for i in reminder.detail.get("tasks", ()) if i[0] in tasks},
    )
    return render(notice, lang, policy).text


def _when(moment: datetime) -> str:
    return f"{format_date(moment.date())} {moment.strftime('%H:%M')}"


# --- status ----------------------------------------------------------------------------------


async def show_status(settings: Settings, now: datetime, *, as_json: bool) -> int:
    lang = settings.organization.language
    today = now.date()
    async with open_database(settings) as db:
        found = await outbox_status(db, today=today)
    if as_json:
        document = {
            "states": {s: found.states.get(s, 0) for s in STATES},
            "today": {s: found.today.get(s, 0) for s in STATES},
            "rounds": [{"day": d.isoformat(), "added": n} for d, n in found.rounds],
            "unreachable": [
                {"person": u.code, "name": u.name, "since": u.since.isoformat(), "error": u.error}
                for u in found.unreachable
            ],
            "failed": [
                {
                    "id": f.id,
                    "kind": f.kind,
                    "person": f.person,
                    "day": f.day.isoformat(),
                    "error": f.error,
                }
                for f in found.failed
            ],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))  # noqa: T201
        return 0
    out = [
        plain(lang, "rem.cli.states", **{s: found.states.get(s, 0) for s in STATES}),
        plain(lang, "rem.cli.today", date=format_date(today),
              **{s: found.today.get(s, 0) for s in STATES}),
    ]  # fmt: skip
    if found.rounds:
        out.append(plain(lang, "rem.cli.rounds"))
        out += [
            plain(lang, "rem.cli.round_line", date=format_date(d), count=n) for d, n in found.rounds
        ]
    else:
        out.append(plain(lang, "rem.cli.no_rounds"))
    if found.unreachable:
        out.append(plain(lang, "rem.cli.unreachable", count=len(found.unreachable)))
        out += [
            plain(lang, "rem.cli.unreachable_line", code=u.code, name=u.name,
                  since=_when(u.since.astimezone(settings.organization.tz)), error=u.error)
            for u in found.unreachable
        ]  # fmt: skip
    if found.failed:
        out.append(plain(lang, "rem.cli.failed", count=len(found.failed)))
        out += [
            plain(lang, "rem.cli.failed_line", id=f.id, kind=f.kind, person=f.person,
                  date=format_date(f.day), error=f.error)
            for f in found.failed
        ]  # fmt: skip
    sys.stdout.write("\n".join(out) + "\n")
    return 0
