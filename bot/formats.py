"""Numbers, percentages and dates the Vietnamese way (English on request), and dates typed
by users.

`1.132`, `95,8%`, `31/03/2020`. Percentages have one decimal, rounded half up; the parts
of one whole are rounded together (largest remainder) so that they add up to 100,0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from bot.paging import text_length
from bot.workdays import WorkCalendar, vietnam_calendar

_TENTH = Decimal("0.1")
_ZERO = Decimal("0.0")


def _locale(lang: str) -> str:
    return "en" if lang == "en" else "vi"


# Babel's group and decimal separators, as str.translate tables from Python's "," and ".".
_SEPARATORS = {"vi": str.maketrans(",.", ".,"), "en": str.maketrans("", "")}


def format_int(n: int, lang: str = "vi") -> str:
    """`1.132` in Vietnamese, `1,132` in English. Written out rather than through Babel's
    format_decimal, which costs ~0.2 ms a call: lists of hundreds of rows call this per row."""
    return f"{n:,}".translate(_SEPARATORS[_locale(lang)])


def format_number(value: float, lang: str = "vi") -> str:
    """A setting's amount as people write it: `0,3` and `1.024` in Vietnamese (`0.3`,
    `1,024` in English), up to three decimals, no trailing zeros."""
    return str(format_decimal(value, format="#,##0.###", locale=_locale(lang)))


def format_percent(value: Decimal, lang: str = "vi") -> str:
    """A percentage with one decimal: `95,8%` (`95.8%` in English). `value` is in percent.
    Written out as Babel's `#,##0.0%` writes it (a test holds them equal): Babel took
    ~40 µs a call, and /stats writes a dozen."""
    tenths = value.quantize(_TENTH, rounding=ROUND_HALF_UP)
    return f"{tenths:,.1f}".translate(_SEPARATORS[_locale(lang)]) + "%"


def format_date(d: date) -> str:
    """`31/03/2020`, in both languages."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_value(value: object, lang: str = "vi") -> object:
    """A value put into a message as people read it: a count as `format_int` writes it, an
    amount as `format_number`, a date as `format_date`; anything else (text, a flag) as it
    is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return format_int(value, lang)
    if isinstance(value, float):
        return format_number(value, lang)
    return format_date(value) if isinstance(value, date) else value


def two_digits(n: int, lang: str = "vi") -> str:
    """A count as the formal report writes it: under 10 with two digits (`05`), else `118`."""
    if 0 <= n < 10:
        return f"{n:02d}"
    return format_int(n, lang)


def _tenths(part: int, whole: int) -> int:
    """part/whole in tenths of a percent, rounded half up (part, whole >= 0; whole > 0)."""
    return (part * 2000 + whole) // (2 * whole)


def percent(part: int, whole: int) -> Decimal:
    """part as a percentage of whole, one decimal, rounded half up; 0,0 when whole is 0."""
    if whole <= 0:
        return _ZERO
    return Decimal(_tenths(part, whole)).scaleb(-1)


def shares(parts: Sequence[int]) -> list[Decimal]:
    """Each part's share of the sum in percent, one decimal, adding up to exactly 100,0.

    Largest remainder: every share is first rounded down to a tenth, then the tenths still
    missing go to the parts with the largest remainders (ties: the earlier part).
    """
    if any(part < 0 for part in parts):
        raise ValueError(f"shares of negative counts: {list(parts)}")
    whole = sum(parts)
    if whole == 0:
        return [_ZERO for _ in parts]
    floors = [part * 1000 // whole for part in parts]
    remainders = [part * 1000 % whole for part in parts]
    missing = 1000 - sum(floors)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:missing]:
        floors[i] += 1
    return [Decimal(tenths).scaleb(-1) for tenths in floors]


# --- what users typed, repeated in an answer ------------------------------------------------

ECHO_CHARS = 60  # a code, a name or a date the user typed, as an answer repeats it


def cut(text: str, limit: int) -> str:
    """`text` cut to `limit` characters as Telegram counts them (UTF-16 units: an emoji is
    two), with an ellipsis; lines kept. What a user typed then fits the card or the answer
    whatever it holds."""
    if len(text) <= limit // 2 or text_length(text) <= limit:
        return text
    units = text.encode("utf-16-le")[: 2 * (limit - 1)]
    return units.decode("utf-16-le", "ignore").rstrip() + "…"  # a split emoji is left out


def echo(text: str, limit: int = ECHO_CHARS) -> str:
    """What a user typed, as an answer repeats it: on one line, cut to `limit` (a
    4.096-character argument must not make the answer too long for Telegram). Escape it as
    any value (`bot.texts.t` does)."""
    return cut(" ".join(text.split()), limit)


# --- dates typed by users ------------------------------------------------------------------


class DateInputError(ValueError):
    """A date the user typed that is not understood; `reason` is a catalogue key's tail.

    Reasons: "bad_format" (not one of the accepted shapes), "no_such_day" (31/02),
    "out_of_range" (a year or an offset too far away).
    """

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason
        self.text = text


_DAY_MONTH = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_OFFSET = re.compile(r"^\+\s*(\d+)\s*(n)?$", re.IGNORECASE)
MAX_OFFSET_DAYS = 3650
MIN_YEAR = 1990
MAX_YEAR = 2100


def parse_user_date(text: str, *, today: date, calendar: WorkCalendar | None = None) -> date:
    """A date typed by a user: `15/4`, `15/04/2020`, `5/4/2020`, `2020-04-15`, `+7`, `+5n`.

    `dd/mm` is in today's year (even when already past: the caller decides whether a past
    date is allowed). `+N` is N calendar days from today; `+Nn` is N working days
    ("ngày làm việc") from today, by `calendar` (Vietnam's by default).
    """
    raw = text.strip()
    if match := _OFFSET.match(raw):
        n = int(match.group(1))
        if n > MAX_OFFSET_DAYS:
            raise DateInputError("out_of_range", text)
        if match.group(2):
            return (calendar or vietnam_calendar()).add_working_days(today, n)
        return today + timedelta(days=n)
    if match := _DAY_MONTH.match(raw):
        day, month, year = match.group(1), match.group(2), match.group(3)
        return _make_date(int(year) if year else today.year, int(month), int(day), raw)
    if match := _ISO.match(raw):
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day), raw)
    raise DateInputError("bad_format", text)


def _make_date(year: int, month: int, day: int, text: str) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateInputError("out_of_range", text)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateInputError("no_such_day", text) from exc
