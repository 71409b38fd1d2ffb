"""Linking a Telegram account to a person of the register: invite codes and the lockout.

An invite code is 128 random bits in base64url (22 characters, fit for a `t.me/…?start=`
link), used once, valid for `[telegram] invite_ttl_days`; only its SHA-256 digest is
stored. Five wrong codes from one account within an hour lock that account out of the code
path for an hour.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.models import Invite, InviteState, NewInvite

CODE_BYTES = 16
# What Telegram allows in a start parameter: 1-64 of A-Z, a-z, 0-9, _ and -.
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(hours=1)
LOCKOUT_FOR = timedelta(hours=1)


def new_code() -> str:
    """A fresh invite code: 128 random bits, base64url without padding (22 characters)."""
    return secrets.token_urlsafe(CODE_BYTES)


def code_digest(code: str) -> str:
    """What is stored of a code: its SHA-256, hex."""
    return hashlib.sha256(code.encode()).hexdigest()


def is_code_shaped(text: str) -> bool:
    """Whether `text` could be a start parameter at all (else it is refused unseen)."""
    return bool(_CODE.match(text))


def new_invite(now: datetime, ttl_days: int) -> NewInvite:
    code = new_code()
    return NewInvite(code=code, digest=code_digest(code), expires_at=now + timedelta(ttl_days))


def invite_link(bot_username: str | None, code: str) -> str | None:
    """`https://t.me/<bot>?start=<code>`, or None when the bot's username is not known."""
    if not bot_username:
        return None
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def start_line(code: str) -> str:
    """What to send the bot by hand when there is no link: `/start <code>`."""
    return f"/start {code}"


def invite_state(invite: Invite | None, now: datetime) -> InviteState:
    if invite is None:
        return InviteState.UNKNOWN
    if invite.used_at is not None:
        return InviteState.USED
    if invite.revoked_at is not None:
        return InviteState.REVOKED
    if now >= invite.expires_at:
        return InviteState.EXPIRED
    return InviteState.VALID


def locked_until(failures: Sequence[datetime], now: datetime) -> datetime | None:
    """When an account's lockout ends, if it is locked at `now`: five wrong codes within an
    hour lock it for an hour from the fifth. `failures` oldest first."""
    until = None
    span = LOCKOUT_FAILURES - 1
    for i in range(span, len(failures)):
        if failures[i] - failures[i - span] <= LOCKOUT_WINDOW:
            until = failures[i] + LOCKOUT_FOR
    return until if until is not None and until > now else None


def failures_matter_since(now: datetime) -> datetime:
    """The oldest failure that can still play a part in a lockout at `now`."""
    return now - LOCKOUT_WINDOW - LOCKOUT_FOR
