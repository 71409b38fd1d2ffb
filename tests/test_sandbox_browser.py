"""The practice room in a real browser: `dondoc sandbox` started as users start it, its page
driven by Playwright in Debian's chromium (/usr/bin/chromium; .ci/run installs it).

One room for the module (a fresh register from the sample province, its clock on
TODAY), one browser; each test opens its own pages, as people in a training room open their
own tabs. Every page fails its test on a browser console error or an uncaught exception.
Screenshots at 390×844 and 1280×800 go to .artifacts/sandbox/ (ignored by git).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import pytest_asyncio
from docx import Document
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHROMIUM = "/usr/bin/chromium"
TODAY = "2026-12-07"  # a Monday: the room's first day
NEXT_DAY = "08/12/2026"
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts" / "sandbox"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CODE = re.compile(r"NV-\d{4}-\d{4}")
# The bot answers within a few seconds; a loaded CI machine (2 cores, a chart, a report) may
# take longer, and a locator only waits as long as it must.
WAIT_MS = 30_000

expect.set_options(timeout=WAIT_MS)


@dataclass(frozen=True)
class Room:
    url: str
    people: dict[str, Any]  # GET /api/people as the room started

    def first(self, role: str, nth: int = 0) -> dict[str, Any]:
        """The first (or nth) person of the register with this role (admin, leader, head,
        officer), in the order of the page's groups; each test takes its own people."""
        return [p for g in self.people["groups"] for p in g["people"] if p["role"] == role][nth]

    def stranger(self) -> dict[str, Any]:
        person: dict[str, Any] = self.people["groups"][-1]["people"][0]
        return person


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """`dondoc sandbox` in a folder of its own (no config.toml there: no token, as on a fresh
    machine), until it prints its address."""
    home = tmp_path_factory.mktemp("room")
    port = free_port()
    log = (home / "sandbox.log").open("w")
    command = [sys.executable, "-m", "bot", "sandbox", "--port", str(port),
               "--data", str(home / "data"), "--today", TODAY, "--fresh"]  # fmt: skip
    proc = subprocess.Popen(command, cwd=home, stdout=subprocess.PIPE, stderr=log, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the room prints its address once it serves
            if url in line:
                break
        else:
            pytest.fail(f"dondoc sandbox stopped:\n{(home / 'sandbox.log').read_text()}")
        with urllib.request.urlopen(url + "api/people", timeout=10) as answer:
            people = json.load(answer)
        yield Room(url=url, people=people)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        await browser.close()


@dataclass
class Visits:
    """The pages a test opens, each in its own browser context (its own person), and what
    went wrong in any of them."""

    browser: Browser
    room: Room
    errors: list[str] = field(default_factory=list)
    closers: list[Any] = field(default_factory=list)

    async def page(self, viewport: dict[str, int] = DESKTOP, *, query: str = "") -> Page:
        phone = viewport == PHONE  # a touch screen: no hover, as on a real phone
        context = await self.browser.new_context(
            viewport=viewport,  # type: ignore[arg-type]
            has_touch=phone,
            is_mobile=phone,
        )
        context.set_default_timeout(WAIT_MS)
        self.closers.append(context.close)
        page = await context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        await page.goto(self.room.url + query)
        return page

    async def person(self, person: dict[str, Any], viewport: dict[str, int] = DESKTOP) -> Page:
        page = await self.page(viewport)
        await choose(page, person["name"])
        return page


@pytest_asyncio.fixture(loop_scope="module")
async def visits(browser: Browser, room: Room) -> AsyncIterator[Visits]:
    found = Visits(browser, room)
    yield found
    for close in found.closers:
        await close()
    assert found.errors == [], "browser console errors"


# --- what a person does and sees ---------------------------------------------------------------


async def choose(page: Page, name: str) -> None:
    """«Bạn là»: search the person by name, pick them; the chat opens."""
    await page.get_by_role("combobox", name="Bạn là").fill(name)
    await page.get_by_role("option", name=name).click()
    await expect(page.get_by_role("textbox", name="Nhập tin nhắn")).to_be_focused()


async def say(page: Page, text: str) -> None:
    # The composer whatever its label: `/lang en` relabels it as soon as the bot answers.
    box = page.get_by_role("contentinfo").get_by_role("textbox")
    await box.fill(text)
    await box.press("Enter")
    await expect(box).to_have_value("")


def said(page: Page, text: str | re.Pattern[str], *, by: str = "theirs") -> Locator:
    """The messages of the bot ("theirs") or of the person ("mine") that contain `text`."""
    return page.get_by_role("log").locator(f"article.{by}").filter(has_text=text)


async def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("390", PHONE), ("1280", DESKTOP)):
        await page.set_viewport_size(size)  # type: ignore[arg-type]
        await page.screenshot(path=ARTIFACTS / f"{name}-{label}.png")


# --- the workflow across people, live -----------------------------------------------------------


async def test_an_officer_reports_done_and_the_office_accepts_it_live(
    visits: Visits, room: Room
) -> None:
    officer, admin = room.first("officer"), room.first("admin")
    office = await visits.person(admin)
    desk = await visits.person(officer, PHONE)

    await say(desk, "/tasks")
    listing = said(desk, f"Nhiệm vụ đang mở của {officer['name']}")
    await expect(listing).to_have_count(1)
    found = CODE.search(await listing.inner_text())
    assert found, "the officer's /tasks lists no task"
    code = found.group()

    await say(desk, f"/task {code}")
    card = said(desk, f"📌 {code}")
    await card.get_by_role("button", name="✅ Hoàn thành").click()
    await expect(said(desk, "Hãy gửi kết quả thực hiện")).to_have_count(1)
    await say(desk, "Đã có Báo cáo số 45/BC-BDT gửi UBND tỉnh")
    await expect(said(desk, f"Đã gửi báo cáo hoàn thành nhiệm vụ {code}")).to_have_count(1)

    review = said(office, "📝 Báo cáo hoàn thành").filter(has_text=code)
    await expect(review).to_contain_text("45/BC-BDT")  # it came to the open page by itself
    await shoot(office, "office-review")
    await review.get_by_role("button", name="✅ Chấp nhận").click()
    await expect(office.get_by_role("status").filter(has_text="Đã chấp nhận")).to_be_visible()
    await expect(review).to_contain_text("✅ Đã chấp nhận")  # the card edited in place
    await expect(review.get_by_role("button", name="✅ Chấp nhận")).to_have_count(0)

    notice = said(desk, f"Văn phòng đã chấp nhận báo cáo hoàn thành nhiệm vụ {code}")
    await expect(notice).to_have_count(1)
    await shoot(desk, "officer-accepted")


async def test_a_leader_sees_the_figures_the_chart_and_downloads_the_report(
    visits: Visits, room: Room, tmp_path: Path
) -> None:
    page = await visits.person(room.first("leader"))

    await say(page, "/stats")
    await expect(said(page, re.compile(r"\d+,\d%"))).not_to_have_count(0)

    await say(page, "/chart")
    chart = page.get_by_role("log").get_by_role("img")
    await expect(chart).to_have_count(1)
    await expect(chart).to_have_js_property("complete", True)
    assert await chart.evaluate("image => image.naturalWidth") > 300

    await say(page, "/report")
    docx_link = page.get_by_role("link", name=re.compile(r"\.docx"))
    xlsx_link = page.get_by_role("link", name=re.compile(r"\.xlsx"))
    await expect(docx_link).to_have_count(1)
    await expect(xlsx_link).to_have_count(1)
    await shoot(page, "leader-report")

    async with page.expect_download() as docx_download:
        await docx_link.click()
    path = tmp_path / (await docx_download.value).suggested_filename
    await (await docx_download.value).save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "BÁO CÁO" in text.upper() and "nhiệm vụ" in text

    async with page.expect_download() as xlsx_download:
        await xlsx_link.click()
    path = tmp_path / (await xlsx_download.value).suggested_filename
    await (await xlsx_download.value).save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    assert any(CODE.fullmatch(str(cell)) for row in rows for cell in row)


async def test_a_trainee_links_with_start_and_the_contact_button(
    visits: Visits, room: Room
) -> None:
    """Opened as /?link=0, the room leaves /start and «Chia sẻ số điện thoại» to the person."""
    officer = room.first("officer", 2)
    page = await visits.page(PHONE, query="?link=0")
    await choose(page, officer["name"])
    await expect(page.get_by_role("log").get_by_role("article")).to_have_count(0)
    await say(page, "/start")
    keyboard = page.get_by_role("group", name="Bàn phím của bot")
    await keyboard.get_by_role("button", name="Chia sẻ số điện thoại").click()
    await expect(said(page, f"Chào mừng {officer['name']}")).to_have_count(1)
    await expect(keyboard).to_be_hidden()  # one-time keyboard
    await expect(page.get_by_role("button", name="Lệnh")).to_be_enabled()


async def test_a_stranger_sees_nothing_but_the_stranger_answer(visits: Visits, room: Room) -> None:
    page = await visits.person(room.stranger(), PHONE)
    await say(page, "/tasks")
    answer = said(page, "chưa được liên kết với danh sách cán bộ")
    await expect(answer).to_have_count(1)
    log = page.get_by_role("log")
    await expect(log.get_by_role("article")).to_have_count(2)  # /tasks and that answer
    await expect(log).not_to_contain_text(CODE)
    await shoot(page, "stranger")


async def test_the_page_names_its_parts_and_fits_a_phone(visits: Visits, room: Room) -> None:
    page = await visits.page(PHONE)
    banner = "Phòng tập — không phải Telegram; không dùng cho dữ liệu thật"
    await expect(page.get_by_role("note")).to_have_text(banner)
    await expect(page.get_by_role("combobox", name="Bạn là")).to_be_visible()
    await expect(page.get_by_role("button", name="Ngày hôm sau")).to_be_visible()
    await expect(page.locator("#today")).to_have_text("07/12/2026")
    await choose(page, room.first("head")["name"])
    await say(page, "/help")
    await expect(said(page, "/tasks")).not_to_have_count(0)
    log = page.get_by_role("log")
    await expect(log).to_have_attribute("aria-live", "polite")
    await expect(page.get_by_role("button", name="Gửi", exact=True)).to_be_enabled()
    await shoot(page, "head-help")
    for size in (PHONE, DESKTOP):
        await page.set_viewport_size(size)  # type: ignore[arg-type]
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"the page is {width} px wide in {size['width']} px"
        small = await page.evaluate(
            """[...document.querySelectorAll('button, a, input, textarea, [role=option]')]
               .filter(e => e.offsetParent !== null)
               .map(e => [e.textContent.trim() || e.getAttribute('aria-label'),
                          e.getBoundingClientRect().height])
               .filter(([, h]) => h < 24)"""
        )
        assert small == [], f"tap targets under 24 px: {small}"


async def test_keyboard_only_choose_send_and_the_command_menu(visits: Visits, room: Room) -> None:
    page = await visits.page()
    chooser = page.get_by_role("combobox", name="Bạn là")
    await chooser.focus()
    head = room.first("head", 2)
    await page.keyboard.type(head["name"])
    await expect(chooser).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Nhập tin nhắn")
    await expect(box).to_be_focused()
    await expect(chooser).to_have_value(head["name"])

    menu_button = page.get_by_role("button", name="Lệnh")
    await expect(menu_button).to_be_enabled()  # the bot set this person's commands
    await page.keyboard.press("Shift+Tab")  # the paperclip
    await page.keyboard.press("Shift+Tab")
    await expect(menu_button).to_be_focused()
    await page.keyboard.press("Enter")
    menu = page.get_by_role("menu")
    await expect(menu.get_by_role("menuitem", name="/tasks")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(menu).to_be_hidden()
    await expect(menu_button).to_be_focused()

    await page.keyboard.press("Enter")
    await menu.get_by_role("menuitem", name="/tasks").focus()
    await page.keyboard.press("Enter")  # chosen: sent at once
    await expect(said(page, "/tasks", by="mine")).to_have_count(1)
    await expect(said(page, "Nhiệm vụ đang mở")).to_have_count(1)


async def test_english_labels_once_the_person_chose_english(visits: Visits, room: Room) -> None:
    head = room.first("head", 1)
    page = await visits.person(head)
    await say(page, "/lang en")
    await expect(page.get_by_role("textbox", name="Type a message")).to_be_visible()
    await expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
    await expect(page.get_by_role("combobox", name="You are")).to_be_visible()
    await expect(page.get_by_role("note")).to_have_text(
        "Practice room — not Telegram; not for real data"
    )


# --- the next day, replies and files (last: it moves the room's clock) -------------------------


async def test_next_day_brings_a_reminder_answered_by_reply_and_a_file(
    visits: Visits, room: Room, tmp_path: Path
) -> None:
    officer = room.first("officer", 1)
    page = await visits.person(officer, PHONE)
    other = await visits.person(room.first("leader"))

    await page.get_by_role("button", name="Ngày hôm sau").click()
    await expect(page.locator("#today")).to_have_text(NEXT_DAY)
    await expect(other.locator("#today")).to_have_text(NEXT_DAY)  # every page hears the clock
    reminder = page.locator(".note.day ~ article.theirs").filter(has_text="Trả lời (reply)")
    await expect(reminder).not_to_have_count(0)
    first = reminder.first
    code = CODE.search(await first.inner_text())
    assert code is not None

    await first.get_by_role("button", name="Trả lời").click()
    await expect(page.locator("#reply-bar")).to_contain_text(code.group())
    await say(page, "/done Đã có Báo cáo số 46/BC-BDT")
    mine = said(page, "/done Đã có Báo cáo số 46/BC-BDT", by="mine")
    await expect(mine.get_by_role("link")).to_contain_text(code.group())  # the quoted snippet
    await expect(said(page, f"Đã gửi báo cáo hoàn thành nhiệm vụ {code.group()}")).to_have_count(1)

    await say(page, "/tasks")
    listing = said(page, "Nhiệm vụ đang mở của")
    await expect(listing).not_to_have_count(0)
    codes = CODE.findall(await listing.last.inner_text())
    other_code = next((c for c in codes if c != code.group()), None)
    assert other_code, f"the officer has no second open task: {codes}"

    attachment = tmp_path / "bao-cao-47.pdf"
    attachment.write_bytes(b"%PDF-1.4\n% a reply document\n")
    async with page.expect_file_chooser() as chooser:
        await page.get_by_role("button", name="Đính kèm tệp").click()
    await (await chooser.value).set_files(attachment)
    caption = page.get_by_role("textbox", name="Chú thích cho tệp")
    await caption.fill(f"/done {other_code} Đã xong, văn bản 47/BC-BDT")
    await caption.press("Enter")
    await expect(said(page, "bao-cao-47.pdf", by="mine")).to_have_count(1)
    await expect(said(page, f"Đã gửi báo cáo hoàn thành nhiệm vụ {other_code}")).to_have_count(1)
    await shoot(page, "officer-next-day")
