"""Reviewers' cards go through the reminders' outbox: the officer's answer never waits on the
admins' chats, each admin gets each card once (paced, retried after 429s), a card whose
report was decided before it went is not sent, a decision taken while a card is on its way
still edits it, and cards stored before a crash are sent by the next process."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

from bot.reminders.messenger import Attachment, BotMessenger, outbox_bot
from bot.reminders.pacing import Backoff
from bot.reminders.render import Buttons
from bot.services.reminders import sender_setup, start_sender, tick
from storage import workflow as store
from storage.accounts import set_language
from tests.e2e_workflow import CODE, TITLE, Desk, delivered, event_kinds, latest, open_desk
from tests.harness import TZ, Actor, Harness, HarnessFactory
from tests.tgdouble.models import TgMessage

RESULT = "Đã có Báo cáo số 123/BC-SNV"
SENT = (
    f"✅ Đã gửi báo cáo hoàn thành nhiệm vụ {CODE}. Nhiệm vụ đang chờ Văn phòng duyệt; "
    "bot sẽ báo bạn kết quả.\nVăn bản trả lời: 123/BC-SNV"
)
CARD = (
    f"📝 Báo cáo hoàn thành\nNhiệm vụ: {CODE} — {TITLE}\nĐơn vị chủ trì: Sở Y tế\n"
    "Hạn xử lý: 20/04/2020\nNgười báo cáo: Nguyễn Chuyên Viên\nGửi lúc: {at}\n"
    f"Văn bản trả lời: 123/BC-SNV\nKết quả: {RESULT}"
)
WAITING = "\n\n⌛ Chờ quyết định."
QUIET_TICKS = {"tick_seconds": 3600}  # the JobQueue stays out of the way: tests tick


def cards(admin: Actor) -> list[TgMessage]:
    return [m for m in admin.inbox if (m.text or "").startswith("📝 Báo cáo hoàn thành")]


async def review_rows(harness: Harness) -> dict[str, int]:
    rows = await harness.db.fetchall(
        "SELECT state, COUNT(*) FROM outbox WHERE kind = 'review' GROUP BY state"
    )
    return {r[0]: r[1] for r in rows}


async def report_id(harness: Harness) -> int:
    found = await harness.db.fetchval("SELECT id FROM completion_reports")
    assert isinstance(found, int)
    return found


class Gate:
    """The bot's own messenger, whose card sends wait at the gate until it opens (it never
    opens: a process killed while its cards were on their way)."""

    def __init__(self, harness: Harness, *, expected: int) -> None:
        assert harness.app is not None
        bot = outbox_bot(harness.app.bot, harness.settings)
        self.inner = BotMessenger(bot)
        self.expected = expected
        self.waiting = 0
        self.arrived = asyncio.Event()  # `expected` sends wait at the gate
        self.open = asyncio.Event()

    async def send(self, chat_id: int, text: str, buttons: Buttons) -> int:
        self.waiting += 1
        if self.waiting >= self.expected:
            self.arrived.set()
        await self.open.wait()
        return await self.inner.send(chat_id, text, buttons)

    async def send_file(self, chat_id: int, file: Attachment, reply_to: int) -> int:
        return await self.inner.send_file(chat_id, file, reply_to)

    async def edit(self, chat_id: int, message_id: int, text: str, buttons: Buttons) -> None:
        await self.inner.edit(chat_id, message_id, text, buttons)

    async def close(self) -> None:
        await self.inner.bot.shutdown()


async def test_admin_chats_answering_429_do_not_hold_the_officers_answer(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    tg = harness.tg
    # Each chat takes one message, then one every two seconds: the answers to /review use up
    # the admins' chats, so the cards meet 429 (retry after 2 s) when they first go.
    tg.set_rate_limits(per_chat_rate=0.5, per_chat_burst=1)
    for admin in (desk.admin, desk.admin2):
        [empty] = await admin.send("/review")
        assert empty.text == "Không có báo cáo hay đề nghị gia hạn nào chờ quyết định."
    [answer] = await desk.officer.send(f"/done {CODE} {RESULT}")
    assert answer.text == SENT
    # The report is handled and answered; the cards are still waiting out the 429s.
    assert (cards(desk.admin), cards(desk.admin2)) == ([], [])
    await delivered(desk)
    assert tg.stats.too_many_requests >= 2
    for admin in (desk.admin, desk.admin2):
        [card] = cards(admin)
        assert card.text == CARD.format(at="09:00 15/04/2020") + WAITING
        assert card.button_texts == ["✅ Chấp nhận", "↩️ Trả lại"]
    assert await review_rows(harness) == {"sent": 2}
    # Deciding on one card still edits the other in place.
    tg.set_rate_limits(per_chat_rate=None)
    pressed = await desk.admin.press(cards(desk.admin)[0], "✅ Chấp nhận")
    assert pressed.answer is not None
    assert pressed.answer.text == "Đã chấp nhận. Nhiệm vụ hoàn thành ngày 15/04/2020."
    [other] = cards(desk.admin2)
    assert other.buttons == [] and other.text is not None
    assert other.text.endswith("✅ Đã chấp nhận — Trần Thị Văn Phòng, 09:00 15/04/2020. "
                               "Hoàn thành ngày 15/04/2020.")  # fmt: skip


async def test_a_report_decided_before_its_cards_went_is_not_put_before_anyone(
    harness_factory: HarnessFactory,
) -> None:
    harness = await harness_factory(
        now=datetime(2020, 4, 15, 22, 30, tzinfo=TZ), reminders=QUIET_TICKS
    )
    desk = await open_desk(harness)
    [answer] = await desk.officer.send(f"/done {CODE} {RESULT}")
    assert answer.text == SENT  # answered at once, in quiet hours too
    await delivered(desk)
    assert (desk.admin.inbox, desk.admin2.inbox) == ([], [])  # the cards wait for 07:00
    assert await review_rows(harness) == {"pending": 2}
    # An admin still at work finds it through /review and accepts it.
    _, card = await desk.admin.send("/review")
    pressed = await desk.admin.press(card, "✅ Chấp nhận")
    assert pressed.answer is not None
    assert pressed.answer.text == "Đã chấp nhận. Nhiệm vụ hoàn thành ngày 15/04/2020."
    harness.clock.set(datetime(2020, 4, 16, 7, 0, tzinfo=TZ))
    assert harness.app is not None
    await tick(harness.app, wait=True)
    assert await review_rows(harness) == {"cancelled": 2}
    assert desk.admin2.inbox == []
    assert cards(desk.admin) == [card]  # only the one /review showed
    assert latest(desk.officer).text == (
        f"✅ Văn phòng đã chấp nhận báo cáo hoàn thành nhiệm vụ {CODE} — {TITLE}. Nhiệm vụ "
        "hoàn thành ngày 15/04/2020."
    )


async def test_a_decision_taken_while_a_card_is_on_its_way_still_edits_it(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    assert harness.app is not None
    assert desk.admin2.person is not None
    await set_language(harness.db, person_id=desk.admin2.person.id, language="en")
    gate = Gate(harness, expected=2)
    sender_setup(harness.app).messenger = gate
    try:
        [answer] = await desk.officer.send(f"/done {CODE} {RESULT}")
        assert answer.text == SENT
        await asyncio.wait_for(gate.arrived.wait(), 5)  # both cards written, neither sent
        decision = await store.accept_report(
            harness.db, report_id=await report_id(harness), person_id=desk.world.admin.id,
            now=harness.now,
        )  # fmt: skip
        assert decision.taken
        gate.open.set()
        await delivered(desk)
    finally:
        await gate.close()
    [card] = cards(desk.admin)
    assert card.text == (
        CARD.format(at="09:00 15/04/2020")
        + "\n\n✅ Đã chấp nhận — Trần Thị Văn Phòng, 09:00 15/04/2020. Hoàn thành ngày 15/04/2020."
    )
    assert card.buttons == [] and card.edits == 1
    [english] = desk.admin2.inbox
    assert english.text is not None and english.text.startswith("📝 Completion report\n")
    assert english.text.endswith("\n\n✅ Accepted — Trần Thị Văn Phòng, 09:00 15/04/2020. "
                                 "Completed on 15/04/2020.")  # fmt: skip
    assert english.buttons == []


async def test_cards_stored_before_a_crash_are_sent_by_the_next_process(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    app = harness.app
    assert app is not None
    gate = Gate(harness, expected=2)
    sender_setup(app).messenger = gate
    [answer] = await desk.officer.send(f"/done {CODE} {RESULT}")
    assert answer.text == SENT
    await asyncio.wait_for(gate.arrived.wait(), 5)
    # The process dies with both cards claimed and unsent: its sender stops where it is.
    sender = start_sender(app)
    sender.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sender
    await gate.close()
    assert await review_rows(harness) == {"sending": 2}
    assert (desk.admin.inbox, desk.admin2.inbox) == ([], [])
    await harness.restart()  # a new application on the same database file
    await delivered(desk)
    assert await review_rows(harness) == {"sent": 2}
    for admin in (desk.admin, desk.admin2):
        [card] = cards(admin)
        assert card.text == CARD.format(at="09:00 15/04/2020") + WAITING
    # The cards of the new process are the ones decisions edit and replies find.
    pressed = await desk.admin2.press(cards(desk.admin2)[0], "✅ Chấp nhận")
    assert pressed.answer is not None
    assert pressed.answer.text == "Đã chấp nhận. Nhiệm vụ hoàn thành ngày 15/04/2020."
    assert cards(desk.admin)[0].buttons == []
    assert await event_kinds(desk) == ["created", "reported", "completed"]


async def reported_with_file(desk: Desk) -> str:
    """The officer reports with a document; its file id."""
    sent = await desk.officer.user.send_document(
        b"%PDF-1.4 bao cao", "bao-cao.pdf", mime_type="application/pdf",
        caption=f"/done {CODE} {RESULT}",
    )  # fmt: skip
    await desk.harness.settle()
    assert latest(desk.officer).text == SENT
    return str(sent["document"]["file_id"])


async def test_a_file_refused_after_its_card_went_is_retried_alone(harness: Harness) -> None:
    desk = await open_desk(harness)
    assert harness.app is not None
    sender_setup(harness.app).backoff = Backoff(base=0.01, cap=0.05)
    harness.tg.fail_next("sendDocument", times=2, status=502)
    file_id = await reported_with_file(desk)
    await delivered(desk)
    for admin in (desk.admin, desk.admin2):
        [card] = cards(admin)
        [attachment] = [m for m in admin.inbox if m.document is not None]
        assert attachment.document is not None and attachment.document["file_id"] == file_id
        assert attachment.reply_to == card.message_id
    assert await review_rows(harness) == {"sent": 2}


async def test_an_admin_who_blocked_the_bot_gets_the_card_after_their_next_start(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    harness.tg.block(desk.admin2.user, notify=False)
    harness.tg.expect_refusals(1, match="blocked")
    await desk.officer.send(f"/done {CODE} {RESULT}")
    await delivered(desk)
    [card] = cards(desk.admin)
    assert card.button_texts == ["✅ Chấp nhận", "↩️ Trả lại"]
    told = latest(desk.admin).text
    assert told is not None and told.startswith("📵 Không gửi được tin nhắn cho Lý Thị Thẩm Định")
    assert desk.admin2.inbox == []
    assert await review_rows(harness) == {"pending": 1, "sent": 1}
    harness.tg.unblock(desk.admin2.user, notify=False)
    await desk.admin2.send("/start")
    await delivered(desk)
    [late] = cards(desk.admin2)
    assert late.text == CARD.format(at="09:00 15/04/2020") + WAITING
    assert await review_rows(harness) == {"sent": 2}
