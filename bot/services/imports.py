"""Import: a sheet's units, people or tasks merged into the register, all or nothing, and
the notices of the tasks it gave people.

The file is read, checked and merged by the pure rules of bot/importer.py; here the
register is read (storage/importing.py: the catalogue, the bases), the merge written in one
transaction, and the people of new and reassigned tasks told through the outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from bot.config import Settings
from bot.import_notices import import_notices
from bot.importer import (
    Checked,
    ImportResult,
    Progress,
    Table,
    check_people,
    check_tasks,
    check_units,
    merge,
    present_columns,
    read_table,
    table_codes,
)
from bot.models import ImportKind, Merged, OpenTask, Prefer, Recheck, Record
from bot.reminders.policy import Policy
from storage import Database, importing, outbox


async def import_file(
    db: Database,
    kind: ImportKind,
    path: Path,
    *,
    today: date,
    now: datetime,
    dry_run: bool = False,
    prefer: Prefer = Prefer.REGISTER,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, check and merge one file, all or nothing. Raises FileProblem if unreadable."""
    table = await asyncio.to_thread(read_table, path, progress)
    return await import_table(
        db, kind, table, today=today, now=now, source=path.name, dry_run=dry_run,
        prefer=prefer, progress=progress,
    )  # fmt: skip


async def import_table(
    db: Database,
    kind: ImportKind,
    table: Table,
    *,
    today: date,
    now: datetime,
    source: str,
    dry_run: bool = False,
    prefer: Prefer = Prefer.REGISTER,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a table and merge it into the register, all or nothing (bot/merge.py)."""
    # A task import reads the tasks the file names (all of them when it names most).
    codes = table_codes(table, kind) if kind is ImportKind.TASKS else None
    catalog = await importing.load_catalog(db, tasks=kind is ImportKind.TASKS, codes=codes)
    bases = await importing.load_bases(db, kind, list(catalog.tasks) if codes else None)
    present = present_columns(table, kind)

    def merger(records: list[Record], register: Mapping[str, Record]) -> Recheck[Record]:
        def again(fresh: Mapping[str, Record]) -> Merged[Record]:
            now_held = {**register, **fresh} if fresh else register
            return merge(kind, records, now_held, bases, catalog, present=present, prefer=prefer)

        return again

    if kind is ImportKind.UNITS:
        units = await asyncio.to_thread(check_units, table, catalog, progress)
        return await _directory(
            db, kind, units, merger(units.records, catalog.units), importing.apply_units,
            source=source, dry_run=dry_run, progress=progress,
        )  # fmt: skip
    if kind is ImportKind.PEOPLE:
        people = await asyncio.to_thread(check_people, table, catalog, progress)
        return await _directory(
            db, kind, people, merger(people.records, catalog.people), importing.apply_people,
            source=source, dry_run=dry_run, progress=progress,
        )  # fmt: skip
    tasks = await asyncio.to_thread(check_tasks, table, catalog, today=today, progress=progress)
    if tasks.errors:
        return ImportResult(kind, errors=tuple(tasks.errors), source=source)
    again = merger(tasks.records, catalog.tasks)
    merged = await asyncio.to_thread(again, {})
    if dry_run:
        return _result(kind, merged, source, dry_run)
    _writing(progress, merged)
    merged, created, reassigned = await importing.apply_tasks(
        db, merged, today=today, now=now, source=source, recheck=again
    )
    moved = set(reassigned)
    given = [
        *zip(created, merged.plan.create, strict=True),
        *((c.old.id, c.new) for c in merged.plan.update),
    ]
    return replace(
        _result(kind, merged, source, dry_run),
        created_task_ids=tuple(created),
        reassigned_task_ids=tuple(reassigned),
        assigned=tuple(
            OpenTask(task_id, t.lead_unit_id, t.deadline, t.officer_id, t.assigner_id)
            for task_id, t in given
            if task_id is not None and t.completed_on is None and (t.id is None or task_id in moved)
        ),
    )


class _Apply(Protocol[Record]):
    async def __call__(
        self, db: Database, merged: Merged[Record], *, recheck: Recheck[Record] | None = None
    ) -> Merged[Record]: ...


async def _directory(
    db: Database,
    kind: ImportKind,
    checked: Checked[Record],
    again: Recheck[Record],
    apply: _Apply[Record],
    *,
    source: str,
    dry_run: bool,
    progress: Progress | None,
) -> ImportResult:
    """Units or people: refused on any wrong row, else merged and (unless a dry run) written
    by `apply` in one transaction, merged again there if the register moved meanwhile."""
    if checked.errors:
        return ImportResult(kind, errors=tuple(checked.errors), source=source)
    merged = again({})
    if not dry_run:
        _writing(progress, merged)
        merged = await apply(db, merged, recheck=again)
    return _result(kind, merged, source, dry_run)


def _writing(progress: Progress | None, merged: Merged[Any]) -> None:
    if progress is not None:
        progress("write", len(merged.plan.create) + len(merged.plan.update))


def _result(kind: ImportKind, merged: Merged[Any], source: str, dry_run: bool) -> ImportResult:
    plan = merged.plan
    return ImportResult(
        kind, len(plan.create), len(plan.update), plan.unchanged, kept=merged.kept,
        conflicts=tuple(merged.conflicts), changes=tuple(merged.changes), source=source,
        dry_run=dry_run,
    )  # fmt: skip


async def announce_import(
    db: Database, settings: Settings, tasks: Sequence[OpenTask], *, now: datetime
) -> int:
    """Put the import's notices in the outbox (when `notify_on_assign` is on); the bot sends
    them at its next tick. Returns the rows added."""
    policy = Policy.from_settings(settings)
    if not policy.notify_on_assign or not tasks:
        return 0
    batch = now.isoformat(timespec="microseconds")
    people = await outbox.recipients(db)
    notices = import_notices(tasks, people, now=now, policy=policy, batch=batch)
    return await outbox.add_planned(db, notices, now=now) or 0
