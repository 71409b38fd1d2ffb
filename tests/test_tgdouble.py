"""The Bot API double, driven by plain PTB (no dondoc code): strictness, limits, faults."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
import warnings
from collections.abc import AsyncIterator

import aiohttp
import httpx
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.tgdouble import (
    BotApiDouble,
    EntityParseError,
    ManualClock,
    WaitTimeout,
    parse_html,
)
from tests.tgdouble.plugin import TgFactory

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


@pytest_asyncio.fixture
async def bot(tg: BotApiDouble) -> AsyncIterator[Bot]:
    async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as client:
        yield client


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def raw_post(tg: BotApiDouble, method: str, **kwargs: object) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{tg.base_url}{tg.token}/{method}", **kwargs)  # type: ignore[arg-type]


# ----------------------------------------------------------------- the HTML validator


def test_html_nested_tags_give_utf16_entities() -> None:
    parsed = parse_html('😀 <b>bold <i>both</i></b> <a href="https://x.org/?a=1&amp;b=2">link</a>')
    assert parsed.text == "😀 bold both link"
    assert parsed.entities == [
        {"offset": 3, "length": 9, "type": "bold"},
        {"offset": 8, "length": 4, "type": "italic"},
        {"offset": 13, "length": 4, "type": "text_link", "url": "https://x.org/?a=1&b=2"},
    ]


def test_html_pre_with_code_language_and_entities() -> None:
    parsed = parse_html(
        '<pre><code class="language-python">x &lt; 1</code></pre>'
        '<blockquote expandable>q</blockquote><span class="tg-spoiler">s</span>&#128512;&#x41;'
    )
    assert parsed.text == "x < 1qs😀A"
    assert parsed.entities == [
        {"offset": 0, "length": 5, "type": "pre", "language": "python"},
        {"offset": 5, "length": 1, "type": "expandable_blockquote"},
        {"offset": 6, "length": 1, "type": "spoiler"},
    ]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", "Character '&' at byte offset 4 must be escaped"),
        ("x &nbsp; y", "Character '&' at byte offset 2 must be escaped"),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("x<b", "Unclosed start tag at byte offset 1"),
    ],
)
def test_html_errors_read_like_telegram(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value).startswith(error)


# ----------------------------------------------------------------- long polling


async def test_get_updates_long_poll_returns_injected_text(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", language_code="vi")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await alice.send("/start@dondoc_test_bot now")

    updates = await poll

    assert time.monotonic() - started < 1
    [update] = updates
    assert update.message is not None
    assert update.message.text == "/start@dondoc_test_bot now"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "vi"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start@dondoc_test_bot")
    assert await bot.get_updates(offset=update.update_id + 1) == ()


async def test_get_updates_offset_and_limit(tg: BotApiDouble, bot: Bot) -> None:
    users = [tg.user(2000 + i, f"U{i}") for i in range(250)]
    for user in users:
        await user.send("hi")
    seen: list[int] = []
    offset = 0
    while True:
        batch = await bot.get_updates(offset=offset, limit=100, timeout=0)
        if not batch:
            break
        assert len(batch) <= 100
        seen.extend(u.effective_user.id for u in batch if u.effective_user)
        offset = batch[-1].update_id + 1
    assert seen == [u.id for u in users]


async def test_long_poll_times_out_and_a_second_poller_conflicts(
    tg: BotApiDouble, bot: Bot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    async with Bot(tg.token, base_url=tg.base_url) as other_instance:
        second = await other_instance.get_updates(timeout=1)
    assert second == ()
    assert time.monotonic() - started >= 0.9
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert tg.stats.conflicts == 1
    tg.expect_refusals(1, match="terminated by other")


# ----------------------------------------------------------------- sending, strictness


async def test_send_message_returns_a_realistic_message(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice")
    asked = await alice.send("hello")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Xong", callback_data="done:1")]])

    sent = await bot.send_message(
        alice.id,
        "<b>Việc</b> A &amp; B",
        parse_mode="HTML",
        reply_markup=markup,
        reply_parameters=ReplyParameters(asked["message_id"]),
    )

    assert sent.text == "Việc A & B"
    assert sent.text_html == "<b>Việc</b> A &amp; B"
    assert sent.message_id == asked["message_id"] + 1
    assert sent.from_user is not None
    assert sent.from_user.username == "dondoc_test_bot"
    assert sent.reply_markup == markup
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "hello"
    [state] = tg.sent_to(alice)
    assert (state.text, state.reply_to, state.button_texts) == ("Việc A & B", 1, ["Xong"])
    assert (await tg.next_message(alice)).message_id == sent.message_id


@pytest.mark.parametrize(
    "text",
    ["<unknown>x</unknown>", "<b>unclosed", "1 < 2", "R&D", "<b><i>x</b></i>"],
)
async def test_bad_html_is_refused(tg: BotApiDouble, bot: Bot, text: str) -> None:
    alice = tg.user(1001, "Alice", started=True)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(alice.id, text, parse_mode="HTML")
    [refusal] = tg.refused
    assert refusal.method == "sendMessage"
    assert refusal.params["text"] == text
    assert refusal.reason.startswith("Bad Request: can't parse entities: ")
    tg.refused.clear()


async def test_length_is_counted_after_entity_parsing(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)
    tg.disable_rate_limits()
    body = "<b>" + "a" * 4000 + "</b>" + "&lt;" * 90 + "<i>" + "ệ" * 5 + "</i>"

    ok = await bot.send_message(alice.id, body + "&amp;", parse_mode="HTML")
    assert ok.text is not None
    assert len(ok.text) == 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(alice.id, body + "&amp;&amp;", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(alice.id, "  <b> </b>\n", parse_mode="HTML")
    tg.expect_refusals(2)


async def test_callback_data_over_64_bytes_is_refused(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data=data)]])

    await bot.send_message(alice.id, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(alice.id, "no", reply_markup=keyboard("é" * 32 + "a"))
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        await bot.send_message(
            alice.id, "no", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("B")]])
        )
    assert [r.method for r in tg.refused] == ["sendMessage", "sendMessage"]
    tg.expect_refusals(1, match="BUTTON_DATA_INVALID")
    tg.expect_refusals(1, match="Text buttons")


async def test_missing_and_unknown_fields_are_refused(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)
    no_text = await raw_post(tg, "sendMessage", data={"chat_id": str(alice.id)})
    assert no_text.json()["description"] == "Bad Request: message text is empty"
    no_chat = await raw_post(tg, "sendMessage", data={"text": "x"})
    assert no_chat.json()["description"] == 'Bad Request: parameter "chat_id" is required'
    with pytest.raises(BadRequest, match=r'(?i)unknown parameter "colour"'):
        await bot.send_message(alice.id, "x", api_kwargs={"colour": "red"})
    bad_id = await raw_post(tg, "deleteMessage", data={"chat_id": "1001", "message_id": "abc"})
    assert bad_id.json()["description"].startswith(
        'Bad Request: field "message_id" must be of type Integer'
    )
    bad_button = await raw_post(
        tg,
        "sendMessage",
        json={
            "chat_id": alice.id,
            "text": "x",
            "reply_markup": {"inline_keyboard": [[{"text": "a", "callback": "x"}]]},
        },
    )
    assert (
        'unknown field "reply_markup.inline_keyboard[0][0].callback"'
        in (bad_button.json()["description"])
    )
    assert len(tg.refused) == 5
    tg.refused.clear()


async def test_json_body_and_not_implemented_and_not_found(tg: BotApiDouble) -> None:
    alice = tg.user(1001, "Alice", started=True)
    ok = await raw_post(tg, "sendMessage", json={"chat_id": alice.id, "text": "hi"})
    assert ok.json()["result"]["text"] == "hi"

    missing = await raw_post(tg, "getChat", json={"chat_id": alice.id})
    assert (missing.status_code, missing.json()["description"]) == (
        400,
        "Bad Request: method not implemented in double",
    )
    unknown = await raw_post(tg, "sendTelepathy", json={})
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
    tg.expect_refusals(1, match="not implemented")
    tg.expect_refusals(1, match="no such Bot API method")


async def test_wrong_token_is_unauthorized(tg: BotApiDouble) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123456:WRONG", base_url=tg.base_url):
            pass
    assert [(r.status, r.reason) for r in tg.refused] == [(401, "Unauthorized: wrong bot token")]
    tg.refused.clear()


async def test_edit_rules(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)
    sent = await bot.send_message(alice.id, "v1")
    edited = await bot.edit_message_text("<i>v2</i>", alice.id, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, type(sent))
    assert edited.text == "v2"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<i>v2</i>", alice.id, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("v3", alice.id, 999)
    [state] = tg.sent_to(alice)
    assert (state.text, state.edits, state.source) == ("v2", 1, "<i>v2</i>")
    tg.expect_refusals(1, match="not modified")
    tg.expect_refusals(1, match="not found")


async def test_blocked_and_unknown_users_get_403(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice")
    stranger = tg.user(1002, "Stranger")
    await alice.send("/start")
    tg.block(alice)

    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(alice.id, "reminder")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hello")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hello")
    tg.expect_refusals(2, match="Forbidden")
    tg.expect_refusals(1, match="chat not found")


async def test_chat_action_delete_and_markup_edit(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    first = await bot.send_message(alice.id, "keep")
    second = await bot.send_message(alice.id, "drop", reply_markup=markup)
    assert await bot.send_chat_action(alice.id, "typing")
    await bot.edit_message_reply_markup(alice.id, second.message_id)
    assert await bot.delete_message(alice.id, first.message_id)

    [state] = tg.sent_to(alice)
    assert (state.text, state.reply_markup) == ("drop", None)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(alice.id, first.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(alice.id, second.message_id)
    with pytest.raises(WaitTimeout, match="editMessageReplyMarkup"):
        await tg.wait_for(lambda call: call.method == "sendPhoto", timeout=0.05)
    tg.expect_refusals(2)


async def test_refusal_check_reports_what_was_not_expected() -> None:
    async with BotApiDouble() as double, Bot(double.token, base_url=double.base_url) as client:
        with pytest.raises(BadRequest):
            await client.send_message(1, "nobody")
    [problem] = double.refusal_problems()
    assert "refused 1 call(s)" in problem
    assert "sendMessage -> 400 Bad Request: chat not found" in problem
    double.expect_refusals(2, match="chat not found")
    assert double.refusal_problems() == ["expected 2 refusal(s) matching 'chat not found', got 1"]


# ----------------------------------------------------------------- rate limits & faults


async def test_per_chat_burst_gives_429_with_retry_after(tg_factory: TgFactory) -> None:
    clock = ManualClock()
    tg = await tg_factory(clock=clock, global_rate=300, per_chat_rate=1.0, per_chat_burst=3)
    alice = tg.user(1001, "Alice", started=True)
    async with Bot(tg.token, base_url=tg.base_url) as bot:
        for i in range(3):
            await bot.send_message(alice.id, f"m{i}")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(alice.id, "one too many")
        assert retry_seconds(caught.value) == 1
        clock.advance(1.0)
        await bot.send_message(alice.id, "after the wait")
    assert tg.stats.too_many_requests == 1
    assert tg.refused == []
    assert [m.text for m in tg.sent_to(alice)] == ["m0", "m1", "m2", "after the wait"]


async def test_group_limit_per_minute(tg_factory: TgFactory) -> None:
    clock = ManualClock()
    tg = await tg_factory(clock=clock, per_chat_rate=None, group_per_minute=20)
    room = tg.group(-100, "Phòng")
    async with Bot(tg.token, base_url=tg.base_url) as bot:
        for i in range(20):
            await bot.send_message(room.id, f"m{i}")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(room.id, "too many")
        assert retry_seconds(caught.value) == 3  # 20/min refills one every 3 s


async def test_injected_faults_reach_ptb(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)
    tg.fail_next("sendMessage", times=2, status=502)
    tg.drop_next("sendMessage")
    tg.fail_next("sendMessage", status=429, retry_after=2)
    tg.slow("sendMessage", 0.2)

    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.send_message(alice.id, "x")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "dropped")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "storm")
    assert retry_seconds(caught.value) == 2
    started = time.monotonic()
    await bot.send_message(alice.id, "slow but fine")
    assert time.monotonic() - started >= 0.2

    assert [f.kind for f in tg.faults_served] == ["fail", "fail", "drop", "fail", "slow"]
    assert [m.text for m in tg.sent_to(alice)] == ["slow but fine"]
    assert tg.refused == []


async def test_drop_after_processing_sends_but_loses_the_answer(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)
    tg.drop_next("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "did it arrive?")
    assert [m.text for m in tg.sent_to(alice)] == ["did it arrive?"]


# ----------------------------------------------------------------- callbacks & commands


async def test_press_button_through_an_application(tg: BotApiDouble) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = [[InlineKeyboardButton("Đồng ý", callback_data="agree")]]
        await update.effective_message.reply_text(
            "Bạn đồng ý?", reply_markup=InlineKeyboardMarkup(keyboard)
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Đã ghi nhận")
        await query.edit_message_text(f"Đã chọn: {query.data}")

    app: Application = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    alice = tg.user(1001, "Alice", language_code="vi")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
        await alice.send("/start")
        question = await tg.next_message(alice)
        assert question.button_texts == ["Đồng ý"]

        query = await alice.press(question, "Đồng ý")
        assert query["message"]["message_id"] == question.message_id
        await tg.wait_for(lambda c: c.method == "editMessageText")

        await app.updater.stop()
        await app.stop()
    assert question.text == "Đã chọn: agree"
    assert question.reply_markup is None
    [answer] = tg.answers_to_callbacks
    assert (answer.text, answer.data, answer.user_id) == ("Đã ghi nhận", "agree", alice.id)


async def test_answering_a_callback_twice_is_refused(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    sent = await bot.send_message(alice.id, "?", reply_markup=markup)
    query = await alice.press(sent.message_id, "OK")
    forged = await alice.press_data(sent.message_id, "admin:delete-all")
    assert forged["data"] == "admin:delete-all"

    assert await bot.answer_callback_query(query["id"], text="ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("nonsense")
    tg.expect_refusals(2, match="query is too old")


async def test_set_my_commands(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", language_code="vi", started=True)
    await bot.set_my_commands([BotCommand("start", "Bắt đầu"), BotCommand("tasks", "Việc")])
    await bot.set_my_commands(
        [BotCommand("admin", "Quản trị")], scope=BotCommandScopeChat(alice.id)
    )
    assert tg.commands_for() == [("start", "Bắt đầu"), ("tasks", "Việc")]
    assert tg.commands_for(alice) == [("admin", "Quản trị")]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "tasks"]

    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "capital letters")])
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("a" * 33, "too long")])
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands([BotCommand("ok", "")])
    tg.expect_refusals(3, match="BOT_COMMAND")


# ----------------------------------------------------------------- files


async def test_document_upload_and_download(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)
    payload = b"PK\x03\x04 not really a workbook"

    sent = await bot.send_document(
        alice.id,
        document=payload,
        filename="bao-cao.xlsx",
        caption="<b>Báo cáo</b>",
        parse_mode="HTML",
    )
    assert sent.document is not None
    assert sent.document.file_name == "bao-cao.xlsx"
    assert sent.caption == "Báo cáo"
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == payload

    incoming = await alice.send_document(
        b"%PDF-1.4", "cv.pdf", mime_type="application/pdf", caption="/import now"
    )
    assert incoming["caption_entities"][0]["type"] == "bot_command"
    file = await bot.get_file(incoming["document"]["file_id"])
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4"

    photo = await bot.send_photo(alice.id, photo=PNG_1x1)
    assert (photo.photo[-1].width, photo.photo[-1].height) == (1, 1)
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(alice.id, photo=b"not an image")
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")
    tg.expect_refusals(1, match="IMAGE_PROCESS_FAILED")
    tg.expect_refusals(1, match="invalid file_id")


async def test_contact_reply_and_group(tg: BotApiDouble, bot: Bot) -> None:
    alice = tg.user(1001, "Alice", started=True)
    share = ReplyKeyboardMarkup([[KeyboardButton("Gửi số", request_contact=True)]])
    sent = await bot.send_message(alice.id, "Số điện thoại?", reply_markup=share)
    assert sent.reply_markup is None  # Telegram echoes inline keyboards only
    assert tg.sent_to(alice)[0].reply_keyboard == [[{"text": "Gửi số", "request_contact": True}]]
    contact = await alice.send_contact("+84901234567", "Bình", user_id=2002)
    reply = await alice.reply(sent.message_id, "đây")
    assert contact["contact"] == {
        "phone_number": "+84901234567",
        "first_name": "Bình",
        "user_id": 2002,
    }
    assert reply["reply_to_message"]["text"] == "Số điện thoại?"

    room = tg.group(-1001, "Tổ công tác", type="supergroup")
    said = await alice.send("/report@dondoc_test_bot", chat=room)
    assert said["chat"]["type"] == "supergroup"
    answer = await bot.send_message(
        room.id, "ok", reply_parameters=ReplyParameters(said["message_id"])
    )
    assert answer.reply_to_message is not None
    updates = await bot.get_updates()
    assert [u.effective_chat.id for u in updates if u.effective_chat] == [
        alice.id,
        alice.id,
        room.id,
    ]


async def test_many_sends_and_updates_are_fast(tg: BotApiDouble, bot: Bot) -> None:
    tg.disable_rate_limits()
    users = [tg.user(5000 + i, f"U{i}", started=True) for i in range(50)]
    url = f"{tg.base_url}{tg.token}/sendMessage"

    async def send(client: aiohttp.ClientSession, user_id: int, i: int) -> int:
        form = {"chat_id": str(user_id), "text": f"<b>{i}</b> &amp; co", "parse_mode": "HTML"}
        async with client.post(url, data=form) as response:
            await response.read()
            return response.status

    started = time.monotonic()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20)) as client:
        statuses = await asyncio.gather(*(send(client, u.id, i) for i in range(20) for u in users))
    sending = time.monotonic() - started
    assert set(statuses) == {200}
    assert len(tg.calls("sendMessage")) == 1000

    crowd = [tg.user(10_000 + i, f"V{i}") for i in range(2000)]
    started = time.monotonic()
    for user in crowd:
        await user.send("/start")
    received = 0
    offset = 0
    while batch := await bot.get_updates(offset=offset, timeout=0):
        received += len(batch)
        offset = batch[-1].update_id + 1
    polling = time.monotonic() - started
    assert received == 2000
    assert (sending, polling) < (10, 10)
