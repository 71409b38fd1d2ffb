"""BotApiDouble: the product's Bot API server (bot.sandbox.botapi) with test-only controls.

A real PTB ``Application`` talks to it over HTTP; the test acts as users (messages, button
presses, documents) and reads what the bot did (calls, current messages, callback answers).
On top of the product's server, which is as strict as Telegram, the double adds what only
tests need: Telegram's flood limits (429s), fault injection (failures, dropped connections,
slow answers), every accepted call and refusal kept for reading, waiting for the bot
(``wait_for``, ``next_message``) and the refusal check at teardown (``expect_refusals``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal

from aiohttp import web

from bot.sandbox.botapi.models import Call, Refusal, Stats, TgGroup, TgMessage
from bot.sandbox.botapi.server import DEFAULT_TOKEN, BotApiServer, ChatLike, JsonDict
from bot.sandbox.botapi.spec import SPEC_PATH, ApiError, UploadedFile
from tests.tgdouble.limits import Clock, RateLimiter, RateLimits
from tests.tgdouble.models import FaultRecord

__all__ = ["DEFAULT_TOKEN", "BotApiDouble", "WaitTimeout"]

_UNSET: Any = object()
_RATED_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}
)


class WaitTimeout(AssertionError):
    """``wait_for``/``next_message`` gave up; the message lists what the bot did do."""


@dataclass
class _Fault:
    kind: Literal["fail", "drop", "slow"]
    remaining: int
    status: int = 502
    retry_after: int | None = None
    description: str | None = None
    seconds: float = 0.0
    after_processing: bool = False


@dataclass
class _Allowance:
    count: int | None
    match: str | None

    def matches(self, refusal: Refusal) -> bool:
        if self.match is None:
            return True
        needle = self.match.lower()
        return needle in refusal.reason.lower() or needle == refusal.method.lower()


@dataclass
class _Waiter:
    check: Callable[[], Any]
    future: asyncio.Future[Any]


@dataclass
class DoubleStats(Stats):
    """The server's counters and the faults served."""

    faults: int = 0


class BotApiDouble(BotApiServer):
    """A strict, in-process Telegram Bot API server for tests.

    Rate limits default to Telegram's (30 messages/s overall, 1/s per chat after a burst of
    3, 20/min per group); pass ``None`` to switch one off.
    """

    not_implemented = "Bad Request: method not implemented in double"

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "dondoc_test_bot",
        bot_first_name: str = "Dondoc Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        global_rate: float | None = 30.0,
        global_burst: int | None = None,
        per_chat_rate: float | None = 1.0,
        per_chat_burst: int = 3,
        group_per_minute: float | None = 20.0,
        group_burst: int | None = None,
        clock: Clock = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        spec_path: Path = SPEC_PATH,
    ) -> None:
        super().__init__(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            host=host,
            port=port,
            wall_clock=wall_clock,
            spec_path=spec_path,
        )
        self.rate_limits = RateLimits(
            global_rate=global_rate,
            global_burst=global_burst,
            per_chat_rate=per_chat_rate,
            per_chat_burst=per_chat_burst,
            group_per_minute=group_per_minute,
            group_burst=group_burst,
        )
        self._limiter = RateLimiter(self.rate_limits, clock)
        self.stats: DoubleStats = DoubleStats()
        self.refused: list[Refusal] = []
        self.faults_served: list[FaultRecord] = []
        self._calls: list[Call] = []
        self._cursors: dict[int, int] = {}
        self._waiters: list[_Waiter] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._allowances: list[_Allowance] = []

    async def stop(self) -> None:
        """Answer pending long polls and waits, and stop listening."""
        for waiter in self._waiters:
            if not waiter.future.done():
                waiter.future.cancel()
        await super().stop()

    # ----------------------------------------------------------------- flood limits

    def set_rate_limits(
        self,
        *,
        global_rate: float | None = _UNSET,
        global_burst: int | None = _UNSET,
        per_chat_rate: float | None = _UNSET,
        per_chat_burst: int = _UNSET,
        group_per_minute: float | None = _UNSET,
        group_burst: int | None = _UNSET,
    ) -> None:
        """Change some limits (None switches one off); buckets start full again."""
        current = self.rate_limits
        given: dict[str, Any] = {
            "global_rate": global_rate,
            "global_burst": global_burst,
            "per_chat_rate": per_chat_rate,
            "per_chat_burst": per_chat_burst,
            "group_per_minute": group_per_minute,
            "group_burst": group_burst,
        }
        changed = {k: v for k, v in given.items() if v is not _UNSET}
        self.rate_limits = dataclasses.replace(current, **changed)
        self._limiter.configure(self.rate_limits)

    def disable_rate_limits(self) -> None:
        """No 429s from the limiter (injected ones still happen)."""
        self.set_rate_limits(global_rate=None, per_chat_rate=None, group_per_minute=None)

    # ----------------------------------------------------------------- fault injection

    def _fault_key(self, method: str | None) -> str:
        if method is None:
            return "*"
        canonical = self.spec.by_lower.get(method.lower())
        if canonical is None:
            raise ValueError(f"{method} is not a Bot API method")
        return canonical

    def fail_next(
        self,
        method: str | None = None,
        times: int = 1,
        status: int = 502,
        *,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any) with ``status``.

        ``status=429`` sends ``parameters.retry_after`` (default 1 s).
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = _Fault(
            "fail", times, status=status, retry_after=retry_after, description=description
        )
        self._faults.setdefault(self._fault_key(method), deque()).append(fault)

    def slow(self, method: str | None, seconds: float, times: int = 1) -> None:
        """Delay the answer to the next ``times`` calls of ``method``."""
        fault = _Fault("slow", times, seconds=seconds)
        self._faults.setdefault(self._fault_key(method), deque()).append(fault)

    def drop_next(
        self, method: str | None = None, times: int = 1, *, after_processing: bool = False
    ) -> None:
        """Close the connection without an answer; ``after_processing`` applies the call
        first (the message is sent but the bot never learns it)."""
        fault = _Fault("drop", times, after_processing=after_processing)
        self._faults.setdefault(self._fault_key(method), deque()).append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.popleft()
                return fault
        return None

    # ----------------------------------------------------------------- refusals

    def expect_refusals(self, count: int | None = None, *, match: str | None = None) -> None:
        """Allow refusals: exactly ``count`` (None: any number) whose reason contains
        ``match`` (or whose method is ``match``); the fixture checks it at teardown."""
        self._allowances.append(_Allowance(count, match))

    def refusal_problems(self) -> list[str]:
        """What the refusal check at teardown complains about (empty: all is well)."""
        remaining = list(self.refused)
        problems: list[str] = []
        for allowance in self._allowances:
            matched = [r for r in remaining if allowance.matches(r)]
            if allowance.count is not None:
                if len(matched) != allowance.count:
                    problems.append(
                        f"expected {allowance.count} refusal(s) matching {allowance.match!r}, "
                        f"got {len(matched)}"
                    )
                matched = matched[: allowance.count]
            for refusal in matched:
                remaining.remove(refusal)
        if remaining:
            listing = "\n".join(f"  {i + 1}. {r}" for i, r in enumerate(remaining))
            problems.append(f"the Bot API double refused {len(remaining)} call(s):\n{listing}")
        return problems

    def calls(self, method: str | None = None) -> list[Call]:
        """Accepted calls in order, optionally of one method."""
        if method is None:
            return list(self._calls)
        return [c for c in self._calls if c.method == method]

    async def wait_for(
        self,
        predicate: Callable[[Call], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> Call:
        """The first accepted call (from index ``since``) matching ``predicate``; waits."""
        position = since

        def check() -> Call | None:
            nonlocal position
            calls = self._calls
            while position < len(calls):
                call = calls[position]
                position += 1
                if predicate(call):
                    return call
            return None

        result: Call = await self._wait(check, timeout, "a call matching the predicate")
        return result

    async def next_message(
        self,
        chat: ChatLike | int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> TgMessage:
        """The next bot message in ``chat`` not yet returned by next_message; waits."""
        chat_id = self._chat_id(chat)

        def check() -> TgMessage | None:
            log = self._bot_messages.get(chat_id)
            cursor = self._cursors.get(chat_id, 0)
            if log is not None and cursor < len(log):
                self._cursors[chat_id] = cursor + 1
                return log[cursor]
            return None

        result: TgMessage = await self._wait(check, timeout, f"a message to chat {chat_id}")
        return result

    async def _wait(
        self,
        check: Callable[[], Any],
        timeout: float,  # noqa: ASYNC109
        what: str,
    ) -> Any:
        found = check()
        if found is not None:
            return found
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(check, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise WaitTimeout(self._timeout_report(what, timeout)) from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _timeout_report(self, what: str, timeout: float) -> str:
        recent = "\n".join(
            f"  {c.method} {_short(c.params)}"
            for c in self._calls[-10:]
            if c.method != "getUpdates"
        )
        lines = [f"waited {timeout}s for {what}; last calls:", recent or "  (none)"]
        if self.refused:
            lines.append("refused:")
            lines.extend(f"  {r}" for r in self.refused[-5:])
        return "\n".join(lines)

    def _wake(self) -> None:
        if not self._waiters:
            return
        for waiter in list(self._waiters):
            if waiter.future.done():
                self._waiters.remove(waiter)
                continue
            found = waiter.check()
            if found is not None:
                waiter.future.set_result(found)
                self._waiters.remove(waiter)

    def _fault_response(self, fault: _Fault) -> web.Response:
        if fault.status == 429:
            self.stats.too_many_requests += 1
            retry = fault.retry_after or 1
            description = fault.description or f"Too Many Requests: retry after {retry}"
            return self._json_error(429, description, {"retry_after": retry})
        try:
            phrase = HTTPStatus(fault.status).phrase
        except ValueError:
            phrase = "Error"
        return self._json_error(fault.status, fault.description or phrase, None)

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise asyncio.CancelledError  # aiohttp closes the connection without an answer

    def _rate(self, method: str, chat: ChatLike) -> None:
        if method not in _RATED_METHODS:
            return
        retry_after = self._limiter.acquire(chat.id, isinstance(chat, TgGroup))
        if retry_after is not None:
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    # ----------------------------------------------------------------- the HTTP layer's hooks

    async def _call(
        self, request: web.Request, method: str, raw: JsonDict, files: dict[str, UploadedFile]
    ) -> web.StreamResponse:
        fault = self._take_fault(method)
        if fault is not None:
            self.stats.faults += 1
            served = fault.status if fault.kind == "fail" else None
            self.faults_served.append(FaultRecord(method, fault.kind, served))
            if fault.kind == "slow":
                await asyncio.sleep(fault.seconds)
            elif fault.kind == "fail":
                return self._fault_response(fault)
            elif not fault.after_processing:
                return self._drop(request)
        response = await super()._call(request, method, raw, files)
        if fault is not None and fault.kind == "drop" and response.status == 200:
            return self._drop(request)
        return response

    def _accepted(self, call: Call) -> None:
        self._calls.append(call)
        super()._accepted(call)
        self._wake()

    def _refused(self, refusal: Refusal) -> None:
        self.refused.append(refusal)
        super()._refused(refusal)

    def _error(self, method: str, params: JsonDict, error: ApiError) -> web.Response:
        if error.status == 429:
            self.stats.too_many_requests += 1
        return super()._error(method, params, error)


def _short(params: JsonDict) -> str:
    text = json.dumps(params, ensure_ascii=False, default=repr)
    return text if len(text) <= 160 else text[:157] + "..."
