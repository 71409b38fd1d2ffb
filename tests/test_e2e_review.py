"""The Office's side end to end: accept and return, the race of two reviewers, forged
presses, /review, /history, and the figures of `dondoc stats` after each decision."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.models import ReportState
from storage.accounts import set_language
from storage.register import add_event
from tests.e2e_workflow import (
    CODE,
    TITLE,
    Desk,
    delivered,
    event_kinds,
    figures,
    latest,
    open_desk,
    task_now,
)
from tests.factories import make_task
from tests.harness import Harness
from tests.tgdouble.models import TgMessage

RESULT = "Đã có Báo cáo số 123/BC-SNV"
WAITING = "\n\n⌛ Chờ quyết định."


async def reported(desk: Desk) -> tuple[TgMessage, TgMessage]:
    """The officer reports at 09:00 on 15/04; the two admins' cards, once the outbox has sent
    them (edits show in them)."""
    await desk.officer.send(f"/done {CODE} {RESULT}")
    await delivered(desk)
    return latest(desk.admin), latest(desk.admin2)


def waiting_card() -> str:
    return (
        f"📝 Báo cáo hoàn thành\nNhiệm vụ: {CODE} — {TITLE}\nĐơn vị chủ trì: Sở Y tế\n"
        "Hạn xử lý: 20/04/2020\nNgười báo cáo: Nguyễn Chuyên Viên\nGửi lúc: 09:00 15/04/2020\n"
        f"Văn bản trả lời: 123/BC-SNV\nKết quả: {RESULT}{WAITING}"
    )


def decided(card: TgMessage, line: str) -> str:
    """The card as first sent, with the decision in place of "waiting"."""
    assert card.edits == 1
    return waiting_card().removesuffix(WAITING) + line


# --- accept ----------------------------------------------------------------------------------


async def test_accepting_completes_the_task_on_the_day_the_report_was_sent(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    card, other_card = await reported(desk)
    harness.clock.advance(timedelta(days=7))  # 22/04, after the deadline of 20/04
    pressed = await desk.admin.press(card, "✅ Chấp nhận")
    assert pressed.answer is not None
    assert pressed.answer.text == "Đã chấp nhận. Nhiệm vụ hoàn thành ngày 15/04/2020."
    line = "\n\n✅ Đã chấp nhận — Trần Thị Văn Phòng, 09:00 22/04/2020. Hoàn thành ngày 15/04/2020."
    assert pressed.message.text == decided(card, line)
    assert pressed.message.buttons == []
    assert other_card.text == decided(other_card, line) and other_card.buttons == []
    task = await task_now(desk)
    assert task.completed_on == date(2020, 4, 15)
    assert task.report_state is None
    await delivered(desk)
    assert latest(desk.officer).text == (
        f"✅ Văn phòng đã chấp nhận báo cáo hoàn thành nhiệm vụ {CODE} — {TITLE}. Nhiệm vụ "
        "hoàn thành ngày 15/04/2020."
    )
    assert await event_kinds(desk) == ["created", "reported", "completed"]


async def test_a_card_still_works_after_a_restart(harness: Harness) -> None:
    desk = await open_desk(harness)
    card, other_card = await reported(desk)
    await harness.restart()
    pressed = await desk.admin.press(card, "✅ Chấp nhận")
    assert pressed.answer is not None
    assert pressed.answer.text == "Đã chấp nhận. Nhiệm vụ hoàn thành ngày 15/04/2020."
    assert other_card.buttons == []
    assert (await task_now(desk)).completed_on == date(2020, 4, 15)


async def test_a_report_sent_in_time_and_accepted_late_counts_on_time(harness: Harness) -> None:
    desk = await open_desk(harness)
    card, _ = await reported(desk)
    period, year = await figures(desk, date(2020, 4, 21))
    assert (period.due, period.completed, period.open_overdue) == (1, 0, 1)
    harness.clock.advance(timedelta(days=7))
    await desk.admin.press(card, "✅ Chấp nhận")
    period, year = await figures(desk, date(2020, 4, 22))
    assert (period.due, period.completed, period.on_time, period.late) == (1, 1, 1, 0)
    assert (period.open_in_time, period.open_overdue) == (0, 0)
    assert (year.assigned, year.completed, year.on_time, year.late, year.open) == (1, 1, 1, 0, 0)


# --- return ----------------------------------------------------------------------------------


async def test_returning_asks_the_reason_and_the_officer_may_report_again(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    card, other_card = await reported(desk)
    pressed = await desk.admin.press(card, "↩️ Trả lại")
    assert pressed.answer is not None
    assert pressed.answer.text == "Mời gửi nội dung trong khung chat."
    assert [m.text for m in pressed.new] == [
        f"Trả lại báo cáo nhiệm vụ {CODE}: hãy gửi lý do, nói rõ đơn vị cần phúc đáp lại điều "
        "gì. Gửi /cancel để hủy."
    ]
    reason = "Chưa nêu số liệu tiêm chủng, đề nghị bổ sung"
    [done] = await desk.admin.send(reason)
    assert done.text == f"↩️ Đã trả lại báo cáo nhiệm vụ {CODE}; bot đã báo người báo cáo."
    line = (
        f"\n\n↩️ Đã trả lại — Trần Thị Văn Phòng, 09:00 15/04/2020.\nYêu cầu phúc đáp lại: {reason}"
    )
    for message in (card, other_card):
        assert message.text == decided(message, line) and message.buttons == []
    await delivered(desk)
    notice = latest(desk.officer)
    assert notice.text == (
        f"↩️ Báo cáo hoàn thành nhiệm vụ {CODE} — {TITLE} đã bị trả lại.\nYêu cầu phúc đáp "
        f"lại: {reason}\nHạn xử lý: 20/04/2020. Khi đã bổ sung, hãy trả lời tin nhắn này bằng "
        "/done kết quả."
    )
    task = await task_now(desk)
    assert (task.report_state, task.completed_on) == (ReportState.RETURNED, None)
    period, _ = await figures(desk, date(2020, 4, 15))
    assert (period.completed, period.open_in_time) == (0, 1)

    [again] = await desk.officer.send(
        "/done Đã bổ sung số liệu, Báo cáo 130/BC-SYT", reply_to=notice
    )
    assert again.text is not None and again.text.startswith("✅ Đã gửi báo cáo hoàn thành")
    assert (await task_now(desk)).report_state is ReportState.PENDING
    await delivered(desk)
    assert latest(desk.admin).button_texts == ["✅ Chấp nhận", "↩️ Trả lại"]
    assert await event_kinds(desk) == ["created", "reported", "returned", "reported"]


async def test_an_empty_return_reason_keeps_the_question(harness: Harness) -> None:
    desk = await open_desk(harness)
    card, _ = await reported(desk)
    await desk.admin.press(card, "↩️ Trả lại")
    [reply] = await desk.admin.send("  ")
    assert reply.text == "Cần nêu lý do."
    assert (await task_now(desk)).report_state is ReportState.PENDING


# --- one decision stands -----------------------------------------------------------------------


async def test_two_reviewers_pressing_at_once_make_one_decision(harness: Harness) -> None:
    desk = await open_desk(harness)
    card, other_card = await reported(desk)
    # Both presses wait in the double before the bot polls; the bot handles the two chats
    # concurrently.
    first = await desk.admin.user.press(card, "✅ Chấp nhận")
    second = await desk.admin2.user.press(other_card, "✅ Chấp nhận")
    await harness.settle()
    answers = {
        a.callback_query_id: a.text
        for a in harness.tg.answers_to_callbacks
        if a.callback_query_id in (first["id"], second["id"])
    }
    accepted = "Đã chấp nhận. Nhiệm vụ hoàn thành ngày 15/04/2020."
    names = {first["id"]: "Trần Thị Văn Phòng", second["id"]: "Lý Thị Thẩm Định"}
    [winner] = [query_id for query_id, text in answers.items() if text == accepted]
    [loser] = [query_id for query_id in answers if query_id != winner]
    assert answers[loser] == f"{names[winner]} đã chấp nhận báo cáo này lúc 09:00 15/04/2020."
    assert await event_kinds(desk) == ["created", "reported", "completed"]
    for message in (card, other_card):
        assert harness.tg.message(message.chat_id, message.message_id).buttons == []
    await delivered(desk)
    assert sum("đã chấp nhận báo cáo" in (m.text or "") for m in desk.officer.inbox) == 1


async def test_one_reviewer_pressing_twice_decides_once(harness: Harness) -> None:
    desk = await open_desk(harness)
    card, _ = await reported(desk)
    await desk.admin.user.press(card, "✅ Chấp nhận")
    await desk.admin.user.press(card, "✅ Chấp nhận")
    await harness.settle()
    answers = [a.text for a in harness.tg.answers_to_callbacks]
    assert answers == [
        "Đã chấp nhận. Nhiệm vụ hoàn thành ngày 15/04/2020.",
        "Trần Thị Văn Phòng đã chấp nhận báo cáo này lúc 09:00 15/04/2020.",
    ]
    assert await event_kinds(desk) == ["created", "reported", "completed"]


async def test_a_reason_sent_after_another_reviewer_decided_changes_nothing(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    card, other_card = await reported(desk)
    await desk.admin.press(card, "↩️ Trả lại")
    harness.clock.advance(timedelta(minutes=5))
    await desk.admin2.press(other_card, "✅ Chấp nhận")
    [reply] = await desk.admin.send("Chưa đạt yêu cầu, đề nghị làm lại")
    assert reply.text == "Lý Thị Thẩm Định đã chấp nhận báo cáo này lúc 09:05 15/04/2020."
    task = await task_now(desk)
    assert (task.completed_on, task.report_state) == (date(2020, 4, 15), None)
    assert await event_kinds(desk) == ["created", "reported", "completed"]


# --- button data carries no authority ------------------------------------------------------------


async def test_forged_and_stale_presses_change_nothing(harness: Harness) -> None:
    desk = await open_desk(harness)
    card, _ = await reported(desk)
    report_id = json.loads(card.buttons[0][0]["callback_data"].split(":")[2])
    officer_message = latest(desk.officer)
    pressed = await desk.officer.press_data(officer_message, f"rv:a:{report_id}")
    assert pressed.answer is not None
    assert pressed.answer.text == "Nút này không dành cho vai trò của bạn."
    for data in ("rv:a:999", "rv:q:1", f"rv:a:{report_id}:1", "rv:a:x", "rv:"):
        pressed = await desk.admin.press_data(card, data)
        assert pressed.answer is not None and pressed.answer.text == "Nút này không còn hiệu lực."
    [history] = await desk.leader.send(f"/history {CODE}")
    pressed = await desk.leader.press_data(history, f"rv:a:{report_id}")
    assert pressed.answer is not None
    assert pressed.answer.text == "Bạn không có quyền quyết định việc này."
    pressed = await desk.officer.press_data(officer_message, "done:NV-KHONG-CO")
    assert pressed.answer is not None and pressed.answer.text == "Nút này không còn hiệu lực."
    task = await task_now(desk)
    assert (task.report_state, task.completed_on) == (ReportState.PENDING, None)
    assert await event_kinds(desk) == ["created", "reported"]
    assert harness.tg.message(card.chat_id, card.message_id).button_texts == [
        "✅ Chấp nhận",
        "↩️ Trả lại",
    ]


# --- /review -----------------------------------------------------------------------------------


async def test_review_with_nothing_waiting(harness: Harness) -> None:
    desk = await open_desk(harness)
    [reply] = await desk.admin.send("/review")
    assert reply.text == "Không có báo cáo hay đề nghị gia hạn nào chờ quyết định."


async def test_review_lists_what_waits_oldest_first_with_its_buttons(harness: Harness) -> None:
    desk = await open_desk(harness)
    other = await make_task(
        harness.db, desk.world.health, harness.now, code="NV-2020-0400", title="Rà soát hồ sơ",
        deadline=date(2020, 4, 24), officer=desk.world.officer,
    )  # fmt: skip
    await desk.officer.send(f"/done {CODE} {RESULT}")
    harness.clock.advance(timedelta(hours=1))
    await desk.officer.send(f"/extend {other.code} 30/04/2020 Chờ ý kiến của Bộ Y tế")
    await delivered(desk)
    head, report, request = await desk.admin.send("/review")
    assert head.text == "Đang chờ quyết định: 2 việc, cũ nhất trước."
    assert report.text is not None and report.text.startswith(
        "📝 Báo cáo hoàn thành\nNhiệm vụ: NV-2020-0345"
    )
    assert report.button_texts == ["✅ Chấp nhận", "↩️ Trả lại"]
    assert request.text is not None and request.text.startswith(
        "⏳ Đề nghị gia hạn\nNhiệm vụ: NV-2020-0400"
    )
    assert request.button_texts == ["✅ Gia hạn", "📅 Gia hạn đến ngày khác", "❌ Từ chối"]
    first_card = desk.admin.inbox[-5]  # the card sent when the report came
    await desk.admin.press(report, "✅ Chấp nhận")
    assert harness.tg.message(first_card.chat_id, first_card.message_id).buttons == []
    rest_head, rest = await desk.admin.send("/review")
    assert rest_head.text == "Đang chờ quyết định: 1 việc, cũ nhất trước."
    assert rest.button_texts == ["✅ Gia hạn", "📅 Gia hạn đến ngày khác", "❌ Từ chối"]


async def test_review_is_for_admins(harness: Harness) -> None:
    desk = await open_desk(harness)
    [reply] = await desk.officer.send("/review")
    assert reply.text == (
        "Lệnh này không dành cho vai trò của bạn. Gõ /help để xem những việc bạn có thể làm."
    )


# --- /history ----------------------------------------------------------------------------------


async def test_history_tells_every_event_with_who_and_when(harness: Harness) -> None:
    desk = await open_desk(harness)
    card, _ = await reported(desk)
    harness.clock.advance(timedelta(hours=2))
    await desk.admin.press(card, "↩️ Trả lại")
    await desk.admin.send("Thiếu số liệu")
    harness.clock.advance(timedelta(hours=1))
    await desk.officer.send(f"/done {CODE} Đã bổ sung, Báo cáo 130/BC-SYT")
    await delivered(desk)
    harness.clock.advance(timedelta(days=1))
    await desk.admin.press(latest(desk.admin), "✅ Chấp nhận")
    [history] = await desk.head.send(f"/history {CODE}")
    assert history.text == (
        f"🗂 Lịch sử nhiệm vụ {CODE} — {TITLE}\n"
        "• 09:00 15/04/2020 — Giao nhiệm vụ\n"
        f"• 09:00 15/04/2020 — Báo cáo hoàn thành: {RESULT} (Nguyễn Chuyên Viên)\n"
        "• 11:00 15/04/2020 — Trả lại, yêu cầu phúc đáp lại: Thiếu số liệu (Trần Thị Văn Phòng)\n"
        "• 12:00 15/04/2020 — Báo cáo hoàn thành: Đã bổ sung, Báo cáo 130/BC-SYT "
        "(Nguyễn Chuyên Viên)\n"
        "• 12:00 16/04/2020 — Hoàn thành (ngày hoàn thành 15/04/2020) (Trần Thị Văn Phòng)"
    )
    await set_language(harness.db, person_id=desk.world.leader.id, language="en")
    [english] = await desk.leader.send(f"/history {CODE}")
    assert english.text is not None
    assert english.text.splitlines()[1:3] == [
        "• 09:00 15/04/2020 — Task assigned",
        f"• 09:00 15/04/2020 — Completion reported: {RESULT} (Nguyễn Chuyên Viên)",
    ]


async def test_history_of_another_units_task_is_not_shown(harness: Harness) -> None:
    desk = await open_desk(harness)
    [reply] = await desk.other_officer.send(f"/history {CODE}")
    assert reply.text == "Nhiệm vụ này của đơn vị khác; bạn không xem được lịch sử của nó."
    [unknown] = await desk.officer.send("/history NV-2020-9999")
    assert unknown.text == (
        "Không tìm thấy nhiệm vụ có mã NV-2020-9999. Hãy kiểm tra lại mã (ví dụ NV-2020-0345) "
        "hoặc xem /tasks."
    )


async def test_a_long_history_is_paged(harness: Harness) -> None:
    desk = await open_desk(harness)
    async with harness.db.transaction() as conn:
        for n in range(70):
            at = harness.now + timedelta(minutes=n)
            await add_event(conn, task_id=desk.task.id, kind="reminded", at=at)
    [first] = await desk.officer.send(f"/history {CODE}")
    assert first.text is not None and first.text.endswith("(trang 1/3)")
    assert first.button_texts == ["▶"]
    pressed = await desk.officer.press(first, "▶")
    assert pressed.message.text is not None and pressed.message.text.endswith("(trang 2/3)")
    assert pressed.message.button_texts == ["◀", "▶"]
