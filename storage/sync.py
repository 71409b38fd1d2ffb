"""The last pull of each kind from the e-office (bot/services/sync.py; migration 0017)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.encoding import parse_stamp, utc_stamp


@dataclass(frozen=True, slots=True)
class Validator:
    """What tells an unchanged export: the server's ETag and Last-Modified, and our hash."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class PullRecord:
    """The last pull of one kind."""

    kind: str
    address: str
    address_hash: str
    pulled_at: datetime
    outcome: str  # unchanged, imported, failed
    created: int
    updated: int
    unchanged: int
    kept: int
    conflicts: int
    message: str | None  # the failure, as said (the org's language)
    validator: Validator
    failure: str | None  # the fingerprint of the failure admins were told of


_COLUMNS = (
    "kind, address, address_hash, pulled_at, outcome, created, updated, unchanged, kept,"
    " conflicts, message, etag, last_modified, content_hash, failure"
)


async def last_pulls(db: Database) -> dict[str, PullRecord]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM sync_pulls")
    return {row["kind"]: _record(row) for row in rows}


def _record(row: sqlite3.Row) -> PullRecord:
    pulled_at = parse_stamp(row["pulled_at"])
    assert pulled_at is not None
    return PullRecord(
        row["kind"], row["address"], row["address_hash"], pulled_at, row["outcome"],
        row["created"], row["updated"], row["unchanged"], row["kept"], row["conflicts"],
        row["message"], Validator(row["etag"], row["last_modified"], row["content_hash"]),
        row["failure"],
    )  # fmt: skip


async def save_pull(db: Database, record: PullRecord) -> None:
    """The kind's last pull, in place of the one before."""
    v = record.validator
    await db.execute(
        f"INSERT INTO sync_pulls ({_COLUMNS}) VALUES ({', '.join('?' * 15)})"
        " ON CONFLICT (kind) DO UPDATE SET address = excluded.address,"
        " address_hash = excluded.address_hash, pulled_at = excluded.pulled_at,"
        " outcome = excluded.outcome, created = excluded.created, updated = excluded.updated,"
        " unchanged = excluded.unchanged, kept = excluded.kept, conflicts = excluded.conflicts,"
        " message = excluded.message, etag = excluded.etag,"
        " last_modified = excluded.last_modified, content_hash = excluded.content_hash,"
        " failure = excluded.failure",
        (
            record.kind, record.address, record.address_hash, utc_stamp(record.pulled_at),
            record.outcome, record.created, record.updated, record.unchanged, record.kept,
            record.conflicts, record.message, v.etag, v.last_modified, v.content_hash,
            record.failure,
        ),
    )  # fmt: skip
