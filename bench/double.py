"""The Bot API test double (tests/tgdouble) as the benchmarks use it: every accepted call
stamped with the moment it arrived, so latencies and rates can be read off afterwards."""

from __future__ import annotations

import time
from typing import Any

from tests.tgdouble.models import Call
from tests.tgdouble.server import BotApiDouble


class TimedDouble(BotApiDouble):
    """A BotApiDouble that keeps `time.perf_counter()` of each accepted call."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.call_times: list[float] = []

    def _wake(self) -> None:
        # Called by the double right after it accepted (and recorded) a call.
        now = time.perf_counter()
        while len(self.call_times) < len(self._calls):
            self.call_times.append(now)
        super()._wake()

    def timed_calls(self, method: str | None = None) -> list[tuple[float, Call]]:
        return [
            (at, call)
            for at, call in zip(self.call_times, self._calls, strict=False)
            if method is None or call.method == method
        ]


def limits(rate: float) -> dict[str, Any]:
    """The double's limits for a benchmark: `rate` messages/s overall (a burst of one second's
    worth, as Telegram), per chat and per group as Telegram's."""
    return {"global_rate": rate, "per_chat_rate": 1.0, "per_chat_burst": 3}
