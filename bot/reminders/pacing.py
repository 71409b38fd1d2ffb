"""The sender's pacing within Telegram's limits: token buckets, the backoff of retries, the
rows in flight, and the wait a 429 asks for. Pure: no database, no Bot.

- Limits: a token bucket overall (`[telegram] messages_per_second`) and one per chat
  (`per_chat_per_second`), each with a smaller burst than Telegram's, so the jitter of the
  network does not turn into 429s.
- Transient failures (5xx, timeouts, network errors, 429) are retried with `Backoff`; a 429
  holds every send for its `retry_after`.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.config import Settings


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
        return max(self._held_until - now, self._overall.wait(now), self._chat(chat_id, now))

    def chat_wait(self, chat_id: int) -> float:
        """Seconds before `chat_id`'s own limit lets a message go (the overall one aside)."""
        return self._chat(chat_id, self.clock())

    def _chat(self, chat_id: int, now: float) -> float:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Bucket(self.chat_rate, self.chat_burst, now)
        return chat.wait(now)

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


@dataclass(frozen=True, slots=True)
class Backoff:
    """Seconds to wait before the n-th retry of a transient failure (n ≥ 1)."""

    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.base * 2 ** max(0, attempt - 1))


def default_window(rate: float) -> int:
    """Rows in flight: enough to keep `rate` going through the network's latency (8 cover
    30/s at a quarter of a second each), and the most that may go out twice after a crash.
    No more than that: httpcore's connection pool costs CPU per open connection and request,
    and a round at 300/s is CPU-bound (measured: 4 in flight 2,25 ms a message, 16 2,57)."""
    return max(8, math.ceil(rate / 30))


def retry_after(error: RetryAfter) -> float:
    """The seconds Telegram asked to wait (PTB 22 warns about the attribute's future type)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
