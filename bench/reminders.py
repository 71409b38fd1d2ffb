"""Reminder throughput: `python -m bench.reminders [--reminders 3000] [--rate 300]`.

A register where each of `--reminders` officers has one open task due on the next working
day, so that the day's round reminds each of them exactly once. The real round planner
(bot.services.rounds.plan_round) fills the outbox; the real sender (bot.services.sender,
with the bot's own Bot API client) drains it against the Bot API test double, which runs in
a process of its own (bench.double_process) so that it does not take the sender's core.
The double and the bot (`[telegram] messages_per_second`) share the limit `--rate`; with
`--paid` the bot sends as `[telegram] paid_broadcast = true` (Telegram takes up to 1,000
messages a second, paid, instead of 30), and every send must carry `allow_paid_broadcast`.
Judged: the achieved rate ÷ the limit ≥ 0.9 (after the first second, whose burst would
flatter it), no 429 answers, no outbox row left unsent.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench.common import Bench, SubjectMissing, subject
from bench.double_process import DoubleProcess
from bench.generate import generate, one_task_each
from bench.inprocess import BENCH_TOKEN, bench_settings, running_application
from bot.clock import FixedClock
from bot.workdays import vietnam_calendar

TODAY = date(2026, 11, 27)  # a Friday: no weekly summaries


def next_working_day(day: date) -> date:
    calendar = vietnam_calendar()
    day += timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def achieved_rate(stamps: list[float]) -> tuple[float, float]:
    """Messages per second over the whole run, and after its first second (the burst)."""
    if len(stamps) < 2:
        return 0.0, 0.0
    first, last = stamps[0], stamps[-1]
    overall = (len(stamps) - 1) / max(last - first, 1e-9)
    if last - first < 2:  # too short to leave the burst out
        return overall, overall
    later = [t for t in stamps if t >= first + 1]
    return overall, (len(later) - 1) / max(later[-1] - later[0], 1e-9)


def _subjects() -> tuple[Any, ...]:
    """What this benchmark measures: the round planner, the sender, the outbox's status."""
    return (
        subject("bot.services.rounds", "plan_round"),
        subject("bot.services.sender", "Sender"),
        subject("bot.reminders.messenger", "BotMessenger"),
        subject("bot.reminders.pacing", "SendLimiter"),
        subject("bot.reminders.messenger", "outbox_bot"),
        subject("storage.outbox", "status"),
        subject("bot.reminders.policy", "Policy"),
    )


async def run(args: argparse.Namespace, bench: Bench, work: Path) -> None:
    db_path = work / "reminders.sqlite3"
    units = max(1, args.reminders // 30)
    people = args.reminders + 30 + units
    await asyncio.to_thread(
        generate, db_path, tasks=0, units=units, people=people, today=args.today, big_unit=0
    )
    officers = one_task_each(db_path, deadline=next_working_day(args.today), today=args.today)
    bench.figure("officers, one task each, due on the next working day", officers)
    double = await DoubleProcess.start(
        token=BENCH_TOKEN, rate=args.rate, first_user=100_001, users=people
    )
    try:
        report, states, drained = await _round(args, bench, db_path, double.base_url)
        seen = await double.report()
    except SubjectMissing as exc:
        bench.subject_missing("reminder round", exc)
        return
    finally:
        await double.stop()
    stamps = seen["sent"]
    overall, steady = achieved_rate(stamps)
    bench.figure("sender report", report)
    bench.figure("messages delivered", f"{len(stamps)} in {drained:.2f} s")
    bench.figure("outbox rows by state", states)
    bench.figure("achieved rate, whole round", f"{overall:.1f}/s")
    bench.figure("achieved rate, after the first second", f"{steady:.1f}/s")
    ratio = round(steady / args.rate, 3)
    bench.judge(
        "achieved rate ÷ limit",
        ratio,
        0.9,
        at_most=False,
        note=f"{steady:.1f}/s of {args.rate:g}/s",
    )
    bench.judge("429 answers", seen["too_many_requests"], 0)
    # Above 30 a second Telegram takes only paid broadcasts: with --paid, every send says so.
    unpaid = len(stamps) - seen["paid"]
    if args.paid:
        bench.judge("messages sent without allow_paid_broadcast", unpaid, 0)
    else:
        bench.figure("messages sent with allow_paid_broadcast", seen["paid"])
    unsent = sum(count for state, count in states.items() if state != "sent")
    bench.judge("outbox rows left unsent", unsent, 0)
    bench.judge("officers not reminded", officers - len(stamps), 0)
    refused = seen["refused"]
    bench.judge(
        "calls the double refused", len(refused), 0, note=refused[0][:200] if refused else ""
    )


async def _round(
    args: argparse.Namespace, bench: Bench, db_path: Path, api: str
) -> tuple[Any, dict[str, int], float]:
    """Plan the day's round, drain the outbox: the sender's report, the rows by state after,
    the seconds the drain took."""
    plan_round, sender_class, messenger_class, limiter_class, outbox_bot, status, policy_class = (
        _subjects()
    )
    settings = bench_settings(
        db_path,
        messages_per_second=args.rate,
        telegram={"api_base_url": api, "paid_broadcast": args.paid},
    )
    tz = settings.organization.tz
    clock = FixedClock(datetime.combine(args.today, clock_time(8, 0), tzinfo=tz))
    async with running_application(settings, clock, stub_api=False) as (application, _):
        services = application.bot_data.services
        db, policy = services.db, policy_class.from_settings(settings)
        started = time.perf_counter()
        result = await plan_round(db, now=clock.now(), calendar=services.calendar, policy=policy)
        bench.figure("round planned", f"{result} in {time.perf_counter() - started:.2f} s")
        sending_bot = outbox_bot(application.bot, settings)
        messenger = messenger_class(sending_bot, paid_broadcast=settings.telegram.paid_broadcast)
        limiter = limiter_class.from_settings(settings)
        sender = sender_class(db, messenger, clock=clock, policy=policy, limiter=limiter)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            report = await sender.drain()
        finally:
            await sending_bot.request.shutdown()  # as bot.reminders.messenger.close_outbox_bot
        drained, cpu = time.perf_counter() - started, time.process_time() - cpu
        per_message = cpu / max(report.sent, 1)
        bench.figure(
            "CPU of the sender's process while draining",
            f"{cpu:.2f} s in {drained:.2f} s, {1000 * per_message:.2f} ms a message"
            f" (one free core: ~{1 / max(per_message, 1e-9):.0f} messages/s at most)",
        )
        states = (await status(db, today=args.today)).states
    return report, states, drained


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reminders",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--reminders", type=int, default=3000, help="people, one reminder each")
    parser.add_argument("--rate", type=float, default=300, help="messages/s, double and bot")
    parser.add_argument(
        "--paid",
        action="store_true",
        help="[telegram] paid_broadcast = true (Telegram's paid broadcasts, up to 1,000/s)",
    )
    parser.add_argument("--today", type=date.fromisoformat, default=TODAY)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    bench = Bench(f"reminder throughput: {args.reminders} reminders at {args.rate:g}/s")
    bench.header(today=args.today.isoformat())
    with tempfile.TemporaryDirectory(prefix="dondoc-reminders-") as folder:
        asyncio.run(run(args, bench, Path(folder)))
    return bench.finish(json_out=args.json)


if __name__ == "__main__":
    raise SystemExit(main())
