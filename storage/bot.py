"""The bot's own tables: invites, wrong-code failures, linked groups, command menus, and
the messages that speak about one task."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial

from bot.models import DeadlineChange, Invite, ListedTask, NewInvite, Person, Role, Task
from storage.db import Database, Params
from storage.figures import DEADLINE_ON_T
from storage.register import (
    TASK_SELECT_COLUMNS,
    change_from_row,
    get_task,
    moment,
    person_from_row,
    stamp,
    task_from_row,
)
from storage.reports import move_overdue_anchor


def utc(value: datetime) -> str:
    """A timestamp in UTC, so that stored timestamps compare as text."""
    return stamp(value.astimezone(UTC))


# A person's invites not yet used nor revoked, revoked (a new one replaces them, a link ends them).
_REVOKE_OPEN = (
    "UPDATE invites SET revoked_at = ? WHERE person_id = ?"
    " AND used_at IS NULL AND revoked_at IS NULL"
)


# --- messages about one task --------------------------------------------------------------


async def remember_message(
    db: Database, *, chat_id: int, message_id: int, task_id: int, at: datetime | None = None
) -> None:
    """Remember that a bot message is about one task, so a reply to it finds the task."""
    await db.execute(
        "INSERT INTO bot_messages (chat_id, message_id, task_id, sent_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id, message_id) DO UPDATE SET task_id = excluded.task_id",
        (chat_id, message_id, task_id, None if at is None else utc(at)),
    )


async def task_for_message(db: Database, *, chat_id: int, message_id: int) -> Task | None:
    """The task a bot message is about (a /task card, a reminder, a review), if any."""
    task_id = await db.fetchval(
        "SELECT task_id FROM bot_messages WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return None if task_id is None else await get_task(db, id=task_id)


async def tasks_of_digest(db: Database, *, chat_id: int, message_id: int) -> list[Task]:
    """The tasks a bot message lists (a morning message, an escalation), in its order, of
    those still in the register; [] when the message lists none."""
    listed = await db.fetchval(
        "SELECT task_ids FROM digest_messages WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    found = [await get_task(db, id=task_id) for task_id in json.loads(listed or "[]")]
    return [task for task in found if task is not None]


async def prune_messages(db: Database, *, before: datetime) -> int:
    """Forget the messages about tasks sent before `before` (a reply to one of them then
    needs the task's code); returns how many. Those without a time are kept."""
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM bot_messages WHERE sent_at < ?", (utc(before),))
        await conn.execute("DELETE FROM digest_messages WHERE sent_at < ?", (utc(before),))
        return cursor.rowcount


# --- invites -----------------------------------------------------------------------------


def _invite(row: sqlite3.Row) -> Invite:
    return Invite(
        id=row["id"],
        person_id=row["person_id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
        used_at=moment(row["used_at"]),
        used_by=row["used_by"],
        revoked_at=moment(row["revoked_at"]),
    )


async def add_invites(
    db: Database, *, invites: Sequence[tuple[int, NewInvite]], now: datetime
) -> None:
    """Store new invites (person id, invite), all or none; each person's earlier open
    invites stop working."""
    async with db.transaction() as conn:
        for person_id, invite in invites:
            await conn.execute(_REVOKE_OPEN, (utc(now), person_id))
            await conn.execute(
                "INSERT INTO invites (person_id, digest, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (person_id, invite.digest, utc(now), utc(invite.expires_at)),
            )


async def issue_invite(
    db: Database, *, person_id: int, invite: NewInvite, now: datetime
) -> NewInvite:
    """Store a fresh invite (`bot.onboarding.new_invite`) for a person and return it (their
    earlier open invites stop working)."""
    await add_invites(db, invites=[(person_id, invite)], now=now)
    return invite


async def find_invite(db: Database, *, digest: str) -> Invite | None:
    row = await db.fetchone("SELECT * FROM invites WHERE digest = ?", (digest,))
    return None if row is None else _invite(row)


async def revoke_invites(db: Database, *, person_id: int, now: datetime) -> int:
    """Revoke a person's open invites; returns how many there were."""
    return await db.execute(_REVOKE_OPEN, (utc(now), person_id))


# --- linking a Telegram account to a person ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """What linking changed: the person's earlier account and the account's earlier person."""

    person_id: int
    telegram_id: int
    previous_telegram_id: int | None
    previous_person_id: int | None

    @property
    def changed(self) -> bool:
        return self.previous_telegram_id != self.telegram_id


async def link_account(
    db: Database,
    *,
    person_id: int,
    telegram_id: int,
    now: datetime,
    invite_id: int | None = None,
) -> Link | None:
    """Link a Telegram account to a person, moving the link from wherever it was.

    With `invite_id`, the invite is spent in the same transaction; None when it was spent
    or revoked meanwhile (a second press of the same link). The person's other open invites
    stop working either way.
    """
    async with db.transaction() as conn:
        if invite_id is not None:
            cursor = await conn.execute(
                "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ?"
                " AND used_at IS NULL AND revoked_at IS NULL",
                (utc(now), telegram_id, invite_id),
            )
            if cursor.rowcount != 1:
                return None
        async with conn.execute("SELECT telegram_id FROM people WHERE id = ?", (person_id,)) as c:
            row = await c.fetchone()
        previous_telegram_id = None if row is None else row[0]
        async with conn.execute(
            "SELECT id FROM people WHERE telegram_id = ? AND id <> ?", (telegram_id, person_id)
        ) as c:
            row = await c.fetchone()
        previous_person_id = None if row is None else row[0]
        await conn.execute(
            "UPDATE people SET telegram_id = NULL WHERE telegram_id = ? AND id <> ?",
            (telegram_id, person_id),
        )
        await conn.execute(
            "UPDATE people SET telegram_id = ? WHERE id = ?", (telegram_id, person_id)
        )
        await conn.execute(_REVOKE_OPEN, (utc(now), person_id))
        if previous_telegram_id is not None and previous_telegram_id != telegram_id:
            await conn.execute(
                "DELETE FROM command_menus WHERE telegram_id = ?", (previous_telegram_id,)
            )
    return Link(person_id, telegram_id, previous_telegram_id, previous_person_id)


async def people_by_phone(db: Database, *, key: str) -> list[Person]:
    """The people whose normalised phone number is `key` ('' matches nobody)."""
    if not key:
        return []
    rows = await db.fetchall("SELECT * FROM people WHERE phone_key = ? ORDER BY id", (key,))
    return [person_from_row(r) for r in rows]


async def unlinked_people(db: Database) -> list[Person]:
    rows = await db.fetchall("SELECT * FROM people WHERE telegram_id IS NULL ORDER BY code")
    return [person_from_row(r) for r in rows]


async def reachable_admins(db: Database) -> list[Person]:
    """The Office's admins who have linked a Telegram account."""
    rows = await db.fetchall(
        "SELECT * FROM people WHERE role = ? AND telegram_id IS NOT NULL ORDER BY id",
        (Role.ADMIN.value,),
    )
    return [person_from_row(r) for r in rows]


async def set_language(db: Database, *, person_id: int, language: str) -> None:
    await db.execute("UPDATE people SET language = ? WHERE id = ?", (language, person_id))


# --- wrong invite codes --------------------------------------------------------------------


async def add_failure(db: Database, *, telegram_id: int, at: datetime) -> None:
    await db.execute(
        "INSERT INTO access_failures (telegram_id, at) VALUES (?, ?)", (telegram_id, utc(at))
    )


async def failures_since(db: Database, *, telegram_id: int, since: datetime) -> list[datetime]:
    """The account's wrong codes at or after `since`, oldest first."""
    rows = await db.fetchall(
        "SELECT at FROM access_failures WHERE telegram_id = ? AND at >= ? ORDER BY at",
        (telegram_id, utc(since)),
    )
    return [datetime.fromisoformat(r[0]) for r in rows]


async def prune_failures(db: Database, *, before: datetime) -> int:
    """Forget the wrong codes made before `before` (`bot.onboarding.failures_matter_since`:
    older ones can no longer lock an account); returns how many."""
    return await db.execute("DELETE FROM access_failures WHERE at < ?", (utc(before),))


# --- the daily upkeep --------------------------------------------------------------------

MESSAGES_KEPT_DAYS = 90  # a reply to a card or reminder older than this needs the task's code


async def daily_upkeep(
    db: Database, *, now: datetime, today: date, failures_before: datetime
) -> bool:
    """Once a day (the reminders' tick): forget old task messages and the wrong codes made
    before `failures_before` (`bot.onboarding.failures_matter_since`), bring the kept
    overdue counts to `today` (its anchor day is also the mark of the day's upkeep) and
    refresh the planner's statistics. False when it was done for `today` already."""
    if await db.fetchval("SELECT day FROM overdue_anchor") == today.isoformat():
        return False
    await prune_messages(db, before=now - timedelta(days=MESSAGES_KEPT_DAYS))
    await prune_failures(db, before=failures_before)
    await move_overdue_anchor(db, today=today)
    await db.refresh_statistics()
    return True


# --- groups and menus --------------------------------------------------------------------


async def is_linked_group(db: Database, *, chat_id: int) -> bool:
    found = await db.fetchval("SELECT 1 FROM linked_groups WHERE chat_id = ?", (chat_id,))
    return found is not None


async def link_group(
    db: Database, *, chat_id: int, title: str, person_id: int, now: datetime
) -> bool:
    """Register a group chat; False when it was registered already."""
    changed = await db.execute(
        "INSERT INTO linked_groups (chat_id, title, linked_by, linked_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id) DO NOTHING",
        (chat_id, title, person_id, utc(now)),
    )
    return changed == 1


async def menu_signature(db: Database, *, telegram_id: int) -> str | None:
    found = await db.fetchval(
        "SELECT signature FROM command_menus WHERE telegram_id = ?", (telegram_id,)
    )
    return None if found is None else str(found)


async def set_menu_signature(
    db: Database, *, telegram_id: int, signature: str, now: datetime
) -> None:
    await db.execute(
        "INSERT INTO command_menus (telegram_id, signature, set_at) VALUES (?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET signature = excluded.signature,"
        " set_at = excluded.set_at",
        (telegram_id, signature, utc(now)),
    )


# --- the tasks on a person's list ----------------------------------------------------------


async def _tasks(db: Database, where: str, params: Params) -> list[Task]:
    """Tasks matching `where` (on the alias t), with their cooperating units and extensions."""
    rows = await db.fetchall(
        f"SELECT {TASK_SELECT_COLUMNS} FROM tasks t WHERE {where} ORDER BY t.deadline, t.code",
        params,
    )
    ids = [r["id"] for r in rows]
    cooperating: dict[int, list[int]] = {}
    changes: dict[int, list[DeadlineChange]] = {}
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            f"SELECT task_id, unit_id FROM task_cooperators WHERE task_id IN ({marks})"
            " ORDER BY task_id, unit_id",
            chunk,
        ):
            cooperating.setdefault(r[0], []).append(r[1])
        for r in await db.fetchall(
            f"SELECT * FROM deadline_changes WHERE task_id IN ({marks})"
            " ORDER BY task_id, granted_on, id",
            chunk,
        ):
            changes.setdefault(r["task_id"], []).append(change_from_row(r))
    return [
        task_from_row(
            r, cooperating=cooperating.get(r["id"], ()), extensions=changes.get(r["id"], ())
        )
        for r in rows
    ]


def _chunks(values: Sequence[int], size: int) -> list[Sequence[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _open_tasks_where(person: Person, first: int = 1) -> tuple[str, Params] | None:
    """Which tasks are on a person's /tasks list (see `bot.access.may_report`): a condition
    on the alias t, its parameters numbered from `first`; None for a role without a list."""
    if person.role == Role.HEAD and person.unit_id is not None:
        return f"t.completed_on IS NULL AND t.lead_unit_id = ?{first}", (person.unit_id,)
    if person.role == Role.OFFICER:
        return (
            f"t.completed_on IS NULL AND (t.officer_id = ?{first}"
            f" OR (t.officer_id IS NULL AND t.lead_unit_id = ?{first + 1}))",
            (person.id, person.unit_id),
        )
    return None


async def open_tasks_for(db: Database, person: Person) -> list[Task]:
    """The open tasks on a person's /tasks list, in full."""
    found = _open_tasks_where(person)
    return [] if found is None else await _tasks(db, *found)


async def listed_open_tasks(db: Database, person: Person, *, today: date) -> list[ListedTask]:
    """The open tasks on a person's /tasks list as it shows them on `today` (a head's list
    has hundreds): only the columns of a line, each row a ListedTask as it comes; the
    deadline in force on `today` by `DEADLINE_ON_T` (extensions read only of the tasks
    extended after `today`)."""
    found = _open_tasks_where(person, first=2)
    if found is None:
        return []
    where, params = found
    # By deadline alone, the order of the open tasks' index (no sort in SQLite): the list
    # is put in its own order (sections, deadline, code) by bot.views.
    rows = await db.fetchall(
        f"SELECT t.code, t.title, t.deadline, {DEADLINE_ON_T} AS in_force, t.report_state"
        f" FROM tasks t WHERE {where} ORDER BY t.deadline",
        (today.isoformat(), *params),
    )
    return list(map(_listed, rows))


# A ListedTask made in C from a row, its columns in order (NamedTuple's __new__ is Python).
_listed = partial(tuple.__new__, ListedTask)
