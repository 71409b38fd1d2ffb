"""How an outbox message goes out: the `Messenger` the sender sends through, the shape of a
reviewer's card (`Card`, `Attachment`), and the plain Bot they go out on.

Outbox sends bypass PTB's AIORateLimiter (`outbox_bot`): it would retry 429s itself (and
`rate_limit_args=0` cannot switch that off), hiding them from the sender's own pacing
(bot.reminders.pacing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from telegram import Bot
from telegram.constants import ParseMode

from bot.config import Settings
from bot.reminders.pacing import default_window
from bot.reminders.render import Buttons
from bot.reminders.transport import AiohttpRequest


class Messenger(Protocol):
    async def send(self, chat_id: int, text: str, buttons: Buttons) -> int:
        """Send one HTML message; its message id. Raises telegram.error.TelegramError."""
        ...


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent again by its Telegram file id, under a message (a report's file)."""

    file_id: str
    kind: str  # "photo" or "document"
    caption: str  # HTML


@dataclass(frozen=True, slots=True)
class Card:
    """A message written from the register when it goes out (a reviewer's card)."""

    text: str  # HTML
    buttons: Buttons
    waiting: bool = True  # False: decided meanwhile, so not worth sending
    file: Attachment | None = None


@runtime_checkable
class CardMessenger(Messenger, Protocol):
    """A messenger that can also send a file under a message and edit a message."""

    async def send_file(self, chat_id: int, file: Attachment, reply_to: int) -> int: ...

    async def edit(self, chat_id: int, message_id: int, text: str, buttons: Buttons) -> None: ...


class BotMessenger:
    """Sends through a telegram.Bot (a plain one: see `outbox_bot`), asking for the raw
    result: building PTB's Message and keyboard objects for thousands of reminders costs
    more CPU than the HTTP call itself."""

    def __init__(
        self, bot: Bot, *, read_timeout: float | None = None, paid_broadcast: bool = False
    ) -> None:
        self.bot = bot
        self.read_timeout = read_timeout
        # `[telegram] paid_broadcast`: every message asks for Telegram's paid broadcast
        # limit (up to 1.000 a second, 0,1 Star a message above the free 30 a second).
        self.paid: dict[str, object] = {"allow_paid_broadcast": True} if paid_broadcast else {}

    async def send(self, chat_id: int, text: str, buttons: Buttons) -> int:
        fields: dict[str, object] = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": {"is_disabled": True},
        }
        if buttons:
            fields["reply_markup"] = _keyboard(buttons)
        fields |= self.paid
        result = await self._call("sendmessage", fields)
        return int(result["message_id"])

    async def send_file(self, chat_id: int, file: Attachment, reply_to: int) -> int:
        kind = "photo" if file.kind == "photo" else "document"
        fields: dict[str, object] = {
            "chat_id": chat_id,
            kind: file.file_id,
            "caption": file.caption,
            "parse_mode": ParseMode.HTML.value,
            "reply_parameters": {"message_id": reply_to},
        } | self.paid
        result = await self._call(f"send{kind}", fields)
        return int(result["message_id"])

    async def edit(self, chat_id: int, message_id: int, text: str, buttons: Buttons) -> None:
        fields: dict[str, object] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": {"is_disabled": True},
        }
        if buttons:  # none: the buttons go
            fields["reply_markup"] = _keyboard(buttons)
        await self._call("editmessagetext", fields)

    async def _call(self, method: str, fields: dict[str, object]) -> Any:
        # Bot API method names are case-insensitive; lower case keeps do_api_request from
        # warning that Bot.send_message etc. exist (we want the raw dict, not a Message).
        if self.read_timeout is None:  # the request's own timeouts
            return await self.bot.do_api_request(method, api_kwargs=fields)
        return await self.bot.do_api_request(
            method, api_kwargs=fields, read_timeout=self.read_timeout
        )


def _keyboard(buttons: Buttons) -> dict[str, object]:
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in buttons
        ]
    }


def outbox_bot(bot: Bot, settings: Settings, *, connections: int | None = None) -> Bot:
    """The application's bot (its token and server) as a plain Bot, without its rate
    limiter, on a pool of its own of at most `connections` (the sender's window): httpcore
    checks every pooled connection at each request, and a shared pool of 256 grows to
    dozens under a round, most of the sender's CPU: its transport is aiohttp's
    (`AiohttpRequest`). Close it with `await close_outbox_bot(bot)`."""
    size = connections or default_window(settings.telegram.messages_per_second)
    request = AiohttpRequest(connections=size)
    return Bot(
        token=bot.token,
        base_url=settings.telegram.api_base_url,
        base_file_url=settings.telegram.file_url,
        request=request,
        get_updates_request=request,
    )


async def close_outbox_bot(bot: Bot) -> None:
    """Close what `outbox_bot` opened (its connections; the Bot itself was never
    initialised, so `Bot.shutdown` would leave them open)."""
    await bot.request.shutdown()
