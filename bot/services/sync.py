"""The pull: the e-office's exports fetched over HTTP and merged into the register.

`pull` fetches each configured address (units, then people, then tasks) with one
`httpx.AsyncClient`: timeouts, a redirect limit, the size cap enforced while the body
streams in, and conditional requests (ETag, Last-Modified) so an unchanged export costs a
304; a body with the same hash as the last one imported is unchanged too. A new body is read
as CSV, XLSX or JSON and imported by `import_table`, all or nothing, with the same merge as
`dondoc import`. Each kind's last pull is kept (storage/sync.py); admins are told of a
failure once per distinct failure, once when it works again, and of a pull that changed
something; people are told of their new and reassigned tasks as an import tells them.
The running bot's scheduled pull, `pull_now`, is one of its jobs (bot/services/reminders.py);
`sync_status` is what `dondoc sync status` shows.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.config import Settings, SyncSettings, redacted
from bot.formats import format_int, format_value
from bot.import_summary import summary_lines
from bot.importer import Cell, FileProblem, ImportResult, Table, read_table
from bot.models import ImportKind, PlannedReminder, ReminderKind, Role
from bot.reminders.policy import Policy, send_time
from bot.services.imports import announce_import, import_table
from bot.texts import plain
from storage import Database, outbox
from storage import sync as store
from storage.sync import PullRecord, Validator

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
SHOWN_ERRORS = 5  # bad rows named in a failure; the rest are counted
SHOWN_CONFLICTS = 10  # conflicts listed in the admins' summary
NOTICE_LIMIT = 3500  # characters of the admins' message (Telegram allows 4096)

_TYPES = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/json": "json",
    "text/json": "json",
    "text/html": "html",
    "application/xhtml+xml": "html",
}
_SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json"}


class SyncFailure(Exception):
    """Why a pull of one address brought nothing in; `key` is its text in the catalogue."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, lang: str) -> str:
        values = {name: format_value(value, lang) for name, value in self.values.items()}
        return plain(lang, self.key, **values)

    @property
    def fingerprint(self) -> str:
        """The same for the same failure: a notice is sent once per distinct one."""
        text = json.dumps([self.key, self.values], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: its body (None: 304 Not Modified) and what tells its version."""

    body: bytes | None
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class KindPull:
    """One kind's pull: unchanged (304 or same content), imported, or failed."""

    kind: ImportKind
    address: str  # as shown: no credentials, no query
    outcome: str
    result: ImportResult | None = None
    failure: SyncFailure | None = None
    not_modified: bool = False  # unchanged by a 304 (else by the same content)
    validator: Validator = field(default_factory=Validator)

    @property
    def changed(self) -> bool:
        result = self.result
        return result is not None and bool(result.created or result.updated or result.conflicts)

    def lines(self, lang: str) -> list[str]:
        """What `dondoc sync` prints for this kind."""
        name = plain(lang, f"import.kind.{self.kind.value}")
        if self.failure is not None:
            head = plain(lang, "sync.failed", kind=name, address=self.address,
                         reason=self.failure.message(lang))  # fmt: skip
            return [head, *_row_errors(self.result, lang)]
        if self.outcome == "unchanged":
            how = "sync.unchanged_304" if self.not_modified else "sync.unchanged_same"
            return [plain(lang, how, kind=name, address=self.address)]
        assert self.result is not None
        return summary_lines(self.result, lang, details=self.result.dry_run)


def _row_errors(result: ImportResult | None, lang: str) -> list[str]:
    if result is None or not result.errors:
        return []
    lines = [f"  {error.message(lang)}" for error in result.errors[:SHOWN_ERRORS]]
    if len(result.errors) > SHOWN_ERRORS:
        more = format_int(len(result.errors) - SHOWN_ERRORS, lang)
        lines.append("  " + plain(lang, "sync.more_errors", count=more))
    return lines


# --- fetching ------------------------------------------------------------------------------


def make_client(sync: SyncSettings) -> httpx.AsyncClient:
    """The one client of a pull: timeouts and a redirect limit."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(sync.timeout_seconds),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": "dondoc-sync"},
    )


async def fetch(
    client: httpx.AsyncClient, url: str, sync: SyncSettings, validator: Validator
) -> Fetched:
    """The address's body (None when the server says 304), at most `max_megabytes`, within
    `timeout_seconds` in all. SyncFailure says why not."""
    limit = int(sync.max_megabytes * 1024 * 1024)
    sent = {name: value.get_secret_value() for name, value in sync.headers.items()}
    if validator.etag:
        sent["If-None-Match"] = validator.etag
    if validator.last_modified:
        sent["If-Modified-Since"] = validator.last_modified
    try:
        async with asyncio.timeout(sync.timeout_seconds):
            async with client.stream("GET", url, headers=sent) as response:
                if response.status_code == 304:
                    return Fetched(None)
                if response.status_code != 200:
                    status = f"{response.status_code} {response.reason_phrase}".strip()
                    raise SyncFailure("sync.fail.status", status=status)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise SyncFailure("sync.fail.too_large", megabytes=sync.max_megabytes)
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise SyncFailure("sync.fail.too_large", megabytes=sync.max_megabytes)
                headers = response.headers
                return Fetched(
                    bytes(body), headers.get("Content-Type", ""), headers.get("ETag"),
                    headers.get("Last-Modified"),
                )  # fmt: skip
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise SyncFailure("sync.fail.timeout", seconds=float(sync.timeout_seconds)) from exc
    except httpx.TooManyRedirects as exc:
        raise SyncFailure("sync.fail.redirects", count=MAX_REDIRECTS) from exc
    except httpx.HTTPError as exc:
        # Never the address itself in the reason: its query may hold a key.
        raise SyncFailure("sync.fail.unreachable", detail=type(exc).__name__) from exc


# --- reading the body ----------------------------------------------------------------------


def _looks_html(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and any(
        tag in head for tag in (b"<html", b"<!doctype html", b"<head", b"<body")
    )


def detect_format(content_type: str, url: str, body: bytes) -> str:
    """csv, xlsx, json or html: by the Content-Type, else the address's ending, else the
    content itself. A web page is html whatever it claims to be (a login page)."""
    if _looks_html(body):
        return "html"
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in _TYPES:
        return _TYPES[mime]
    if mime.endswith("+json"):
        return "json"
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if body.startswith(b"PK\x03\x04"):
        return "xlsx"
    if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def body_table(body: bytes, fmt: str, kind: ImportKind, url: str) -> Table:
    """The body as the import's table. Raises SyncFailure or FileProblem."""
    if fmt == "html":
        raise SyncFailure("sync.fail.html")
    if fmt == "json":
        return json_table(body, kind)
    name = PurePosixPath(urlsplit(url).path).name
    if _SUFFIXES.get(PurePosixPath(name).suffix.lower()) != fmt:
        name = f"{kind.value}.{fmt}"
    # The importer reads files: the body goes through one, so its cells are read the same.
    with tempfile.TemporaryDirectory(prefix="dondoc-sync-") as folder:
        path = Path(folder) / name
        path.write_bytes(body)
        return read_table(path)


def json_table(body: bytes, kind: ImportKind) -> Table:
    """A list of objects (keys: any of the three column namings), or an object holding one
    under `units`, `people` or `tasks`; the n-th object is row n."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SyncFailure("sync.fail.json") from exc
    items = data.get(kind.value) if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise SyncFailure("sync.fail.json_shape", field=kind.value)
    headers: dict[str, None] = {}
    for item in items:
        headers.update(dict.fromkeys(str(key) for key in item))
    if not headers:
        raise SyncFailure("sync.fail.empty")
    rows = []
    for number, item in enumerate(items, 1):
        cells = tuple(_cell(item.get(header)) for header in headers)
        if any(cell not in (None, "") for cell in cells):
            rows.append((number, cells))
    return Table(tuple(headers), rows)


def _cell(value: Any) -> Cell:
    if value is None or isinstance(value, str | float) or type(value) is int:
        return value
    if isinstance(value, list):
        return ", ".join("" if v is None else str(v) for v in value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)


# --- one pull ------------------------------------------------------------------------------


def _address_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


async def pull_kind(
    db: Database,
    client: httpx.AsyncClient,
    kind: ImportKind,
    url: str,
    sync: SyncSettings,
    previous: PullRecord | None,
    *,
    today: date,
    now: datetime,
    dry_run: bool,
) -> KindPull:
    """Fetch one address and import it, all or nothing; never raises for a bad answer."""
    address = redacted(url)
    known = previous is not None and previous.address_hash == _address_hash(url)
    validator = previous.validator if previous is not None and known else Validator()
    try:
        fetched = await fetch(client, url, sync, validator)
        if fetched.body is None:
            return KindPull(kind, address, "unchanged", not_modified=True, validator=validator)
        digest = hashlib.sha256(fetched.body).hexdigest()
        seen = Validator(fetched.etag, fetched.last_modified, digest)
        if digest == validator.content_hash:
            return KindPull(kind, address, "unchanged", validator=seen)
        fmt = detect_format(fetched.content_type, url, fetched.body)
        table = await asyncio.to_thread(body_table, fetched.body, fmt, kind, url)
        result = await import_table(
            db, kind, table, today=today, now=now, source=address, dry_run=dry_run
        )
    except SyncFailure as exc:
        return KindPull(kind, address, "failed", failure=exc, validator=validator)
    except FileProblem as problem:  # a truncated XLSX, a CSV not in UTF-8: said as the import
        failure = SyncFailure(problem.key, **problem.values)
        return KindPull(kind, address, "failed", failure=failure, validator=validator)
    if not result.ok:
        rows = len({error.row for error in result.errors})
        # The same bad rows are one failure (told once); other bad rows are another.
        said = json.dumps([(e.row, e.column, e.value, e.reason) for e in result.errors])
        failure = SyncFailure(
            "sync.fail.rows", errors=len(result.errors), rows=rows,
            rows_digest=hashlib.sha256(said.encode()).hexdigest()[:16],
        )  # fmt: skip
        return KindPull(kind, address, "failed", result, failure, validator=validator)
    return KindPull(kind, address, "imported", result, validator=seen)


# --- a pull of every address ---------------------------------------------------------------


async def pull(
    db: Database, settings: Settings, *, today: date, now: datetime, dry_run: bool = False
) -> list[KindPull]:
    """One pull of every configured address, units then people then tasks. Unless a dry
    run: each kind's pull is remembered, people are told of their new and reassigned tasks,
    and admins of what they should know (`admin_lines`), in one message."""
    sync = settings.sync
    addresses = sync.addresses
    if not addresses:
        return []
    last = await store.last_pulls(db)
    pulls: list[KindPull] = []
    async with make_client(sync) as client:
        for name, url in addresses.items():
            done = await pull_kind(
                db, client, ImportKind(name), url, sync, last.get(name), today=today, now=now,
                dry_run=dry_run,
            )  # fmt: skip
            pulls.append(done)
            if dry_run:
                continue
            await store.save_pull(db, _record(done, url, now, settings.organization.language))
            if done.result is not None and done.result.ok:
                await announce_import(db, settings, done.result.assigned, now=now)
    if not dry_run:
        await tell_admins(db, settings, admin_lines(pulls, last, settings), now=now)
    for done in pulls:
        if done.failure is not None:
            log.warning("sync of %s failed: %s", done.address, done.failure.message("en"))
    return pulls


def _record(done: KindPull, url: str, now: datetime, lang: str) -> PullRecord:
    result = done.result if done.failure is None else None
    counts = (
        (result.created, result.updated, result.unchanged, result.kept, len(result.conflicts))
        if result is not None
        else (0, 0, 0, 0, 0)
    )
    failure = done.failure
    return PullRecord(
        done.kind.value, done.address, _address_hash(url), now, done.outcome, *counts,
        message=None if failure is None else failure.message(lang), validator=done.validator,
        failure=None if failure is None else failure.fingerprint,
    )  # fmt: skip


def admin_lines(
    pulls: Sequence[KindPull], last: dict[str, PullRecord], settings: Settings
) -> list[str]:
    """What admins are told of a pull: a failure not told before, a kind that works again,
    and the summary of each kind that changed something (its conflicts, the first few)."""
    lang = settings.organization.language
    lines: list[str] = []
    for done in pulls:
        previous = last.get(done.kind.value)
        told = previous.failure if previous is not None else None
        if done.failure is not None:
            if done.failure.fingerprint != told:
                lines.extend(done.lines(lang))
            continue
        if told is not None:
            name = plain(lang, f"import.kind.{done.kind.value}")
            lines.append(plain(lang, "sync.recovered", kind=name, address=done.address))
        if done.changed and done.result is not None:
            summary = summary_lines(done.result, lang)
            shown = summary[: 2 + SHOWN_CONFLICTS]  # the summary, the conflicts' heading, …
            lines.extend(shown)
            if len(summary) > len(shown):
                more = format_int(len(summary) - len(shown), lang)
                lines.append("  " + plain(lang, "sync.more_conflicts", count=more))
    return lines


async def tell_admins(
    db: Database, settings: Settings, lines: Sequence[str], *, now: datetime
) -> int:
    """One message to each admin linked to Telegram, through the outbox. Returns the rows."""
    if not lines:
        return 0
    text = "\n".join(lines)
    if len(text) > NOTICE_LIMIT:
        text = text[: NOTICE_LIMIT - 1] + "…"
    policy = Policy.from_settings(settings)
    at = send_time(now, policy)
    day = policy.local(at).date()
    detail = {"key": "sync.notice", "values": {"lines": text}}
    # One message per pull and text: the outbox keeps one row per day, person and subject.
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    subject = f"sync:{now.isoformat(timespec='microseconds')}:{digest}"
    notices = [
        PlannedReminder(ReminderKind.NOTICE, person.id, subject, day, at, detail=detail)
        for person in await outbox.recipients(db)
        if person.role is Role.ADMIN
    ]
    return await outbox.add_planned(db, notices, now=now) or 0


async def sync_status(db: Database) -> list[PullRecord]:
    """The last pull of each kind, units then people then tasks (`dondoc sync status`)."""
    pulls = await store.last_pulls(db)
    return [pulls[kind.value] for kind in ImportKind if kind.value in pulls]
