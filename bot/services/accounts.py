"""Who uses the bot: people and units as the register holds them, invites, linking a
Telegram account to a person (by invite code or by a shared contact), linked groups, each
person's language and each account's command menu. Roles and who sees what: docs/DOMAIN.md
("People and units"); the rules of invites and of the lockout after wrong codes:
bot/onboarding.py."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.models import AccountLink, InviteState, NewInvite, Person, Unit, phone_key
from bot.onboarding import (
    code_digest,
    failures_matter_since,
    invite_state,
    is_code_shaped,
    locked_until,
    new_invite,
)
from storage import accounts as store
from storage.db import Database
from storage.register import get_person, get_unit

# --- people and units ----------------------------------------------------------------------


async def person_for_telegram(db: Database, telegram_id: int) -> Person | None:
    """The person this Telegram account is linked to (the access guard's one read per
    update), if any."""
    return await get_person(db, telegram_id=telegram_id)


async def person_by_id(db: Database, person_id: int) -> Person | None:
    return await get_person(db, id=person_id)


async def unit_by_id(db: Database, unit_id: int | None) -> Unit | None:
    """The unit with this id; None for no id (a person without a unit) or no such unit."""
    return None if unit_id is None else await get_unit(db, id=unit_id)


async def reachable_admins(db: Database) -> list[Person]:
    """The Office's admins who have linked a Telegram account."""
    return await store.reachable_admins(db)


async def set_language(db: Database, person_id: int, language: str) -> None:
    await store.set_language(db, person_id=person_id, language=language)


# --- invites ---------------------------------------------------------------------------------


async def invite(
    db: Database, code: str, *, ttl_days: int, now: datetime
) -> tuple[Person, NewInvite] | None:
    """A fresh invite for the person with this code (their earlier open ones stop working);
    None when there is no such person."""
    person = await get_person(db, code=code)
    if person is None:
        return None
    fresh = await store.issue_invite(
        db, person_id=person.id, invite=new_invite(now, ttl_days), now=now
    )
    return person, fresh


async def revoke_invites(db: Database, code: str, *, now: datetime) -> tuple[Person, int] | None:
    """Revoke the open invites of the person with this code: the person and how many there
    were; None when there is no such person."""
    person = await get_person(db, code=code)
    if person is None:
        return None
    return person, await store.revoke_invites(db, person_id=person.id, now=now)


async def unlinked_people(db: Database) -> list[tuple[Person, Unit | None]]:
    """The people without a linked account, by code, each with their unit."""
    return [
        (person, await unit_by_id(db, person.unit_id)) for person in await store.unlinked_people(db)
    ]


async def add_invites(
    db: Database, invites: Sequence[tuple[int, NewInvite]], *, now: datetime
) -> None:
    """Store new invites (person id, invite), all or none."""
    await store.add_invites(db, invites=invites, now=now)


# --- linking an account ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Redemption:
    """What `/start <code>` came to: the account linked, the sender's own spent code opened
    again (`already_linked`), or the code refused (`refused`, why) with the account locked
    for `locked_minutes` or not (None)."""

    link: AccountLink | None = None
    already_linked: bool = False
    refused: InviteState | None = None
    locked_minutes: int | None = None


async def redeem(
    db: Database, code: str, *, telegram_id: int, sender: Person | None, now: datetime
) -> Redemption:
    """Link the account to the invite's person, or say why not. A wrong code counts towards
    the lockout; a locked account's codes are not even looked at. `sender`: the person the
    account is linked to now, if any."""
    minutes = await _locked_minutes(db, telegram_id, now)
    if minutes is not None:
        return Redemption(locked_minutes=minutes)
    found = await store.find_invite(db, digest=code_digest(code)) if is_code_shaped(code) else None
    state = invite_state(found, now)
    if found is not None and state is InviteState.VALID:
        link = await store.link_account(
            db, person_id=found.person_id, telegram_id=telegram_id, now=now, invite_id=found.id
        )
        if link is not None:
            return Redemption(link=link)
        state = InviteState.USED  # spent a moment ago
    opened_twice = found is not None and sender is not None and found.person_id == sender.id
    if state is InviteState.USED and opened_twice:
        return Redemption(already_linked=True)
    await store.add_failure(db, telegram_id=telegram_id, at=now)
    return Redemption(refused=state, locked_minutes=await _locked_minutes(db, telegram_id, now))


async def _locked_minutes(db: Database, telegram_id: int, now: datetime) -> int | None:
    """Minutes until the account may try codes again; None when it is not locked."""
    failures = await store.failures_since(
        db, telegram_id=telegram_id, since=failures_matter_since(now)
    )
    until = locked_until(failures, now)
    return None if until is None else max(1, math.ceil((until - now).total_seconds() / 60))


@dataclass(frozen=True, slots=True)
class ContactMatch:
    """A shared contact: how many people have its number; the one who does, if one; and the
    link made (None when not exactly one, or when the account was theirs already)."""

    found: int
    person: Person | None = None
    link: AccountLink | None = None


async def link_by_phone(
    db: Database, phone_number: str, *, telegram_id: int, now: datetime
) -> ContactMatch:
    """Link the account to the one person with this phone number, if exactly one has it."""
    matches = await store.people_by_phone(db, key=phone_key(phone_number))
    if len(matches) != 1:
        return ContactMatch(len(matches))
    person = matches[0]
    if person.telegram_id == telegram_id:
        return ContactMatch(1, person)
    link = await store.link_account(db, person_id=person.id, telegram_id=telegram_id, now=now)
    assert link is not None  # without an invite, linking always happens
    return ContactMatch(1, person, link)


@dataclass(frozen=True, slots=True)
class Linked:
    """The people a new link concerns: the person now linked (with their unit) and the one
    the account was linked to before, if another."""

    person: Person
    unit: Unit | None
    previous: Person | None


async def linked(db: Database, link: AccountLink) -> Linked:
    person = await get_person(db, id=link.person_id)
    assert person is not None
    previous = None
    if link.previous_person_id is not None:
        previous = await get_person(db, id=link.previous_person_id)
    return Linked(person, await unit_by_id(db, person.unit_id), previous)


# --- groups and menus ------------------------------------------------------------------------


async def is_linked_group(db: Database, chat_id: int) -> bool:
    return await store.is_linked_group(db, chat_id=chat_id)


async def link_group(
    db: Database, chat_id: int, *, title: str, person_id: int, now: datetime
) -> bool:
    """Register a group chat; False when it was registered already."""
    return await store.link_group(db, chat_id=chat_id, title=title, person_id=person_id, now=now)


async def menu_signature(db: Database, telegram_id: int) -> str | None:
    """The signature of the command menu last set for this account, if any."""
    return await store.menu_signature(db, telegram_id=telegram_id)


async def remember_menu(db: Database, telegram_id: int, signature: str, *, now: datetime) -> None:
    await store.set_menu_signature(db, telegram_id=telegram_id, signature=signature, now=now)
