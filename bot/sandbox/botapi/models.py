"""What the Bot API server keeps: users, chats, messages, files, calls, refusals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.sandbox.botapi.server import BotApiServer

__all__ = [
    "Call",
    "CallbackAnswer",
    "Refusal",
    "Stats",
    "StoredFile",
    "TgGroup",
    "TgMessage",
    "TgUser",
]

JsonDict = dict[str, Any]


@dataclass(eq=False)
class TgUser:
    """A Telegram user a test or the practice room acts as; ``await alice.send("/start")``."""

    server: BotApiServer = field(repr=False)
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    started: bool = False  # has written to the bot, so the bot may write back
    blocked: bool = False

    def to_json(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_json(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    async def send(
        self, text: str, *, chat: TgGroup | None = None, reply_to: TgMessage | int | None = None
    ) -> JsonDict:
        """Send a text message (commands get a bot_command entity)."""
        return await self.server.send_text(self, text, chat=chat, reply_to=reply_to)

    async def edit(self, message_id: int, text: str) -> JsonDict:
        """Edit one of this user's messages to the bot (an ``edited_message`` update)."""
        return await self.server.edit_text(self, message_id, text)

    async def reply(
        self, to: TgMessage | int, text: str, *, chat: TgGroup | None = None
    ) -> JsonDict:
        """Reply to a message (usually one the bot sent)."""
        return await self.server.send_text(self, text, chat=chat, reply_to=to)

    async def send_contact(
        self,
        phone_number: str,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        user_id: int | None = None,
        chat: TgGroup | None = None,
    ) -> JsonDict:
        """Share a contact; by default the user's own (user_id = the sender)."""
        return await self.server.send_contact(
            self,
            phone_number,
            first_name,
            last_name=last_name,
            user_id=user_id,
            chat=chat,
        )

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: TgGroup | None = None,
    ) -> JsonDict:
        """Send a file as a document."""
        return await self.server.send_document(
            self, data, file_name, mime_type=mime_type, caption=caption, chat=chat
        )

    async def send_photo(
        self, data: bytes, *, caption: str | None = None, chat: TgGroup | None = None
    ) -> JsonDict:
        """Send a photo."""
        return await self.server.send_photo(self, data, caption=caption, chat=chat)

    async def press(self, message: TgMessage | int, button_text: str) -> JsonDict:
        """Press the inline button labelled ``button_text`` on a bot message."""
        return await self.server.press(self, message, button_text)

    async def press_data(
        self, message: TgMessage | int, data: str, *, chat: TgGroup | None = None
    ) -> JsonDict:
        """Send a callback query with arbitrary (possibly forged) data."""
        return await self.server.press_data(self, message, data, chat=chat)


@dataclass(eq=False)
class TgGroup:
    """A group chat the bot is a member of."""

    id: int
    title: str
    type: str = "group"
    bot_member: bool = True

    def chat_json(self) -> JsonDict:
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass(eq=False)
class TgMessage:
    """A message as it stands now (edits applied); ``json`` is what the API returns."""

    json: JsonDict
    from_bot: bool
    method: str | None = None  # the Bot API method that sent it, for bot messages
    source: str | None = None  # text or caption as sent, before parsing (e.g. the HTML)
    parse_mode: str | None = None
    sent_reply_markup: JsonDict | None = None  # as sent, any kind (Telegram echoes only inline)
    edits: int = 0
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.json["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.json["chat"]["id"])

    @property
    def text(self) -> str | None:
        return self.json.get("text")

    @property
    def caption(self) -> str | None:
        return self.json.get("caption")

    @property
    def entities(self) -> list[JsonDict]:
        return list(self.json.get("entities") or self.json.get("caption_entities") or [])

    @property
    def reply_markup(self) -> JsonDict | None:
        return self.json.get("reply_markup")

    @property
    def reply_keyboard(self) -> list[list[JsonDict | str]]:
        """Rows of the custom reply keyboard the bot sent with this message, if any."""
        markup = self.sent_reply_markup or {}
        return [list(row) for row in markup.get("keyboard", [])]

    @property
    def document(self) -> JsonDict | None:
        return self.json.get("document")

    @property
    def photo(self) -> list[JsonDict] | None:
        return self.json.get("photo")

    @property
    def reply_to(self) -> int | None:
        replied = self.json.get("reply_to_message")
        return int(replied["message_id"]) if replied else None

    @property
    def buttons(self) -> list[list[JsonDict]]:
        """Rows of inline keyboard buttons (empty if there is no inline keyboard)."""
        markup = self.reply_markup or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]

    def button(self, text: str) -> JsonDict:
        """The inline button whose label is ``text``."""
        for row in self.buttons:
            for button in row:
                if button["text"] == text:
                    return button
        raise LookupError(f"no button {text!r} on message {self.message_id}: {self.button_texts}")

    def snapshot(self) -> JsonDict:
        """The message JSON without its own reply_to_message (as nested in replies)."""
        return {k: v for k, v in self.json.items() if k != "reply_to_message"}


@dataclass(frozen=True)
class StoredFile:
    """A file the server holds, downloadable under base_file_url."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    kind: str  # "document" or "photo"
    file_name: str | None = None  # as uploaded
    mime_type: str | None = None


@dataclass(frozen=True)
class Call:
    """An accepted Bot API call: its validated parameters and the result returned."""

    index: int
    method: str
    params: JsonDict
    response: Any

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass(frozen=True)
class Refusal:
    """A call the server rejected as Telegram would (a 4xx other than 429), or its crash."""

    method: str
    params: JsonDict
    status: int
    reason: str

    def __str__(self) -> str:
        shown = {k: _clip(v) for k, v in self.params.items()}
        return f"{self.method} -> {self.status} {self.reason}\n     params: {shown}"


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 100:
        return value[:97] + "..."
    if not isinstance(value, str) and len(repr(value)) > 100:
        return repr(value)[:97] + "..."
    return value


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery the bot gave, with the query it answered."""

    callback_query_id: str
    user_id: int
    data: str | None
    message_id: int | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class Stats:
    """Counters over the server's lifetime."""

    requests: int = 0
    too_many_requests: int = 0
    refused: int = 0
    conflicts: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
