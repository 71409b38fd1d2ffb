"""A strict Telegram Bot API test double for end-to-end tests of the real Application."""

from tests.tgdouble.html import EntityParseError, ParsedText, parse_html
from tests.tgdouble.limits import ManualClock, RateLimits
from tests.tgdouble.models import (
    Call,
    CallbackAnswer,
    FaultRecord,
    Refusal,
    Stats,
    StoredFile,
    TgGroup,
    TgMessage,
    TgUser,
)
from tests.tgdouble.server import DEFAULT_TOKEN, BotApiDouble, WaitTimeout

__all__ = [
    "DEFAULT_TOKEN",
    "BotApiDouble",
    "Call",
    "CallbackAnswer",
    "EntityParseError",
    "FaultRecord",
    "ManualClock",
    "ParsedText",
    "RateLimits",
    "Refusal",
    "Stats",
    "StoredFile",
    "TgGroup",
    "TgMessage",
    "TgUser",
    "WaitTimeout",
    "parse_html",
]
