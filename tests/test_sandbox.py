"""The practice room's server (`dondoc sandbox`) over real loopback HTTP: the page's JSON API and
its event stream, with the real bot behind them, on a register filled from the sample."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.clock import ShiftedClock
from bot.config import Settings
from bot.models import Person, Role
from bot.sandbox.botapi.html import parse_html
from bot.sandbox.render import entities_html
from bot.sandbox.room import STRANGER_ID, PracticeRoom, RoomOptions, user_id_of
from bot.texts import t
from storage.register import people_with_role
from storage.task_lists import open_tasks_for
from tests.harness import TZ

FIRST_DAY = date(2020, 4, 15)  # a Wednesday
WAIT = 15.0
JsonDict = dict[str, Any]


class Stream:
    """One page's Server-Sent Events: `await stream.next("message", ...)`."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.seen: list[tuple[str, JsonDict]] = []

    async def _event(self) -> tuple[str, JsonDict]:
        event, data = "message", ""
        while True:
            line = (await self.response.content.readline()).decode()
            if line in ("\n", ""):
                if data:
                    return event, json.loads(data)
                if line == "":
                    raise EOFError("the stream ended")
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.rstrip("\n").partition(": ")
            if field == "event":
                event = value
            elif field == "data":
                data += value

    async def next(
        self, event: str, where: Callable[[JsonDict], bool] = lambda _: True
    ) -> JsonDict:
        """The next event of that kind matching `where` (others are kept in `seen`)."""
        async with asyncio.timeout(WAIT):
            while True:
                kind, data = await self._event()
                self.seen.append((kind, data))
                if kind == event and where(data):
                    return data


class Page:
    """What the page does, over HTTP."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base.rstrip("/")

    async def get(self, path: str, status: int = 200) -> Any:
        async with self.session.get(self.base + path) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def post(self, path: str, body: JsonDict | None = None, status: int = 200) -> Any:
        async with self.session.post(self.base + path, json=body or {}) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def stream(self, user_id: int) -> Stream:
        response = await self.session.get(f"{self.base}/api/events/{user_id}")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        return Stream(response)


@pytest_asyncio.fixture
async def room(tmp_path: Path) -> AsyncIterator[PracticeRoom]:
    options = RoomOptions(port=0, data=tmp_path / "sandbox", today=FIRST_DAY)
    room = await PracticeRoom.start(Settings(), options)
    try:
        yield room
    finally:
        await room.stop()


@pytest_asyncio.fixture
async def page(room: PracticeRoom) -> AsyncIterator[Page]:
    async with aiohttp.ClientSession() as session:
        yield Page(session, room.url)


async def busy_officer(room: PracticeRoom) -> tuple[Person, list[str]]:
    """An officer of the sample with open tasks, and their codes."""
    for officer in await people_with_role(room.db, Role.OFFICER):
        tasks = await open_tasks_for(room.db, officer)
        if tasks:
            return officer, [task.code for task in tasks]
    raise AssertionError("the sample has no officer with open tasks")


def is_bot(message: JsonDict) -> bool:
    return message["from"] == "bot"


async def chosen(page: Page, person: Person) -> Stream:
    """The person chosen on the page: linked by their own contact, welcomed by the bot."""
    user_id = user_id_of(person)
    stream = await page.stream(user_id)
    chat = await page.get(f"/api/chat/{user_id}")
    assert [m["html"] for m in chat["messages"]] == [f"📱 {person.name}: {person.phone}"]
    welcome = await stream.next("message", is_bot)
    assert person.name in welcome["html"]
    return stream


async def test_people_are_grouped_admins_leaders_units_then_a_stranger(page: Page) -> None:
    people = await page.get("/api/people")
    assert people["today"] == "2020-04-15"
    titles = [group["title"] for group in people["groups"]]
    assert titles[0] == "Văn phòng UBND tỉnh (quản trị)"
    assert titles[1] == "Lãnh đạo UBND tỉnh"
    assert titles[-1] == "Khác"
    assert {p["role"] for p in people["groups"][0]["people"]} == {"admin"}
    assert {p["role"] for p in people["groups"][1]["people"]} == {"leader"}
    for group in people["groups"][2:-1]:
        roles = [p["role"] for p in group["people"]]
        assert roles == sorted(roles, key=["head", "officer"].index)  # the head first
        assert {p["unit_name"] for p in group["people"]} == {group["title"]}
    [stranger] = people["groups"][-1]["people"]
    assert stranger["user_id"] == STRANGER_ID
    ids = [p["user_id"] for g in people["groups"] for p in g["people"]]
    assert len(ids) == len(set(ids)) == 107  # the sample's 106 people and the stranger


async def test_an_officer_asks_for_their_tasks_and_the_answer_comes_on_the_stream(
    room: PracticeRoom, page: Page
) -> None:
    officer, codes = await busy_officer(room)
    stream = await chosen(page, officer)
    commands = await stream.next("commands")
    assert "tasks" in [c["command"] for c in commands["commands"]]
    sent = await page.post(f"/api/send/{user_id_of(officer)}", {"text": "/tasks"})
    assert sent["message"]["html"] == "/tasks"
    assert sent["message"]["from"] == "user"
    answer = await stream.next("message", is_bot)
    assert answer["reply_to"] is None
    for code in codes:
        assert code in answer["html"]
    chat = await page.get(f"/api/chat/{user_id_of(officer)}")
    assert chat["messages"][-1] == answer
    assert "tasks" in [c["command"] for c in chat["commands"]]


async def test_pressing_done_on_a_task_card_asks_for_the_result(
    room: PracticeRoom, page: Page
) -> None:
    officer, codes = await busy_officer(room)
    user_id = user_id_of(officer)
    stream = await chosen(page, officer)
    await page.post(f"/api/send/{user_id}", {"text": f"/task {codes[0]}"})
    card = await stream.next("message", lambda m: is_bot(m) and m["inline_keyboard"] is not None)
    buttons = [b for row in card["inline_keyboard"] for b in row]
    done = next(b for b in buttons if b["text"] == "✅ Hoàn thành")
    assert done["callback_data"] == f"done:{codes[0]}"
    await page.post(
        f"/api/press/{user_id}",
        {"message_id": card["id"], "callback_data": "forged:1"},
        status=400,
    )
    await page.post(
        f"/api/press/{user_id}", {"message_id": card["id"], "callback_data": done["callback_data"]}
    )
    await stream.next("callback_answer")
    question = await stream.next("message", lambda m: is_bot(m) and codes[0] in m["html"])
    assert "Hãy gửi kết quả thực hiện" in question["html"]


async def test_next_day_moves_the_clock_and_brings_the_days_reminder(
    room: PracticeRoom, page: Page
) -> None:
    officer, codes = await busy_officer(room)
    stream = await chosen(page, officer)
    moved = await page.post("/api/next-day")
    assert moved == {"today": "2020-04-16", "now": "2020-04-16T08:00:00+07:00"}
    assert room.clock.today() == date(2020, 4, 16)
    assert (await stream.next("clock")) == moved
    reminder = await stream.next("message", is_bot)
    assert any(code in reminder["html"] for code in codes)
    assert reminder["date"].startswith("2020-04-16T08:00")
    people = await page.get("/api/people")
    assert people["today"] == "2020-04-16"


async def test_next_day_skips_the_weekend(room: PracticeRoom, page: Page) -> None:
    room.clock.set(datetime(2020, 4, 17, 10, 0, tzinfo=TZ))  # a Friday
    moved = await page.post("/api/next-day")
    assert moved["today"] == "2020-04-20"  # Monday


async def test_a_stranger_gets_only_the_stranger_text(room: PracticeRoom, page: Page) -> None:
    chat = await page.get(f"/api/chat/{STRANGER_ID}")
    assert chat["messages"] == []  # never linked: a stranger shares nothing on their own
    stream = await page.stream(STRANGER_ID)
    await page.post(f"/api/send/{STRANGER_ID}", {"text": "/tasks"})
    reply = await stream.next("message", is_bot)
    stranger = parse_html(t("vi", "access.stranger", office=room.settings.organization.office))
    assert reply["html"] == entities_html(stranger.text, stranger.entities)
    chat = await page.get(f"/api/chat/{STRANGER_ID}")
    assert [m["from"] for m in chat["messages"]] == ["user", "bot"]
    assert chat["commands"] == [c for c in chat["commands"] if c["command"] in ("start", "help")]


async def test_a_document_sent_and_a_chart_received_are_downloadable(
    room: PracticeRoom, page: Page
) -> None:
    officer, _ = await busy_officer(room)
    user_id = user_id_of(officer)
    await chosen(page, officer)
    form = aiohttp.FormData()
    form.add_field("file", b"PK\x03\x04 bao cao", filename="bao-cao.docx")
    form.add_field("caption", "Báo cáo kèm theo")
    async with page.session.post(f"{page.base}/api/upload/{user_id}", data=form) as response:
        assert response.status == 200, await response.text()
        message = (await response.json())["message"]
    assert message["document"]["name"] == "bao-cao.docx"
    assert message["caption_html"] == "Báo cáo kèm theo"
    async with page.session.get(page.base + message["document"]["url"]) as response:
        assert response.status == 200
        assert await response.read() == b"PK\x03\x04 bao cao"
        assert "bao-cao.docx" in response.headers["Content-Disposition"]

    [leader, *_] = await people_with_role(room.db, Role.LEADER)
    stream = await chosen(page, leader)
    await page.post(f"/api/send/{user_id_of(leader)}", {"text": "/chart"})
    chart = await stream.next("message", lambda m: is_bot(m) and m["photo"] is not None)
    async with page.session.get(page.base + chart["photo"]["url"]) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/png"
        assert (await response.read()).startswith(b"\x89PNG")


async def test_what_telegram_would_refuse_is_shown_to_the_trainer(
    room: PracticeRoom, page: Page
) -> None:
    officer, _ = await busy_officer(room)
    stream = await chosen(page, officer)
    url = f"{page.base}/bot{room.server.token}/sendMessage"
    body = {"chat_id": user_id_of(officer), "text": "x" * 4097}
    async with page.session.post(url, json=body) as response:
        assert response.status == 400
    refusal = await stream.next("refusal")
    assert refusal == {"method": "sendMessage", "description": "Bad Request: message is too long"}


async def test_bad_requests_get_a_vietnamese_error_and_change_nothing(
    room: PracticeRoom, page: Page
) -> None:
    officer, _ = await busy_officer(room)
    user_id = user_id_of(officer)
    assert (await page.post(f"/api/send/{user_id}", {"text": "  "}, status=400)) == {
        "error": "Tin nhắn trống."
    }
    too_long = await page.post(f"/api/send/{user_id}", {"text": "x" * 4097}, status=400)
    assert too_long == {"error": "Tin nhắn quá dài (tối đa 4.096 ký tự)."}
    await page.post(f"/api/send/{user_id}", {"text": "/tasks", "reply_to": 999}, status=400)
    await page.get("/api/chat/12345", status=404)
    async with page.session.post(
        f"{page.base}/api/send/{user_id}", data="text=/tasks"
    ) as response:  # a form posted from another site
        assert response.status == 415
    assert room.server.chat_log(user_id) == []


@pytest.mark.parametrize("code", [None, "wrong123"])
async def test_without_the_trainer_code_nobody_enters(tmp_path: Path, code: str | None) -> None:
    options = RoomOptions(port=0, data=tmp_path / "sandbox", today=FIRST_DAY, code="k7m3p9x2")
    room = await PracticeRoom.start(Settings(), options)
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            query = "" if code is None else f"?code={code}"
            async with session.get(room.url + query) as response:
                assert response.status == 403
                assert "Phòng tập: cần mã của người hướng dẫn" in await response.text()
            for path in ("api/people", f"api/chat/{STRANGER_ID}", "static/app.js"):
                async with session.get(room.url + path) as response:
                    assert response.status == 403
    finally:
        await room.stop()


async def test_the_right_trainer_code_opens_the_page(tmp_path: Path) -> None:
    options = RoomOptions(port=0, data=tmp_path / "sandbox", today=FIRST_DAY, code="k7m3p9x2")
    room = await PracticeRoom.start(Settings(), options)
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(room.url + "?code=k7m3p9x2", allow_redirects=False) as answer:
                assert answer.status == 302
                assert answer.headers["Location"] == "/"
                cookie = answer.cookies["dondoc_sandbox"]
                assert cookie["httponly"]
            async with session.get(room.url) as response:
                assert response.status == 200
                assert "<html" in await response.text()
            async with session.get(room.url + "api/people") as response:
                assert response.status == 200
    finally:
        await room.stop()


def test_a_room_open_to_the_network_always_has_a_code() -> None:
    clock = ShiftedClock(datetime(2020, 4, 15, 9, 0, tzinfo=TZ))
    settings = Settings()
    open_room = PracticeRoom(settings, RoomOptions(host="0.0.0.0"), clock)
    other = PracticeRoom(settings, RoomOptions(host="192.168.1.20"), clock)
    assert open_room.code is not None and len(open_room.code) == 8
    assert other.code is not None and other.code != open_room.code
    assert PracticeRoom(settings, RoomOptions(host="127.0.0.1"), clock).code is None


async def test_a_second_start_keeps_the_register_and_fresh_starts_it_over(
    tmp_path: Path,
) -> None:
    options = RoomOptions(port=0, data=tmp_path / "sandbox", today=FIRST_DAY)
    first = await PracticeRoom.start(Settings(), options)
    officer, _ = await busy_officer(first)
    await first.stop()
    assert first.filled is not None and first.filled.source == "sample"
    again = await PracticeRoom.start(Settings(), options)
    try:
        assert again.filled is None
        kept, _ = await busy_officer(again)
        assert kept == officer
        await again.next_day()
    finally:
        await again.stop()
    resumed = await PracticeRoom.start(Settings(), RoomOptions(port=0, data=options.data))
    try:
        assert resumed.filled is None
        assert resumed.clock.today() == date(2020, 4, 16)  # where «Ngày hôm sau» left it
    finally:
        await resumed.stop()
    fresh = await PracticeRoom.start(Settings(), RoomOptions(**{**options.__dict__, "fresh": True}))
    try:
        assert fresh.filled is not None
        assert fresh.clock.today() == FIRST_DAY
    finally:
        await fresh.stop()
