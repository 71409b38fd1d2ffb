"""The scheduled pull from the e-office on the million-task register.

An e-office on loopback (aiohttp) publishes a 100,000-task CSV export with an ETag; the
register is a copy of the generated one (bench.generate). Measured through
`bot.services.sync.pull`, as the bot's job runs it:
- the first pull (100,000 new tasks: an import; shown, not judged);
- a pull of the unchanged export: one request answered 304, nothing read — judged
  ≤ 50 ms and exactly one request;
- a pull of the export with 1,000 rows changed (a new ETag): the three-way merge of
  100,000 rows against the register — judged ≤ 10 s, 1,000 updated;
- the month's and the year's figures the register keeps, equal to `compute_figures` over
  every task (the rule) after the pulls — judged.

The changed pull's phases are shown (wall time of each step as the pull calls it; "thread":
run by asyncio.to_thread), so a slow pull says where its time went.

    python -m bench.sync [--db /tmp/bench/m.sqlite3] [--tasks 1000000] [--export 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import functools
import importlib
import inspect
import io
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.answers import DEFAULT_DB, TODAY, _directory
from bench.common import Bench
from bench.generate import copy_register, ensure_register, register_arguments, register_size
from bench.importfile import write_tasks_csv
from bench.inprocess import bench_settings
from bot.config import Settings
from bot.figures import compute_figures, month_period
from bot.services.sync import KindPull, pull
from storage import Database
from storage.figures import load_figures
from storage.register import all_tasks, list_units

CHANGED = 1000  # rows of the export changed between the two pulls
TITLE = 3  # the column of the title (trich_yeu) in bench.importfile's rows


# The steps of a pull, timed where the pull looks them up: (module, name, what it does).
PHASES = (
    ("bot.services.sync", "fetch", "fetch the export (HTTP)"),
    ("bot.services.sync", "body_table", "read the body as a table (thread)"),
    ("storage.importing", "load_catalog", "read units, people and the tasks named"),
    ("storage.importing", "load_bases", "read the bases"),
    ("bot.services.imports", "check_tasks", "check the rows (thread)"),
    ("bot.services.imports", "merge", "merge with the register (thread)"),
    ("storage.importing", "apply_tasks", "write: one transaction, figures summed, commit"),
    ("storage.importing", "recount_overdue", "  of which the overdue counts recounted"),
    ("storage.sync", "save_pull", "remember the pull"),
    ("bot.services.sync", "announce_import", "tell people of their tasks"),
    ("bot.services.sync", "tell_admins", "tell the admins"),
)


@contextmanager
def timed_phases() -> Iterator[dict[str, float]]:
    """Each of PHASES wrapped to add its wall time (seconds) to the dict, while in the block."""
    spent = dict.fromkeys((what for _, _, what in PHASES), 0.0)
    saved: list[tuple[Any, str, Any]] = []

    def wrap(fn: Any, what: str) -> Any:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def waited(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await fn(*args, **kwargs)
                finally:
                    spent[what] += time.perf_counter() - started

            return waited

        @functools.wraps(fn)
        def called(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[what] += time.perf_counter() - started

        return called

    for module_name, name, what in PHASES:
        module = importlib.import_module(module_name)
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, wrap(getattr(module, name), what))
    try:
        yield spent
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


class EOffice:
    """The export at /tasks.csv with its ETag; counts the requests and the 304s."""

    def __init__(self, body: bytes) -> None:
        self.body, self.etag = body, '"1"'
        self.requests = self.not_modified = 0

    async def tasks(self, request: web.Request) -> web.Response:
        self.requests += 1
        if request.headers.get("If-None-Match") == self.etag:
            self.not_modified += 1
            return web.Response(status=304)
        return web.Response(body=self.body, headers={"Content-Type": "text/csv", "ETag": self.etag})


def changed_rows(body: bytes, count: int) -> bytes:
    """The export with `count` rows spread over it given a new title."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    step = max(1, (len(rows) - 1) // count)
    for n in range(1, len(rows), step)[:count]:
        rows[n][TITLE] += " (đã sửa trên hệ thống điện tử)"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


async def run(bench: Bench, db_path: Path, *, export: int, today: date) -> None:
    with tempfile.TemporaryDirectory(prefix="dondoc-sync-") as folder:
        work = Path(folder)
        copy = await asyncio.to_thread(copy_register, db_path, work / "sync.sqlite3")
        unit_codes, officers, leaders = await _directory(copy)
        csv_path = write_tasks_csv(
            work / "tasks.csv", tasks=export, units=unit_codes, officers=officers,
            leaders=leaders, today=today, prefix="SYNC",
        )  # fmt: skip
        eoffice = EOffice(csv_path.read_bytes())
        bench.figure("export", f"{export:,} rows, {len(eoffice.body) / 1e6:.1f} MB CSV")
        app = web.Application()
        app.router.add_get("/tasks.csv", eoffice.tasks)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        settings = bench_settings(
            copy, sync={"tasks_url": f"http://127.0.0.1:{port}/tasks.csv", "max_megabytes": 200}
        )
        now = datetime.combine(today, clock_time(9, 0), tzinfo=settings.organization.tz)
        db = await Database.open(copy)
        try:
            await _pulls(bench, db, settings, eoffice, today=today, now=now)
            await _figures(bench, db, today=today)
        finally:
            await db.close()
            await runner.cleanup()


async def _timed_pull(
    db: Database, settings: Settings, *, today: date, now: datetime
) -> tuple[float, KindPull]:
    started = time.perf_counter()
    [done] = await pull(db, settings, today=today, now=now)
    return time.perf_counter() - started, done


async def _pulls(
    bench: Bench, db: Database, settings: Settings, eoffice: EOffice, *, today: date, now: datetime
) -> None:
    seconds, first = await _timed_pull(db, settings, today=today, now=now)
    result = first.result
    bench.figure(
        "first pull (an import of new tasks)",
        f"{seconds:.2f} s, {first.outcome}, created {result.created if result else '-'}",
    )
    before = eoffice.requests
    seconds, same = await _timed_pull(db, settings, today=today, now=now)
    bench.figure("unchanged pull", f"{same.outcome}, 304: {same.not_modified}")
    bench.judge("pull of the unchanged export", round(seconds * 1000, 1), 50, unit=" ms")
    bench.judge("requests of the unchanged pull", eoffice.requests - before, 1)
    bench.judge("answered 304", int(same.not_modified), 1, at_most=False)

    eoffice.body, eoffice.etag = changed_rows(eoffice.body, CHANGED), '"2"'
    with timed_phases() as spent:
        seconds, changed = await _timed_pull(db, settings, today=today, now=now)
    for what, phase in spent.items():
        bench.figure(f"changed pull, {what}", f"{phase:.2f} s")
    result = changed.result
    updated = result.updated if result is not None else 0
    bench.figure("changed pull", f"{changed.outcome}, updated {updated:,}")
    bench.judge(f"pull of the export with {CHANGED:,} rows changed", round(seconds, 2), 10,
                unit=" s")  # fmt: skip
    bench.judge("rows updated", updated, CHANGED, at_most=False)


async def _figures(bench: Bench, db: Database, *, today: date) -> None:
    started = time.perf_counter()
    tasks = await all_tasks(db)
    units = {u.id: (u.code, u.name) for u in await list_units(db)}
    people = {row[0]: row[1] for row in await db.fetchall("SELECT code, name FROM people")}
    month = month_period(today.year, today.month)
    stored = await load_figures(db, period=month, as_of=today)
    rule = compute_figures(tasks, period=month, as_of=today, unit_names=units, leader_names=people)
    bench.figure(
        "figures checked", f"{len(tasks):,} tasks in {time.perf_counter() - started:.1f} s"
    )
    bench.judge("figures differing from compute_figures", int(stored != rule), 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sync",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    register_arguments(parser, DEFAULT_DB, TODAY)
    parser.add_argument("--export", type=int, default=100_000, help="rows of the export")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    bench = Bench("the scheduled pull")
    ensure_register(
        args.db, tasks=args.tasks, units=args.units, people=args.people, today=args.today
    )
    bench.header(db=str(args.db), export=args.export, today=args.today.isoformat())
    bench.figure("register", register_size(args.db))
    asyncio.run(run(bench, args.db, export=args.export, today=args.today))
    return bench.finish(json_out=args.json)


if __name__ == "__main__":
    raise SystemExit(main())
