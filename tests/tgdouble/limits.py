"""Telegram-like flood limits as token buckets on an injectable clock."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Clock", "ManualClock", "RateLimiter", "RateLimits", "TokenBucket"]

Clock = Callable[[], float]


class ManualClock:
    """A monotonic clock that moves only when told to (for fast rate-limit tests)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` per second."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass(frozen=True)
class RateLimits:
    """Limits per kind of bucket; a rate of None switches that bucket off."""

    global_rate: float | None = 30.0
    global_burst: int | None = None  # default: one second's worth
    per_chat_rate: float | None = 1.0
    per_chat_burst: int = 3
    group_per_minute: float | None = 20.0
    group_burst: int | None = None  # default: one minute's worth


class RateLimiter:
    """Decides whether a message-sending call may pass now; O(1) per call."""

    def __init__(self, limits: RateLimits, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.limits = limits
        self._global: TokenBucket | None = None
        self._chats: dict[int | str, TokenBucket] = {}
        self._groups: dict[int | str, TokenBucket] = {}
        self.configure(limits)

    def configure(self, limits: RateLimits) -> None:
        """Apply new limits; buckets start full again."""
        self.limits = limits
        now = self.clock()
        self._global = None
        if limits.global_rate is not None:
            burst = limits.global_burst or max(1, math.floor(limits.global_rate))
            self._global = TokenBucket(limits.global_rate, burst, now)
        self._chats.clear()
        self._groups.clear()

    def acquire(self, chat_id: int | str, is_group: bool) -> int | None:
        """Take a token from every bucket that applies, or return retry_after (≥ 1 s)."""
        limits = self.limits
        now = self.clock()
        buckets: list[TokenBucket] = []
        if self._global is not None:
            buckets.append(self._global)
        if limits.per_chat_rate is not None:
            bucket = self._chats.get(chat_id)
            if bucket is None:
                bucket = TokenBucket(limits.per_chat_rate, limits.per_chat_burst, now)
                self._chats[chat_id] = bucket
            buckets.append(bucket)
        if is_group and limits.group_per_minute is not None:
            bucket = self._groups.get(chat_id)
            if bucket is None:
                burst = limits.group_burst or max(1, math.floor(limits.group_per_minute))
                bucket = TokenBucket(limits.group_per_minute / 60.0, burst, now)
                self._groups[chat_id] = bucket
            buckets.append(bucket)
        wait = max((b.wait(now) for b in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take()
        return None
