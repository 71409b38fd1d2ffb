"""Who may use the bot: invites, linking a Telegram account to a person, wrong codes, linked
groups and each account's command menu."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.models import AccountLink, Invite, NewInvite, Person, Role
from storage.db import Database
from storage.encoding import parse_stamp, utc_stamp
from storage.register import (
    person_from_row,
)

# A person's invites not yet used nor revoked, revoked (a new one replaces them, a link ends them).
_REVOKE_OPEN = (
    "UPDATE invites SET revoked_at = ? WHERE person_id = ?"
    " AND used_at IS NULL AND revoked_at IS NULL"
)


# --- invites -----------------------------------------------------------------------------


def _invite(row: sqlite3.Row) -> Invite:
    return Invite(
        id=row["id"],
        person_id=row["person_id"],
        created_at=parse_stamp(row["created_at"]),
        expires_at=parse_stamp(row["expires_at"]),
        used_at=parse_stamp(row["used_at"]),
        used_by=row["used_by"],
        revoked_at=parse_stamp(row["revoked_at"]),
    )


async def add_invites(
    db: Database, *, invites: Sequence[tuple[int, NewInvite]], now: datetime
) -> None:
    """Store new invites (person id, invite), all or none; each person's earlier open
    invites stop working."""
    async with db.transaction() as conn:
        for person_id, invite in invites:
            await conn.execute(_REVOKE_OPEN, (utc_stamp(now), person_id))
            await conn.execute(
                "INSERT INTO invites (person_id, digest, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (person_id, invite.digest, utc_stamp(now), utc_stamp(invite.expires_at)),
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
    return await db.execute(_REVOKE_OPEN, (utc_stamp(now), person_id))


# --- linking a Telegram account to a person ------------------------------------------------


async def link_account(
    db: Database,
    *,
    person_id: int,
    telegram_id: int,
    now: datetime,
    invite_id: int | None = None,
) -> AccountLink | None:
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
                (utc_stamp(now), telegram_id, invite_id),
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
        await conn.execute(_REVOKE_OPEN, (utc_stamp(now), person_id))
        if previous_telegram_id is not None and previous_telegram_id != telegram_id:
            await conn.execute(
                "DELETE FROM command_menus WHERE telegram_id = ?", (previous_telegram_id,)
            )
    return AccountLink(person_id, telegram_id, previous_telegram_id, previous_person_id)


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
        "INSERT INTO access_failures (telegram_id, at) VALUES (?, ?)", (telegram_id, utc_stamp(at))
    )


async def failures_since(db: Database, *, telegram_id: int, since: datetime) -> list[datetime]:
    """The account's wrong codes at or after `since`, oldest first."""
    rows = await db.fetchall(
        "SELECT at FROM access_failures WHERE telegram_id = ? AND at >= ? ORDER BY at",
        (telegram_id, utc_stamp(since)),
    )
    return [parse_stamp(r[0]) for r in rows]


async def prune_failures(db: Database, *, before: datetime) -> int:
    """Forget the wrong codes made before `before` (`bot.onboarding.failures_matter_since`:
    older ones can no longer lock an account); returns how many."""
    return await db.execute("DELETE FROM access_failures WHERE at < ?", (utc_stamp(before),))


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
        (chat_id, title, person_id, utc_stamp(now)),
    )
    return changed == 1


async def menu_signature(db: Database, *, telegram_id: int) -> str | None:
    row = await db.fetch_by_key(
        "SELECT signature FROM command_menus WHERE telegram_id = ?", (telegram_id,)
    )
    return None if row is None else str(row[0])


async def set_menu_signature(
    db: Database, *, telegram_id: int, signature: str, now: datetime
) -> None:
    await db.execute(
        "INSERT INTO command_menus (telegram_id, signature, set_at) VALUES (?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET signature = excluded.signature,"
        " set_at = excluded.set_at",
        (telegram_id, signature, utc_stamp(now)),
    )
