"""The sender: drains the outbox in order, within Telegram's limits, and never drops a row.

- At most `window` rows are claimed ('sending') at a time, besides those waiting for their
  chat's turn (not sent yet): after a kill -9 only the claimed can go out twice. Results
  are written in batches, with the next claim, in one transaction.
- A person has at most one row claimed at a time (see `storage.outbox.claim`): while one
  chat waits for its turn (~1 message a second), the other chats' rows keep the overall
  rate busy, and each chat's own rows go in order.
- Limits, backoff and the window: bot.reminders.pacing. Messages go out through a
  `Messenger` (bot.reminders.messenger), on a Bot of their own without PTB's rate limiter.
- Transient failures (5xx, timeouts, network errors, 429) are retried with backoff; a 429
  holds every send for its `retry_after`. After `max_attempts` in a row a message is parked
  (pending again, tried later), never dropped. A 403 marks the person unreachable: their
  rows wait until they come back, and the Office is told once.
- Reviewers' cards (ReminderKind.REVIEW) are written when they go out, by the register's `Cards`
  (bot.services.review.OutboxCards, whichever process queued them): a card whose report or
  request was decided meanwhile is not sent (cancelled).
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal, Protocol

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.clock import Clock
from bot.models import ROUND_KINDS, TASK_KINDS, ReminderKind
from bot.reminders.messenger import Card, CardMessenger, Messenger
from bot.reminders.pacing import Backoff, SendLimiter, default_window, retry_after
from bot.reminders.policy import Policy, in_quiet_hours, send_time
from bot.reminders.render import Notice, render
from storage import Database
from storage import outbox as store
from storage.outbox import OutboxItem, Outcome

log = logging.getLogger(__name__)


# --- what is no longer worth sending ---------------------------------------------------------


def stale_reason(item: OutboxItem, today: date) -> str | None:
    """Why a row must not go out any more (it is cancelled with this reason), or None."""
    if item.kind in TASK_KINDS and item.task_id is not None:
        if item.task_completed:
            return "task completed"
        if item.kind is not ReminderKind.ASSIGNED:
            if item.task_waiting:
                return "waiting for review"
            if item.task_deadline != item.deadline:
                return "deadline changed"
    if (
        item.kind is ReminderKind.FOLDED
        and item.lines
        and all(v.settled for v in item.lines.values())
    ):
        return "tasks completed or waiting for review"  # every task a morning message names
    if item.kind in ROUND_KINDS and item.day < today:
        return "expired: a later round replaces it"
    return None


def notice_of(item: OutboxItem) -> Notice:
    return Notice(
        kind=item.kind,
        detail=item.detail,
        task_code=item.task_code,
        task_title=item.task_title,
        deadline=item.task_deadline,
        lines=item.lines,
    )


# --- reviewers' cards -----------------------------------------------------------------------


class Cards(Protocol):
    """Writes and records the cards of outbox rows of kind REVIEW. Injected
    (bot.services.review knows how a card reads and where its message ids go; the sender
    does not)."""

    async def card(self, item: OutboxItem) -> Card | None:
        """The card as it stands now (None: its report or request is gone)."""
        ...

    async def sent(self, item: OutboxItem, message_id: int) -> None:
        """Remember the card's message: a decision edits it, a reply to it finds the task."""
        ...


# --- draining --------------------------------------------------------------------------------


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    parked: int = 0
    failed: int = 0
    cancelled: int = 0  # review cards whose item was decided before they went
    unreachable: list[int] = field(default_factory=list)


@dataclass(eq=False)
class _Slot:
    item: OutboxItem
    attempts: int = 0  # transient failures in this drain (429s not counted)
    due: float = 0.0  # monotonic time of its next try
    retry_after: float | None = None  # Telegram said when (429)
    card: Card | None = None  # a card sent (`message_id`) whose file is still to go
    message_id: int | None = None


class _Unsent(Exception):
    """A row that is not sent, and what becomes of it (not a failure of Telegram's)."""

    def __init__(self, state: Literal["failed", "parked", "cancelled"], reason: str) -> None:
        super().__init__(reason)
        self.state = state
        self.reason = reason


class Sender:
    """Drains due outbox rows: `await Sender(...).drain()` returns when none is due."""

    def __init__(
        self,
        db: Database,
        messenger: Messenger,
        *,
        clock: Clock,
        policy: Policy,
        limiter: SendLimiter,
        window: int | None = None,
        backoff: Backoff | None = None,
        max_attempts: int = 8,
        park_for: timedelta = timedelta(minutes=5),
        monotonic: Callable[[], float] = time.monotonic,
        cards: Cards | None = None,
    ) -> None:
        self.db = db
        self.messenger = messenger
        self.clock = clock
        self.policy = policy
        self.limiter = limiter
        self.window = window or default_window(limiter.rate)
        self.backoff = backoff or Backoff()
        self.max_attempts = max_attempts
        self.park_for = park_for
        self.monotonic = monotonic
        self.cards = cards
        self.batch = max(1, self.window // 2)  # rows claimed, results stored, at a time

    async def drain(self, *, should_stop: Callable[[], bool] = lambda: False) -> DrainReport:
        """Send what is due, in order, until nothing is; stops early (releasing what it
        claimed) when quiet hours begin or `should_stop()` says so."""
        await store.release_stale(self.db)  # one sender per database: these are a dead one's
        run = _Drain(self)
        try:
            await run.loop(should_stop)
        except asyncio.CancelledError:
            run.abandon()  # like a killed process: in-flight rows stay 'sending'
            raise
        return run.report


class _Drain:
    """One drain's in-memory state: the claimed rows, the sends in flight, the results."""

    def __init__(self, sender: Sender) -> None:
        self.s = sender
        self.report = DrainReport()
        self.queue: deque[_Slot] = deque()  # claimed, waiting for their turn or a retry
        self.held = 0  # of them, those waiting for their chat's own limit (not the window's)
        self.flying: dict[asyncio.Task[Outcome], _Slot] = {}
        self.results: list[Outcome] = []
        self.gone: set[int] = set()  # people found unreachable in this drain
        self.more = True  # the last claim was full: there may be more due rows
        self.last_flush = sender.monotonic()
        self.latency = 0.25  # seconds a send takes (moving average); Telegram's to start with

    def abandon(self) -> None:
        for task in self.flying:
            task.cancel()

    async def loop(self, should_stop: Callable[[], bool]) -> None:
        s = self.s
        while True:
            if should_stop() or in_quiet_hours(s.clock.now(), s.policy):
                await self._wind_down()
                return
            capacity = self._room()
            wanted = capacity if self.more and (capacity >= s.batch or not self.queue) else 0
            if wanted or self._time_to_flush():
                await self._exchange(wanted)
            wait = self._dispatch()
            if not self.queue and not self.flying:
                if self.results or self.more:
                    continue
                return
            if self.more and self._room() >= s.batch:
                continue  # rows now waiting for their chats made room: others' go meanwhile
            await self._await(wait)

    def _room(self) -> int:
        """Rows the window has room for: those waiting for their chat's turn take none."""
        return self.s.window - (len(self.queue) - self.held) - len(self.flying)

    def _time_to_flush(self) -> bool:
        if not self.results:
            return False
        return (
            len(self.results) >= self.s.batch
            or not self.flying
            or self.s.monotonic() - self.last_flush > 0.25
        )

    def _dispatch(self) -> float | None:
        """Start every queued send the limits allow now; the seconds until the next may go."""
        s = self.s
        now = s.monotonic()
        soonest: float | None = None
        kept: deque[_Slot] = deque()
        held = 0
        # No more in flight than the rate needs at the latency seen: each open connection
        # costs httpcore's pool CPU at every request (the window stays the upper bound).
        needed = max(2, math.ceil(s.limiter.rate * self.latency * 1.5))
        while self.queue and len(self.flying) < needed:
            slot = self.queue.popleft()
            item = slot.item
            if item.person_id in self.gone:
                self.results.append(Outcome(item, "released"))
                continue
            if item.chat_id is None:
                self._settle(slot, Outcome(item, "failed", error="not linked to Telegram"))
                continue
            wait = max(slot.due - now, 0.0) or s.limiter.wait_time(item.chat_id)
            if wait > 0:
                soonest = wait if soonest is None else min(soonest, wait)
                kept.append(slot)
                held += slot.due <= now and s.limiter.chat_wait(item.chat_id) > 0
                continue
            s.limiter.take(item.chat_id)
            task = asyncio.ensure_future(self._send(slot))
            self.flying[task] = slot
        kept.extend(self.queue)  # not looked at: they count as waiting for the window
        self.queue = kept
        self.held = held
        return soonest

    async def _send(self, slot: _Slot) -> Outcome:
        item = slot.item
        started = self.s.monotonic()
        try:
            if item.kind is ReminderKind.REVIEW:
                message_id = await self._send_card(slot)
            else:
                message_id = await self._send_message(item)
        except _Unsent as unsent:
            retry_at = self.s.clock.now() + self.s.park_for if unsent.state == "parked" else None
            return Outcome(item, unsent.state, error=unsent.reason, retry_at=retry_at)
        except RetryAfter as exc:
            seconds = retry_after(exc)
            self.s.limiter.hold(seconds)
            slot.retry_after = seconds
            return Outcome(item, "retry", error=f"429: retry after {seconds:g} s")
        except Forbidden as exc:
            return Outcome(item, "unreachable", error=f"403: {exc.message}")
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                return Outcome(item, "unreachable", error=f"400: {exc.message}")
            return Outcome(item, "failed", error=f"400: {exc.message}")
        except TelegramError as exc:  # 5xx, timeouts, network errors: try again
            return Outcome(item, "retry", error=f"{type(exc).__name__}: {exc.message}")
        except sqlite3.Error as exc:  # a card read from a busy database: try again
            return Outcome(item, "retry", error=f"database: {exc}")
        self.latency = 0.8 * self.latency + 0.2 * (self.s.monotonic() - started)
        return Outcome(item, "sent", message_id=message_id)

    async def _send_message(self, item: OutboxItem) -> int:
        assert item.chat_id is not None
        try:
            rendered = render(notice_of(item), item.language, self.s.policy)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            log.exception("reminder %s cannot be written", item.id)
            raise _Unsent("failed", f"cannot be written: {exc!r}") from exc
        return await self.s.messenger.send(item.chat_id, rendered.text, rendered.buttons)

    async def _send_card(self, slot: _Slot) -> int:
        """A reviewer's card as it stands now, recorded at once, then its file under it. A
        retry after the card went sends only the file. A decision taken between writing the
        card and recording it would miss this card: it is read again, and edited if changed."""
        item, cards, messenger = slot.item, self.s.cards, self.s.messenger
        assert item.chat_id is not None
        if cards is None:  # a Sender built for notices only (a unit test): kept, not lost
            raise _Unsent("parked", "this sender was built without a writer of review cards")
        if slot.message_id is None:
            try:
                card = await cards.card(item)
            except (KeyError, ValueError, TypeError) as exc:
                log.exception("review card %s cannot be written", item.id)
                raise _Unsent("failed", f"cannot be written: {exc!r}") from exc
            if card is None or not card.waiting:
                raise _Unsent("cancelled", "decided before it was sent")
            if card.file is not None and not isinstance(messenger, CardMessenger):
                raise _Unsent("failed", "this messenger cannot send files")
            message_id = await messenger.send(item.chat_id, card.text, card.buttons)
            slot.card, slot.message_id = card, message_id
            try:
                await cards.sent(item, message_id)
            except sqlite3.Error:  # sent all the same: its buttons work, decisions miss it
                log.exception("review card %s was sent but not recorded", item.id)
            await self._edit_if_decided(slot, card, message_id)
        card, message_id = slot.card, slot.message_id
        assert card is not None and message_id is not None
        if card.file is not None and isinstance(messenger, CardMessenger):
            await self._paced(item.chat_id)
            try:
                await messenger.send_file(item.chat_id, card.file, message_id)
            except BadRequest as exc:  # the card is there; a file Telegram refuses stays out
                if "chat not found" in exc.message.lower():
                    raise
                log.error("the file of review card %s was refused: %s", item.id, exc.message)
        return message_id

    async def _edit_if_decided(self, slot: _Slot, card: Card, message_id: int) -> None:
        cards, messenger = self.s.cards, self.s.messenger
        assert cards is not None and slot.item.chat_id is not None
        now = await cards.card(slot.item)
        if now is None or (now.text, now.buttons) == (card.text, card.buttons):
            return
        if not isinstance(messenger, CardMessenger):
            return
        try:
            await messenger.edit(slot.item.chat_id, message_id, now.text, now.buttons)
        except TelegramError as exc:
            log.warning("review card %s was not edited: %s", slot.item.id, exc)

    async def _paced(self, chat_id: int) -> None:
        """Wait for a token of the limits (a second message within one row's send)."""
        wait = self.s.limiter.wait_time(chat_id)
        if wait > 0:
            await asyncio.sleep(wait)
        self.s.limiter.take(chat_id)  # a send started meanwhile leaves a debt: later ones wait

    async def _await(self, wait: float | None) -> None:
        if not self.flying:
            await asyncio.sleep(wait or 0)
            return
        done, _ = await asyncio.wait(self.flying, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            slot = self.flying.pop(task)
            self._settle(slot, task.result())

    def _settle(self, slot: _Slot, outcome: Outcome) -> None:
        s = self.s
        report = self.report
        if outcome.state == "retry":
            report.retried += 1
            if slot.retry_after is not None:  # flow control, not a failure: wait as told
                slot.due, slot.retry_after = s.monotonic() + slot.retry_after, None
                self.queue.appendleft(slot)
            elif slot.attempts + 1 >= s.max_attempts:
                report.parked += 1
                retry_at = s.clock.now() + s.park_for
                outcome = Outcome(slot.item, "parked", error=outcome.error, retry_at=retry_at)
            else:
                slot.attempts += 1
                slot.due = s.monotonic() + s.backoff.delay(slot.attempts)
                self.queue.appendleft(slot)
        elif outcome.state == "sent":
            report.sent += 1
        elif outcome.state == "failed":
            report.failed += 1
            log.error("reminder %s refused by Telegram: %s", slot.item.id, outcome.error)
        elif outcome.state == "unreachable":
            self.gone.add(slot.item.person_id)
        elif outcome.state == "cancelled":
            report.cancelled += 1
        self.results.append(outcome)

    async def _exchange(self, limit: int) -> None:
        """Store the results and claim up to `limit` more rows, in one transaction."""
        s = self.s
        now = s.clock.now()
        today = s.policy.local(now).date()
        notice = store.Notice(day=today, not_before=send_time(now, s.policy))
        newly, claimed = await store.exchange(
            s.db,
            self.results,
            now=now,
            notice=notice,
            limit=limit,
            stale=lambda item: stale_reason(item, today),
        )
        for person_id in newly:
            log.warning("person %s is unreachable; the Office is told", person_id)
        self.report.unreachable += newly
        # After results, rows may be due again (notices added); after a claim, there are
        # more only if it was full.
        self.more = len(claimed) == limit if limit else self.more or bool(self.results)
        self.results = []
        self.last_flush = s.monotonic()
        self.queue.extend(_Slot(item) for item in claimed)

    async def _wind_down(self) -> None:
        """Quiet hours or shutdown: let the sends in flight finish, give the rest back."""
        while self.flying:
            await self._await(None)
        self.results += [Outcome(slot.item, "released") for slot in self.queue]
        self.queue.clear()
        self.held = 0
        if self.results:
            await self._exchange(0)
