"""End to end: `python -m bench.e2e [--officers 2000] [--seconds 60] [--mode press|command]`.

The real bot runs in a process of its own (bench.e2e_bot: `build_application` +
`run_polling`) on a copy of the generated register, polling the Bot API test double that
runs here. Officers who each have an open task act within `--seconds`, evenly spaced:
- `press`: each first opens the task card (`/task CODE`, not timed), then presses its Done
  button ("done:CODE"); the answer is the bot's answerCallbackQuery for that press;
- `command`: each sends `/done CODE <result>`; the answer is the bot's first message back.
  Each report puts a card before every admin through the reminders' outbox, at Telegram's
  per-chat pace (1/s per admin): the cards sent and still waiting when the bot stopped are
  shown.
Figures: sustained updates per second, p50/p99 from update (queued in the double) to the
answer, errors (bot-side exceptions, calls the double refused, updates never answered) and
the peak RSS of the bot process. Judged: errors = 0, peak RSS ≤ 200 MB.
The double and the bot share the limit `--rate` messages/s (Telegram's is 30).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil  # type: ignore[import-untyped]

from bench.baseline import linked_telegram_ids, officers_with_open_task
from bench.common import Bench, Timing
from bench.double import TimedDouble, limits
from bench.e2e_bot import ERROR_MARK, READY_MARK
from bench.generate import copy_register, ensure_register, register_size
from storage import Database, outbox

DEFAULT_DB = Path("/tmp/bench/m.sqlite3")
TOKEN = "123456:BENCH-E2E"
RESULT = "Đã hoàn thành, báo cáo số 123/BC-SNV gửi Văn phòng"


@dataclass
class BotProcess:
    """The bot's process: its standard error read line by line, its memory sampled."""

    process: asyncio.subprocess.Process
    errors: list[str] = field(default_factory=list)
    log_tail: list[str] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    peak_rss: int = 0

    async def read_stderr(self, log: Path | None) -> None:
        assert self.process.stderr is not None
        out = log.open("w", encoding="utf-8") if log is not None else None
        try:
            async for raw in self.process.stderr:
                self._line(raw.decode("utf-8", "replace").rstrip())
                if out is not None:
                    out.write(raw.decode("utf-8", "replace"))
        finally:
            if out is not None:
                out.close()

    def _line(self, line: str) -> None:
        if line.startswith(READY_MARK):
            self.ready.set()
        elif line.startswith(ERROR_MARK):
            self.errors.append(line)
        self.log_tail = [*self.log_tail[-40:], line]

    async def sample_memory(self) -> None:
        proc = psutil.Process(self.process.pid)
        with contextlib.suppress(psutil.Error):
            while self.process.returncode is None:
                self.peak_rss = max(self.peak_rss, proc.memory_info().rss)
                await asyncio.sleep(0.05)

    def high_water_mark(self) -> int:
        """The kernel's own peak RSS (VmHWM) while the process is alive, else the sampled one."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return max(self.peak_rss, int(line.split()[1]) * 1024)
        except OSError:
            pass
        return self.peak_rss


async def start_bot(
    config: Path, at: datetime, profile: Path | None, log: Path | None
) -> tuple[BotProcess, list[asyncio.Task[None]]]:
    extra = ["--profile", str(profile)] if profile else []
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.e2e_bot",
        str(config),
        "--at",
        at.isoformat(),
        *extra,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    bot = BotProcess(process)
    tasks = [asyncio.create_task(bot.read_stderr(log)), asyncio.create_task(bot.sample_memory())]
    return bot, tasks


async def stop_bot(bot: BotProcess, tasks: list[asyncio.Task[None]]) -> int:
    if bot.process.returncode is None:
        bot.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(bot.process.wait(), 20)
        except TimeoutError:
            bot.process.kill()
            await bot.process.wait()
    for task in tasks:
        task.cancel()
    return bot.process.returncode or 0


def write_config(folder: Path, db_path: Path, base_url: str, rate: float) -> Path:
    path = folder / "config.toml"
    path.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{base_url}"\n'
        f"messages_per_second = {rate}\n\n"
        f'[database]\npath = "{db_path}"\n',
        encoding="utf-8",
    )
    return path


async def _outbox(db_path: Path, today: date) -> dict[str, int]:
    """The outbox's rows by state (at 07:30, before any round: the review cards)."""
    db = await Database.open(db_path)
    try:
        return (await outbox.status(db, today=today)).states
    finally:
        await db.close()


async def _wait_until(condition: Any, limit: float) -> bool:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return bool(condition())


def _cpu_seconds(bot: BotProcess) -> float:
    """User and system CPU of the bot's process (its threads included) so far."""
    try:
        times = psutil.Process(bot.process.pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


async def _wait_for_answers(answered: Any, expected: int, bot: BotProcess) -> None:
    """Until every update is answered, the bot exits, or 20 s pass without a new answer."""
    count, progress = -1, time.perf_counter()
    while bot.process.returncode is None:
        now_answered = len(answered())
        if now_answered >= expected:
            return
        if now_answered != count:
            count, progress = now_answered, time.perf_counter()
        elif time.perf_counter() - progress > 20:
            return
        await asyncio.sleep(0.05)


async def open_cards(double: TimedDouble, officers: list[tuple[int, str]]) -> dict[int, int]:
    """Each officer opens their task's card; the card's message id, per officer."""
    for telegram_id, code in officers:
        await double.send_text(telegram_id, f"/task {code}")

    def card(telegram_id: int, code: str) -> int | None:
        for message in double.sent_to(telegram_id):
            for row in message.buttons:
                if any(b.get("callback_data") == f"done:{code}" for b in row):
                    return message.message_id
        return None

    await _wait_until(lambda: all(card(t, c) for t, c in officers), 30 + len(officers) / 20)
    cards = {}
    for telegram_id, code in officers:
        found = card(telegram_id, code)
        if found is not None:
            cards[telegram_id] = found
    return cards


async def run(args: argparse.Namespace, bench: Bench, work: Path) -> None:
    source = args.db
    await asyncio.to_thread(
        ensure_register,
        source,
        tasks=args.tasks,
        units=args.units,
        people=args.people,
        today=args.today,
    )
    bench.figure("register", register_size(source))
    started = time.perf_counter()
    db_path = copy_register(source, work / "register.sqlite3")
    bench.figure("register copied", f"{time.perf_counter() - started:.1f} s")
    db = await Database.open(db_path)
    try:
        officers = await officers_with_open_task(db, count=args.officers)
        everyone = await linked_telegram_ids(db)
    finally:
        await db.close()
    if len(officers) < args.officers:
        bench.figure("officers with an open task", f"only {len(officers)}")
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    # 07:30: after quiet hours, before the daily round: no reminders interleave.
    at = datetime.combine(args.today, clock_time(7, 30), tzinfo=tz)
    double = TimedDouble(token=TOKEN, **limits(args.rate))
    await double.start()
    for telegram_id in everyone:  # the Office, leaders and heads hear of reports too
        double.user(telegram_id, f"Cán bộ {telegram_id}", started=True)
    config = write_config(work, db_path, double.base_url, args.rate)
    bot, tasks = await start_bot(config, at, args.profile_bot, args.bot_log)
    try:
        ready = await _wait_until(
            lambda: bot.ready.is_set() and double.stats.by_method["getUpdates"] > 0, 60
        )
        if not ready:
            raise RuntimeError("the bot did not start:\n" + "\n".join(bot.log_tail))
        bench.figure("bot RSS at start", f"{bot.peak_rss / 2**20:.1f} MB")
        await act(args, bench, double, bot, officers)
    finally:
        bench.figure("bot peak RSS (VmHWM)", f"{bot.high_water_mark() / 2**20:.1f} MB")
        peak = bot.high_water_mark()
        code = await stop_bot(bot, tasks)
        await double.stop()
    bench.figure("bot exit code", code)
    if args.mode == "command":
        found = await _outbox(db_path, args.today)
        bench.figure("outbox (review cards) when the bot stopped", found)
    refused = [str(r) for r in double.refused]
    errors = len(bot.errors) + len(refused)
    for line in (bot.errors + refused)[:5]:
        print(f"    error: {line[:300]}", flush=True)
    if errors:
        print("    the bot's last log lines:\n      " + "\n      ".join(bot.log_tail[-25:]))
    bench.judge("errors (bot exceptions + refused calls)", errors, 0)
    bench.figure("429 answers", double.stats.too_many_requests)
    bench.judge("peak RSS of the bot", round(peak / 2**20, 1), 200, unit=" MB")


async def act(
    args: argparse.Namespace,
    bench: Bench,
    double: TimedDouble,
    bot: BotProcess,
    officers: list[tuple[int, str]],
) -> None:
    cards: dict[int, int] = {}
    if args.mode == "press":
        started = time.perf_counter()
        cards = await open_cards(double, officers)
        bench.figure(
            "cards opened (/task, untimed)",
            f"{len(cards)} of {len(officers)} in {time.perf_counter() - started:.1f} s",
        )
        officers = [(t, c) for t, c in officers if t in cards]
    since = len(double.call_times)
    cpu_before = _cpu_seconds(bot)
    sent: dict[Any, float] = {}  # callback query id (press) or chat id (command) → when queued
    gap = args.seconds / max(len(officers), 1)
    first = time.perf_counter()
    for i, (telegram_id, code) in enumerate(officers):
        delay = first + i * gap - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if args.mode == "press":
            query = await double.press_data(telegram_id, cards[telegram_id], f"done:{code}")
            sent[query["id"]] = time.perf_counter()
        else:
            await double.send_text(telegram_id, f"/done {code} {RESULT}")
            sent[telegram_id] = time.perf_counter()
    offered = time.perf_counter() - first

    def answered() -> dict[Any, float]:
        found: dict[Any, float] = {}
        for at, call in zip(double.call_times[since:], double._calls[since:], strict=False):
            if args.mode == "press" and call.method == "answerCallbackQuery":
                key = call.params.get("callback_query_id")
            elif args.mode == "command" and call.method in ("sendMessage", "editMessageText"):
                key = call.params.get("chat_id")
            else:
                continue
            if key in sent and key not in found:
                found[key] = at
        return found

    await _wait_for_answers(answered, len(sent), bot)
    found = answered()
    latencies = [found[key] - sent[key] for key in found]
    last = max(found.values(), default=first)
    bench.figure("updates sent", f"{len(sent)} in {offered:.1f} s ({len(sent) / offered:.1f}/s)")
    bench.figure("answered", f"{len(found)} of {len(sent)}")
    if latencies:
        span = max(last - first, 1e-9)
        bench.figure("sustained updates per second", f"{len(found) / span:.1f}")
        timing = Timing.of(latencies)
        bench.figure("update → answer", str(timing))
        bench.figure("update → answer p50", f"{timing.p50:.1f} ms")
        bench.figure("update → answer p99", f"{timing.p99:.1f} ms")
    cpu = _cpu_seconds(bot) - cpu_before
    bench.figure(
        "CPU of the bot process while acting",
        f"{cpu:.2f} s, {1000 * cpu / max(len(found), 1):.2f} ms an update",
    )
    bench.judge("updates never answered", len(sent) - len(found), 0)
    after = double.timed_calls()[since:]
    by_method: dict[str, int] = {}
    for _, call in after:
        by_method[call.method] = by_method.get(call.method, 0) + 1
    bench.figure("bot calls while acting", dict(sorted(by_method.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.e2e",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="the register to copy")
    parser.add_argument("--tasks", type=int, default=1_000_000, help="when generating --db")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--officers", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--mode", choices=("press", "command"), default="press")
    parser.add_argument("--rate", type=float, default=300, help="messages/s, double and bot")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--profile-bot", type=Path, help="the bot's CPU profile (cProfile) here")
    parser.add_argument("--bot-log", type=Path, help="the bot's standard error, all of it, here")
    args = parser.parse_args(argv)
    bench = Bench(f"end to end: {args.officers} officers, {args.mode}, {args.seconds:g} s")
    bench.header(db=str(args.db), rate=args.rate)
    with tempfile.TemporaryDirectory(prefix="dondoc-e2e-") as folder:
        asyncio.run(run(args, bench, Path(folder)))
    return bench.finish(json_out=args.json)


if __name__ == "__main__":
    raise SystemExit(main())
