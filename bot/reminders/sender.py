"""The sender: drains the outbox in order, within Telegram's limits, and never drops a row.

- At most `window` rows are claimed ('sending') at a time: after a kill -9 only those can
  go out twice. Results are written in batches, with the next claim, in one transaction.
- Limits: a token bucket overall (`[telegram] messages_per_second`) and one per chat
  (`per_chat_per_second`), each with a smaller burst than Telegram's, so the jitter of the
  network does not turn into 429s.
- Transient failures (5xx, timeouts, network errors, 429) are retried with backoff; a 429
  holds every send for its `retry_after`. After `max_attempts` in a row a message is parked
  (pending again, tried later), never dropped. A 403 marks the person unreachable: their
  rows wait until they come back, and the Office is told once.
- Outbox sends bypass PTB's AIORateLimiter (`outbox_bot`): it would retry 429s itself (and
  `rate_limit_args=0` cannot switch that off), hiding them from the sender's own pacing.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.clock import Clock
from bot.config import Settings
from bot.reminders.planner import ROUND_KINDS, TASK_KINDS, Kind
from bot.reminders.policy import Policy, in_quiet_hours, send_time
from bot.reminders.render import Buttons, Notice, render
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
        if item.kind is not Kind.ASSIGNED:
            if item.task_waiting:
                return "waiting for review"
            if item.task_deadline != item.deadline:
                return "deadline changed"
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


# --- Telegram's limits ----------------------------------------------------------------------------


class _Bucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def wait(self, now: float) -> float:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        missing = 1 - self.tokens
        return 0.0 if missing <= 1e-9 else missing / self.rate  # refills are not exact


class SendLimiter:
    """Token buckets, overall and per chat, on a monotonic clock (injectable for tests).

    The bursts default to half of Telegram's (its overall burst is one second's worth,
    its per-chat burst 3): sends paced at the same rate then reach the server within its
    limits even when the network delays some of them by up to half a second.
    """

    def __init__(
        self,
        *,
        rate: float,
        chat_rate: float,
        burst: float | None = None,
        chat_burst: float = 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.chat_rate = chat_rate
        self.burst = burst if burst is not None else max(1.0, math.floor(rate) / 2)
        self.chat_burst = chat_burst
        self.clock = clock
        self._overall = _Bucket(rate, self.burst, clock())
        self._chats: dict[int, _Bucket] = {}
        self._held_until = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SendLimiter:
        telegram = settings.telegram
        return cls(rate=telegram.messages_per_second, chat_rate=telegram.per_chat_per_second)

    def wait_time(self, chat_id: int) -> float:
        """Seconds before a message to `chat_id` may go (0: now)."""
        now = self.clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Bucket(self.chat_rate, self.chat_burst, now)
        return max(self._held_until - now, self._overall.wait(now), chat.wait(now), 0.0)

    def take(self, chat_id: int) -> None:
        """Spend one token of each bucket (after `wait_time` said 0)."""
        self._overall.tokens -= 1
        self._chats[chat_id].tokens -= 1
        if len(self._chats) > 4096:  # forget full buckets: a new one starts full anyway
            now = self.clock()
            for key, bucket in list(self._chats.items()):
                bucket.wait(now)
                if bucket.tokens >= bucket.burst:
                    del self._chats[key]

    def hold(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out for `seconds`."""
        self._held_until = max(self._held_until, self.clock() + seconds)


# --- how a message goes out ------------------------------------------------------------------


class Messenger(Protocol):
    async def send(self, chat_id: int, text: str, buttons: Buttons) -> int:
        """Send one HTML message; its message id. Raises telegram.error.TelegramError."""
        ...


class BotMessenger:
    """Sends through a telegram.Bot (a plain one: see `outbox_bot`), asking for the raw
    result: building PTB's Message and keyboard objects for thousands of reminders costs
    more CPU than the HTTP call itself."""

    def __init__(self, bot: Bot, *, read_timeout: float | None = None) -> None:
        self.bot = bot
        self.read_timeout = read_timeout

    async def send(self, chat_id: int, text: str, buttons: Buttons) -> int:
        fields: dict[str, object] = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": {"is_disabled": True},
        }
        if buttons:
            fields["reply_markup"] = {
                "inline_keyboard": [
                    [{"text": label, "callback_data": data} for label, data in row]
                    for row in buttons
                ]
            }
        # Bot API method names are case-insensitive; "sendmessage" keeps do_api_request from
        # warning that Bot.send_message exists (we want its raw dict, not a Message).
        if self.read_timeout is None:  # the request's own timeouts
            result = await self.bot.do_api_request("sendmessage", api_kwargs=fields)
        else:
            result = await self.bot.do_api_request(
                "sendmessage", api_kwargs=fields, read_timeout=self.read_timeout
            )
        return int(result["message_id"])


def outbox_bot(bot: Bot, settings: Settings, *, connections: int | None = None) -> Bot:
    """The application's bot (its token and server) as a plain Bot, without its rate
    limiter, on a pool of its own of at most `connections` (the sender's window): httpcore
    checks every pooled connection at each request, and a shared pool of 256 grows to
    dozens under a round, most of the sender's CPU. Close it with `await bot.shutdown()`."""
    size = connections or default_window(settings.telegram.messages_per_second)
    request = HTTPXRequest(connection_pool_size=size, pool_timeout=5.0)
    return Bot(
        token=bot.token,
        base_url=settings.telegram.api_base_url,
        base_file_url=settings.telegram.file_url,
        request=request,
        get_updates_request=request,
    )


# --- draining --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Backoff:
    """Seconds to wait before the n-th retry of a transient failure (n ≥ 1)."""

    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.base * 2 ** max(0, attempt - 1))


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    parked: int = 0
    failed: int = 0
    unreachable: list[int] = field(default_factory=list)


@dataclass(eq=False)
class _Slot:
    item: OutboxItem
    attempts: int = 0  # transient failures in this drain (429s not counted)
    due: float = 0.0  # monotonic time of its next try
    retry_after: float | None = None  # Telegram said when (429)


def default_window(rate: float) -> int:
    """Rows in flight: enough to keep `rate` going through the network's latency (8 cover
    30/s at a quarter of a second each), and the most that may go out twice after a crash.
    No more than that: httpcore's connection pool costs CPU per open connection and request,
    and a round at 300/s is CPU-bound (measured: 4 in flight 2,25 ms a message, 16 2,57)."""
    return max(8, math.ceil(rate / 30))


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
            capacity = s.window - len(self.queue) - len(self.flying)
            wanted = capacity if self.more and (capacity >= s.batch or not self.queue) else 0
            if wanted or self._time_to_flush():
                await self._exchange(wanted)
            wait = self._dispatch()
            if not self.queue and not self.flying:
                if self.results or self.more:
                    continue
                return
            await self._await(wait)

    def _stale(self, item: OutboxItem) -> str | None:
        return stale_reason(item, self.s.policy.local(self.s.clock.now()).date())

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
                continue
            s.limiter.take(item.chat_id)
            task = asyncio.ensure_future(self._send(slot))
            self.flying[task] = slot
        kept.extend(self.queue)
        self.queue = kept
        return soonest

    async def _send(self, slot: _Slot) -> Outcome:
        item = slot.item
        assert item.chat_id is not None
        try:
            rendered = render(notice_of(item), item.language, self.s.policy)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            log.exception("reminder %s cannot be written", item.id)
            return Outcome(item, "failed", error=f"cannot be written: {exc!r}")
        started = self.s.monotonic()
        try:
            message_id = await self.s.messenger.send(item.chat_id, rendered.text, rendered.buttons)
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
        self.latency = 0.8 * self.latency + 0.2 * (self.s.monotonic() - started)
        return Outcome(item, "sent", message_id=message_id)

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
        self.results.append(outcome)

    async def _exchange(self, limit: int) -> None:
        """Store the results and claim up to `limit` more rows, in one transaction."""
        s = self.s
        now = s.clock.now()
        notice = store.Notice(day=s.policy.local(now).date(), not_before=send_time(now, s.policy))
        newly, claimed = await store.exchange(
            s.db, self.results, now=now, notice=notice, limit=limit, stale=self._stale
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
        if self.results:
            await self._exchange(0)


def retry_after(error: RetryAfter) -> float:
    """The seconds Telegram asked to wait (PTB 22 warns about the attribute's future type)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
