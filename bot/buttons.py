"""The data each kind of inline button carries, made and read by one small codec per
prefix (pure: the keyboard itself is bot/keyboards.py).

Button data carries no authority (whoever pressed is checked again) and may be forged or
stale: `parse` gives None for anything that is not exactly what `make` writes. Telegram
takes at most 64 bytes of data; `make` gives None when a code is too long for that (the
button is then left out; the typed command still works). The pager's data (`pg:`) has
its codec in bot/paging.py (`pager_data`, `parse_pager`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.paging import CALLBACK_LIMIT

_NUMBER = re.compile(r"[0-9]{1,9}")  # ids and pages: ASCII digits, an int of any column


def _fits(data: str) -> bool:
    # surrogatepass: forged data may hold a lone surrogate; it is measured, not an error
    return len(data.encode("utf-8", "surrogatepass")) <= CALLBACK_LIMIT


def _number(text: str) -> int | None:
    return int(text) if _NUMBER.fullmatch(text) else None


def _rest(prefix: str, data: str) -> str | None:
    """What follows `prefix:` in `data`; None for other data or data Telegram never sends."""
    head, colon, rest = data.partition(":")
    return rest if head == prefix and colon and _fits(data) else None


@dataclass(frozen=True, slots=True)
class CodeButton:
    """`<prefix>:<CODE>`: a button about one task: its card (`task:`), a completion report
    (`done:`) or an extension request (`ext:`)."""

    prefix: str

    def make(self, code: str) -> str | None:
        data = f"{self.prefix}:{code}"
        return data if code and _fits(data) else None

    def parse(self, data: str) -> str | None:
        """The task's code, as the button carried it (looked up again by the handler)."""
        code = _rest(self.prefix, data)
        return code or None


TASK = CodeButton("task")
DONE = CodeButton("done")
EXTEND = CodeButton("ext")


@dataclass(frozen=True, slots=True)
class LanguageButton:
    """`lang:<code>`: a language chosen (the handler checks it is one the bot speaks, as
    it does for `/lang code`)."""

    prefix: str = "lang"

    def make(self, code: str) -> str:
        return f"{self.prefix}:{code}"

    def parse(self, data: str) -> str | None:
        return _rest(self.prefix, data)


LANGUAGE = LanguageButton()

REVIEW_ACTIONS = ("a", "r", "g", "d", "x")  # accept, return, grant, another date, refuse


@dataclass(frozen=True, slots=True)
class ReviewPress:
    action: str  # one of REVIEW_ACTIONS
    item_id: int


@dataclass(frozen=True, slots=True)
class ReviewButton:
    """`rv:<action>:<id>`: a reviewer's decision on a report or a request."""

    prefix: str = "rv"

    def make(self, action: str, item_id: int) -> str:
        if action not in REVIEW_ACTIONS or item_id < 0:
            raise ValueError(f"no review button {action!r} for item {item_id}")
        return f"{self.prefix}:{action}:{item_id}"

    def parse(self, data: str) -> ReviewPress | None:
        action, _, number = (_rest(self.prefix, data) or "").partition(":")
        item_id = _number(number)
        if action not in REVIEW_ACTIONS or item_id is None:
            return None
        return ReviewPress(action, item_id)


REVIEW = ReviewButton()

PAUSE_ACTIONS = ("pause", "resume")


@dataclass(frozen=True, slots=True)
class PauseButton:
    """`rem:pause` / `rem:resume`: the weekly reminders paused or resumed."""

    prefix: str = "rem"

    def make(self, pause: bool) -> str:
        return f"{self.prefix}:{'pause' if pause else 'resume'}"

    def parse(self, data: str) -> str | None:
        action = _rest(self.prefix, data)
        return action if action in PAUSE_ACTIONS else None


PAUSE = PauseButton()


@dataclass(frozen=True, slots=True)
class UnitPage:
    """A page of a unit's list (`ov:u`, `unit:`), or of the list of units (`ov:p`: None)."""

    unit_id: int | None
    page: int


@dataclass(frozen=True, slots=True)
class OverdueButton:
    """`ov:p:<page>` (the list of units with overdue tasks) and `ov:u:<unit id>:<page>`
    (one unit's overdue tasks)."""

    prefix: str = "ov"

    def make(self, unit_id: int | None, page: int) -> str:
        if page < 0 or (unit_id is not None and unit_id < 0):
            raise ValueError(f"no overdue button for unit {unit_id}, page {page}")
        if unit_id is None:
            return f"{self.prefix}:p:{page}"
        return f"{self.prefix}:u:{unit_id}:{page}"

    def parse(self, data: str) -> UnitPage | None:
        parts = (_rest(self.prefix, data) or "").split(":")
        numbers = [_number(part) for part in parts[1:]]
        if None in numbers:
            return None
        if parts[0] == "p" and len(numbers) == 1:
            return UnitPage(None, numbers[0] or 0)
        if parts[0] == "u" and len(numbers) == 2:
            return UnitPage(numbers[0], numbers[1] or 0)
        return None


OVERDUE = OverdueButton()


@dataclass(frozen=True, slots=True)
class UnitButton:
    """`unit:<unit id>:<page>`: a unit chosen among several, or a page of its tasks."""

    prefix: str = "unit"

    def make(self, unit_id: int, page: int) -> str:
        if unit_id < 0 or page < 0:
            raise ValueError(f"no unit button for unit {unit_id}, page {page}")
        return f"{self.prefix}:{unit_id}:{page}"

    def parse(self, data: str) -> UnitPage | None:
        unit, _, page = (_rest(self.prefix, data) or "").partition(":")
        unit_id, number = _number(unit), _number(page)
        if unit_id is None or number is None:
            return None
        return UnitPage(unit_id, number)


UNIT = UnitButton()
