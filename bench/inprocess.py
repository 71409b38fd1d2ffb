"""The real Application in this process, its Bot API calls answered by a recording stub.

Handlers run exactly as in production (`application.process_update`: the access guard in
group -1, then the command's handler), only the HTTP round trip to Telegram is replaced by
`RecordingRequest`, which answers every call at once with a realistic result and keeps it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bench.common import SubjectMissing
from bot.clock import Clock
from bot.config import Settings

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "dondoc",
    "username": "dondoc_bench_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
BENCH_TOKEN = "4242:benchmark-token"
_MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}
)


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float  # time.perf_counter() when the bot made the call


class RecordingRequest(BaseRequest):
    """A Bot API that answers every call at once, and remembers the calls."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self._ids = itertools.count(1)
        self._arrived: asyncio.Event | None = None
        self.errors: list[BaseException] = []  # what the application's handlers raised

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    def clear(self) -> None:
        self.calls.clear()

    async def next_call(self) -> None:
        """Wait (at most 10 s) until the bot makes another call."""
        self._arrived = asyncio.Event()
        await asyncio.wait_for(self._arrived.wait(), 10)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(ApiCall(api_method, params, time.perf_counter()))
        if self._arrived is not None:
            self._arrived.set()
        result = self._result(api_method, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return []
        if method in _MESSAGE_METHODS:
            message: dict[str, Any] = {
                "message_id": params.get("message_id") or next(self._ids),
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id", 0), "type": "private", "first_name": "x"},
                "from": BOT_USER,
            }
            if "text" in params:
                message["text"] = params["text"]
            if method == "sendDocument":
                message["document"] = {"file_id": "doc", "file_unique_id": "doc"}
            if method == "sendPhoto":
                message["photo"] = [
                    {"file_id": "ph", "file_unique_id": "ph", "width": 1, "height": 1}
                ]
            return message
        if method == "getFile":
            return {"file_id": params.get("file_id", ""), "file_unique_id": "f", "file_path": "f"}
        return True

    def texts(self) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.calls if "text" in c.params]


LOCAL_API = "http://127.0.0.1:9/bot"  # never called: the stub answers in the process


def bench_settings(
    db_path: Path, *, messages_per_second: float = 1_000_000, **sections: dict[str, Any]
) -> Settings:
    """Settings for a benchmark run: the given database, limits out of the way. The Bot API
    is a local one (the stub, or the double's `api_base_url`): Telegram's own would not take
    more than 30 messages a second without paid broadcasts."""
    telegram = {
        "token": BENCH_TOKEN,
        "messages_per_second": messages_per_second,
        "api_base_url": LOCAL_API,
    }
    data: dict[str, Any] = {"database": {"path": db_path}} | sections
    data["telegram"] = telegram | sections.get("telegram", {})
    return Settings.model_validate(data)


@asynccontextmanager
async def running_application(
    settings: Settings, clock: Clock, *, stub_api: bool = True
) -> AsyncIterator[tuple[Any, RecordingRequest]]:
    """The real Application, initialised with its services (database open), not polling.

    With `stub_api` its Bot API calls are answered by the returned RecordingRequest; without,
    they go to `[telegram] api_base_url` (the test double) and the stub stays empty.
    """
    from bot.app import build_application

    try:
        application = build_application(settings, clock=clock)
    except ImportError as exc:  # a handler module being written right now
        raise SubjectMissing(f"the bot cannot be built: {exc}") from exc
    stub = RecordingRequest()
    if stub_api:
        # The one seam: the bot's two HTTP clients become the stub (PTB keeps them here).
        application.bot._request = (stub, stub)

    async def count_error(update: object, context: Any) -> None:
        stub.errors.append(context.error)

    application.add_error_handler(count_error)
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    try:
        yield application, stub
    finally:
        if application.post_shutdown:
            await application.post_shutdown(application)
        await application.shutdown()


_update_ids = itertools.count(1)


def _user(telegram_id: int) -> dict[str, Any]:
    return {"id": telegram_id, "is_bot": False, "first_name": f"User {telegram_id}"}


def command_update(bot: Any, telegram_id: int, text: str, *, at: datetime) -> Update:
    """A private-chat message from a user, with the bot_command entity Telegram adds."""
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(at.timestamp()),
        "chat": {"id": telegram_id, "type": "private", "first_name": f"User {telegram_id}"},
        "from": _user(telegram_id),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return Update.de_json({"update_id": next(_update_ids), "message": message}, bot)


async def answer(application: Any, stub: RecordingRequest, update: Update) -> list[ApiCall]:
    """Process one update as the running bot would; the calls it made in answer."""
    stub.clear()
    await application.process_update(update)
    if not stub.calls:  # a handler registered with block=False answers a moment later
        await stub.next_call()
    return list(stub.calls)
