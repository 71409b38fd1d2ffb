"""A synthetic register: `python -m bench.generate --tasks N --units U --people P DB`.

Deterministic (seeded). Tasks are spread over the five years before `--today`; about 15% are
open, some overdue, some extended, some waiting for review. Unit U0001 is the big one: it
leads `--big-unit` tasks (5,000 by default), for a head's /tasks.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.models import fold
from storage import Database
from storage.db import migrations

LEADERS = ("Chủ tịch UBND tỉnh", "Phó Chủ tịch Nguyễn Văn", "Phó Chủ tịch Trần Thị")
KINDS = ("so", "huyen")


def _units(n: int) -> Iterator[tuple[int, str, str, str, str]]:
    for i in range(1, n + 1):
        kind = KINDS[i % 2]
        name = f"Sở Số {i}" if kind == "so" else f"UBND huyện Số {i}"
        yield i, f"U{i:04d}", name, kind, fold(name)


def _people(n: int, units: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    """Admins and leaders first, then one head per unit, then officers spread over units."""
    admins, leaders = 10, 20
    for i in range(1, n + 1):
        if i <= admins:
            role, unit = "admin", None
        elif i <= admins + leaders:
            role, unit = "leader", None
        elif i <= admins + leaders + units:
            role, unit = "head", i - admins - leaders
        else:
            role, unit = "officer", rng.randint(1, units)
        phone = f"09{i:08d}"
        yield (i, f"P{i:05d}", f"Cán bộ {i}", role, unit, phone, phone[1:], 100_000 + i)


def generate(
    path: Path, *, tasks: int, units: int, people: int, today: date, big_unit: int = 5000,
    open_share: float = 0.15, seed: int = 7,
) -> dict[str, float]:  # fmt: skip
    """Write a fresh register into `path` and return counts and the seconds it took."""
    started = time.perf_counter()
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    asyncio.run(_migrate(path))
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO units (id, code, name, kind, name_folded) VALUES (?, ?, ?, ?, ?)",
        _units(units),
    )
    conn.executemany(
        "INSERT INTO people (id, code, name, role, unit_id, phone, phone_key, telegram_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        _people(people, units, rng),
    )
    officers: dict[int, list[int]] = {}
    for person_id, unit_id in conn.execute("SELECT id, unit_id FROM people WHERE role = 'officer'"):
        officers.setdefault(unit_id, []).append(person_id)
    leader_ids = [r[0] for r in conn.execute("SELECT id FROM people WHERE role = 'leader'")]
    leader_codes = {r[0]: r[1] for r in conn.execute("SELECT id, code FROM people")}
    counts = _tasks(conn, rng, tasks, units, big_unit, officers, leader_ids, leader_codes,
                    today, open_share)  # fmt: skip
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts


def _tasks(
    conn: sqlite3.Connection, rng: random.Random, n: int, units: int, big_unit: int,
    officers: dict[int, list[int]], leader_ids: list[int], leader_codes: dict[int, str],
    today: date, open_share: float,
) -> dict[str, float]:  # fmt: skip
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC).isoformat()
    span = 5 * 365
    rows, changes, events = [], [], []
    counts = {"tasks": 0, "open": 0, "overdue": 0, "extended": 0, "pending": 0}
    for i in range(1, n + 1):
        unit = 1 if i <= big_unit else rng.randint(2, units) if units > 1 else 1
        is_open = rng.random() < open_share
        # Open tasks are recent; completed ones anywhere in the five years.
        back = rng.randint(0, 120) if is_open else rng.randint(30, span)
        assigned = today - timedelta(days=back)
        original = assigned + timedelta(days=rng.randint(5, 60)) if rng.random() > 0.05 else None
        deadline, extended_on = original, None
        if original is not None and rng.random() < 0.06:
            deadline = original + timedelta(days=rng.randint(5, 30))
            extended_on = min(original, today)
            changes.append((i, original.isoformat(), deadline.isoformat(),
                            extended_on.isoformat(), stamp))  # fmt: skip
            counts["extended"] += 1
        completed = None
        if not is_open:
            limit = (deadline or assigned + timedelta(days=30)) + timedelta(
                days=rng.choice((-3, -1, 0, 2))
            )
            completed = min(max(limit, assigned), today)
        report_state = "pending" if is_open and rng.random() < 0.05 else None
        counts["pending"] += report_state is not None
        counts["open"] += is_open
        counts["overdue"] += bool(is_open and deadline is not None and deadline < today)
        unit_officers: list[int | None] = list(officers.get(unit, ())) or [None]
        officer = rng.choice(unit_officers) if rng.random() < 0.7 else None
        leader = rng.choice(leader_ids) if leader_ids and rng.random() < 0.8 else None
        rows.append((
            i, f"NV-{assigned.year}-{i:07d}", f"{i}/VP-TH", assigned.isoformat(),
            f"Nhiệm vụ số {i} về việc triển khai kế hoạch", "Nội dung nhiệm vụ",
            leader_codes[leader] if leader else "UBND tỉnh", leader, unit, officer,
            assigned.isoformat(), iso(original), iso(deadline), iso(extended_on), iso(completed),
            report_state, stamp, stamp,
        ))  # fmt: skip
        events.append((i, stamp, "created"))
        if len(rows) >= 50_000:
            _flush(conn, rows, changes, events)
    _flush(conn, rows, changes, events)
    counts["tasks"] = n
    return {k: float(v) for k, v in counts.items()}


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _flush(
    conn: sqlite3.Connection, rows: list[Any], changes: list[Any], events: list[Any]
) -> None:
    conn.executemany(
        "INSERT INTO tasks (id, code, doc_number, doc_date, title, content, assigner, assigner_id,"
        " lead_unit_id, officer_id, assigned_on, original_deadline, deadline, extended_on,"
        " completed_on, report_state, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO deadline_changes (task_id, old_deadline, new_deadline, granted_on,"
        " decided_at) VALUES (?, ?, ?, ?, ?)",
        changes,
    )
    conn.executemany("INSERT INTO task_events (task_id, at, kind) VALUES (?, ?, ?)", events)
    rows.clear()
    changes.clear()
    events.clear()


def one_task_each(path: Path, *, deadline: date, today: date) -> int:
    """Give every officer of a generated register one open task of their unit, due on
    `deadline` and named to them: a round then reminds each officer exactly once."""
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC).isoformat()
    conn = sqlite3.connect(path)
    with conn:
        officers = conn.execute(
            "SELECT id, unit_id FROM people WHERE role = 'officer' ORDER BY id"
        ).fetchall()
        conn.executemany(
            "INSERT INTO tasks (code, doc_number, title, lead_unit_id, officer_id, assigned_on,"
            " original_deadline, deadline, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (f"NV-R-{person:06d}", f"{person}/VP-TH", f"Nhiệm vụ nhắc hạn số {person}",
                 unit, person, today.isoformat(), deadline.isoformat(), deadline.isoformat(),
                 stamp, stamp)
                for person, unit in officers
            ],
        )  # fmt: skip
    conn.close()
    return len(officers)


def ensure_register(path: Path, *, tasks: int, units: int, people: int, today: date) -> None:
    """Generate the register at `path` unless it is there already (1M tasks take minutes),
    and bring it to the current schema, so that no timing includes a migration."""
    if not path.exists():
        print(f"  generating {tasks:,} tasks into {path} …", flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        generate(path, tasks=tasks, units=units, people=people, today=today,
                 big_unit=min(5000, tasks))  # fmt: skip
        return
    with sqlite3.connect(path) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.close()
    if version < max(number for number, _, _ in migrations()):
        print(f"  migrating {path} from schema {version} (a million tasks: minutes) …", flush=True)
        asyncio.run(_migrate(path))


def register_size(path: Path) -> dict[str, int]:
    """How big the register at `path` is: its tasks, units and people (recorded in each
    benchmark's figures, so that runs at several sizes can be set side by side)."""
    with sqlite3.connect(path) as conn:
        size = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("tasks", "units", "people")
        }
    conn.close()
    return size


def copy_register(source: Path, dest: Path) -> Path:
    """A consistent copy of a register (SQLite's backup API), for a benchmark that writes."""
    dest.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(dest) as dst:
        src.backup(dst, pages=65536)
    src.close()
    dst.close()
    return dest


async def _migrate(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


def register_arguments(parser: argparse.ArgumentParser, db: Path, today: date) -> None:
    """The options of a benchmark that runs on a generated register (made when --db is not
    there yet): where it is, its size and its day."""
    parser.add_argument("--db", type=Path, default=db, help=f"default {db}")
    parser.add_argument("--tasks", type=int, default=1_000_000, help="when generating --db")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--today", type=date.fromisoformat, default=today)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--big-unit", type=int, default=5000, help="tasks of unit U0001")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("db", type=Path)
    args = parser.parse_args(argv)
    if args.people < args.units + 30:
        parser.error("--people must be at least --units + 30 (admins, leaders, one head a unit)")
    counts = generate(
        args.db, tasks=args.tasks, units=args.units, people=args.people, today=args.today,
        big_unit=min(args.big_unit, args.tasks), seed=args.seed,
    )  # fmt: skip
    print(
        " ".join(f"{k}={v:,g}" if k == "seconds" else f"{k}={int(v):,}" for k, v in counts.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
