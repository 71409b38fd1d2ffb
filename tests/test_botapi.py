"""The product's Bot API server (bot.sandbox.botapi) on its own, without the tests' controls:
each method the bot uses, driven by plain PTB, with Telegram's semantics and limits, checked
against Telegram's published spec (../shared/telegram/bot-api-10.1.json, packaged with it)."""

from __future__ import annotations

import ast
import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
)
from telegram.error import BadRequest, Forbidden

from bot.sandbox.botapi.server import BotApiServer
from bot.sandbox.botapi.spec import SPEC_PATH

TOKEN = "42:PRACTICE-token"
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
# The methods dondoc's bot calls, and the parameters it sends them (PTB 22, bot/ and handlers/).
USED = {
    "getMe": set(),
    "deleteWebhook": {"drop_pending_updates"},
    "getUpdates": {"offset", "limit", "timeout", "allowed_updates"},
    "sendMessage": {"chat_id", "text", "parse_mode", "reply_markup", "reply_parameters",
                    "link_preview_options"},
    "editMessageText": {"chat_id", "message_id", "text", "parse_mode", "reply_markup",
                        "link_preview_options"},
    "editMessageReplyMarkup": {"chat_id", "message_id", "reply_markup"},
    "answerCallbackQuery": {"callback_query_id", "text", "show_alert"},
    "sendDocument": {"chat_id", "document", "caption", "parse_mode", "reply_parameters"},
    "sendPhoto": {"chat_id", "photo", "caption", "parse_mode", "reply_parameters"},
    "getFile": {"file_id"},
    "setMyCommands": {"commands", "scope", "language_code"},
    "deleteMyCommands": {"scope", "language_code"},
}  # fmt: skip


@pytest_asyncio.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(token=TOKEN, bot_username="practice_bot") as started:
        yield started


@pytest_asyncio.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        yield bot


def heard(server: BotApiServer) -> list[tuple[str, Any]]:
    events: list[tuple[str, Any]] = []
    server.listeners.append(lambda kind, subject: events.append((kind, subject)))
    return events


def test_every_method_the_bot_uses_is_served_as_the_spec_has_it() -> None:
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    assert spec["version"].startswith("Bot API 10.1")
    served = BotApiServer(token=TOKEN)
    for method, params in USED.items():
        assert method in served._handlers
        fields = {f["name"] for f in spec["methods"][method].get("fields", [])}
        assert params <= fields, (method, params - fields)


async def test_get_me_and_delete_webhook(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (42, "practice_bot", True)
    assert await bot.delete_webhook(drop_pending_updates=True)


async def test_get_updates_waits_for_an_update_and_offsets_confirm_them(
    server: BotApiServer, bot: Bot
) -> None:
    alice = server.user(1001, "Alice")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()  # long polling: nothing to give yet
    await alice.send("/tasks")
    [update] = await asyncio.wait_for(poll, 2)
    assert update.message.text == "/tasks"
    assert update.message.entities[0].type == "bot_command"
    await alice.send("second")
    again = await bot.get_updates(timeout=0)
    assert [u.message.text for u in again] == ["/tasks", "second"]  # not confirmed yet
    confirmed = await bot.get_updates(offset=again[-1].update_id, timeout=0)
    assert [u.message.text for u in confirmed] == ["second"]
    assert await bot.get_updates(offset=again[-1].update_id + 1, timeout=0) == ()


async def test_send_message_keeps_telegrams_limits_and_tells_the_listeners(
    server: BotApiServer, bot: Bot
) -> None:
    events = heard(server)
    alice = server.user(1001, "Alice")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation"):
        await bot.send_message(1001, "hello")
    await alice.send("/start")
    sent = await bot.send_message(1001, "x" * 4096)
    assert len(sent.text) == 4096
    with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
        await bot.send_message(1001, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)parse entities"):
        await bot.send_message(1001, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest):
        await bot.send_message(1001, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("b", callback_data="d" * 65)]]))  # fmt: skip
    await bot.send_message(1001, "ok", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("b", callback_data="d" * 64)]]))  # fmt: skip
    refusals = [subject.reason for kind, subject in events if kind == "refusal"]
    assert len(refusals) == 4
    assert "Forbidden: bot can't initiate conversation with a user" in refusals
    assert "Bad Request: message is too long" in refusals
    messages = [subject.text for kind, subject in events if kind == "message"]
    assert messages == ["/start", "x" * 4096, "ok"]
    assert [m.text for m in server.chat_log(1001)] == messages


async def test_edits_replace_the_message_and_an_unchanged_edit_is_refused(
    server: BotApiServer, bot: Bot
) -> None:
    await server.user(1001, "Alice").send("/start")
    events = heard(server)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("✅", callback_data="done:1")]])
    sent = await bot.send_message(1001, "<b>card</b>", parse_mode="HTML", reply_markup=keyboard)
    await bot.edit_message_text("<i>decided</i>", 1001, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("<i>decided</i>", 1001, sent.message_id, parse_mode="HTML")
    await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=keyboard)
    edited = server.message(1001, sent.message_id)
    assert edited.text == "decided"
    assert edited.entities == [{"offset": 0, "length": 7, "type": "italic"}]
    assert edited.button_texts == ["✅"]
    assert [kind for kind, _ in events] == ["message", "call", "message", "call", "refusal",
                                            "message", "call"]  # fmt: skip


async def test_a_press_is_answered_once(server: BotApiServer, bot: Bot) -> None:
    alice = server.user(1001, "Alice")
    await alice.send("/start")
    events = heard(server)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("✅", callback_data="done:1")]])
    sent = await bot.send_message(1001, "card", reply_markup=keyboard)
    query = await alice.press(sent.message_id, "✅")
    assert query["data"] == "done:1"
    assert server.callback_user(query["id"]) == 1001
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.answer_callback_query(query["id"], text="x" * 201)
    assert await bot.answer_callback_query(query["id"], text="Đã nhận", show_alert=True)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])
    [answer] = [subject for kind, subject in events if kind == "callback_answer"]
    assert (answer.user_id, answer.text, answer.show_alert) == (1001, "Đã nhận", True)


async def test_files_sent_either_way_are_downloadable(server: BotApiServer, bot: Bot) -> None:
    alice = server.user(1001, "Alice")
    upload = await alice.send_document(b"report", "bao-cao.docx", caption="/done NV-1 xong")
    await bot.send_message(1001, "ok")
    document = upload["document"]
    assert upload["caption_entities"][0]["type"] == "bot_command"
    got = await bot.get_file(document["file_id"])
    assert bytes(await got.download_as_bytearray()) == b"report"
    stored = server.stored_file(document["file_id"])
    assert stored is not None and stored.file_name == "bao-cao.docx"

    reply = ReplyParameters(upload["message_id"])
    sent = await bot.send_document(
        1001, b"PK sheet", filename="bao-cao.xlsx", caption="Báo cáo", reply_parameters=reply
    )
    assert sent.document.file_name == "bao-cao.xlsx"
    assert sent.reply_to_message.message_id == upload["message_id"]
    again = await bot.get_file(sent.document.file_id)
    assert bytes(await again.download_as_bytearray()) == b"PK sheet"
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(1001, b"x", filename="x.txt", caption="x" * 1025)

    photo = await bot.send_photo(1001, PNG_1x1, caption="chart")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (1, 1)
    fetched = await bot.get_file(photo.photo[-1].file_id)
    assert bytes(await fetched.download_as_bytearray()) == PNG_1x1
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(1001, b"not an image")


async def test_command_menus_by_scope_and_language(server: BotApiServer, bot: Bot) -> None:
    await server.user(1001, "Alice", language_code="en").send("/start")
    events = heard(server)
    await bot.set_my_commands([BotCommand("start", "Bắt đầu")])
    await bot.set_my_commands([BotCommand("tasks", "My tasks")], scope=BotCommandScopeChat(1001),
                              language_code="en")  # fmt: skip
    assert server.commands_for(1001) == [("tasks", "My tasks")]
    assert server.commands_for(2002) == [("start", "Bắt đầu")]
    await bot.delete_my_commands(scope=BotCommandScopeChat(1001), language_code="en")
    assert server.commands_for(1001) == [("start", "Bắt đầu")]
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeChat(3003))
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "y")])
    assert [kind for kind, _ in events if kind == "commands"] == ["commands"] * 3


def test_what_users_run_imports_nothing_from_the_tests() -> None:
    root = Path(__file__).resolve().parent.parent
    for package in ("bot", "handlers", "storage"):
        for path in (root / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                assert not any(n == "tests" or n.startswith("tests.") for n in names), path
