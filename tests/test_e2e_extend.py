"""/extend end to end: the three ways and the button, grant, grant another date, refuse,
the assigning leader as reviewer, and every bad input."""

from __future__ import annotations

from datetime import date, timedelta

from storage.workflow import get_dialogue
from tests.e2e_workflow import (
    CODE,
    DEADLINE,
    TITLE,
    Desk,
    delivered,
    event_kinds,
    figures,
    latest,
    open_desk,
    refused,
    task_now,
)
from tests.harness import DEFAULT_NOW, Harness, HarnessFactory

REASON = "Chờ ý kiến thẩm định của Bộ Y tế"
ASK = (
    f"Nhiệm vụ {CODE} — {TITLE}\nHạn hiện tại: 20/04/2020.\nHãy gửi ngày xin gia hạn và lý "
    "do, ví dụ: 30/04/2020 Chờ ý kiến của Bộ Y tế. Ngày có thể viết 30/4, 2020-04-30, +7 hoặc "
    "+5n (ngày làm việc). Gửi /cancel để hủy."
)
BUTTONS = ["✅ Gia hạn", "📅 Gia hạn đến ngày khác", "❌ Từ chối"]


def sent(day: str) -> str:
    return f"✅ Đã gửi đề nghị gia hạn nhiệm vụ {CODE} đến {day}. Bot sẽ báo bạn khi có quyết định."


def request_card(deadline: str = "20/04/2020", count: int = 0) -> str:
    """A request card; once granted it shows the deadline in force and the count."""
    return (
        f"⏳ Đề nghị gia hạn\nNhiệm vụ: {CODE} — {TITLE}\nĐơn vị chủ trì: Sở Y tế\n"
        f"Hạn hiện tại: {deadline} (hạn ban đầu: 20/04/2020)\nXin gia hạn đến: 30/04/2020\n"
        f"Lý do: {REASON}\nNgười đề nghị: Nguyễn Chuyên Viên\nGửi lúc: 09:00 15/04/2020\n"
        f"Đã gia hạn: {count}/2 lần"
    )


async def asked(desk: Desk, text: str = f"/extend {CODE} 30/04/2020 {REASON}") -> None:
    """The officer asks; the reviewers' cards go out through the outbox, after the answer."""
    [reply] = await desk.officer.send(text)
    assert reply.text == sent("30/04/2020")
    await delivered(desk)


# --- the three ways and the button ------------------------------------------------------------


async def test_extend_with_a_code_puts_the_request_before_the_reviewers(harness: Harness) -> None:
    desk = await open_desk(harness)
    await asked(desk)
    for admin in (desk.admin, desk.admin2):
        card = latest(admin)
        assert card.text == request_card() + "\n\n⌛ Chờ quyết định."
        assert card.button_texts == BUTTONS
    assert desk.leader.inbox == []
    task = await task_now(desk)
    assert task.deadline == DEADLINE
    assert await event_kinds(desk) == ["created", "extension_requested"]


async def test_extend_as_a_reply_to_the_task_card(harness: Harness) -> None:
    desk = await open_desk(harness)
    [task_card] = await desk.officer.send(f"/task {CODE}")
    [reply] = await desk.officer.send(f"/extend 30/4 {REASON}", reply_to=task_card)
    assert reply.text == sent("30/04/2020")
    await delivered(desk)
    assert latest(desk.admin).text == request_card() + "\n\n⌛ Chờ quyết định."


async def test_extend_alone_offers_tasks_then_asks_the_date_then_the_reason(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    [pick] = await desk.officer.send("/extend")
    assert pick.text == "Chọn nhiệm vụ cần xin gia hạn:"
    pressed = await desk.officer.press(
        pick, f"{CODE} — Báo cáo tình hình phòng, chống dịch COVID-19"
    )
    assert [m.text for m in pressed.new] == [ASK]
    [ask_reason] = await desk.officer.send("2020-04-30")
    assert ask_reason.text == (
        f"Xin gia hạn nhiệm vụ {CODE} đến 30/04/2020. Hãy gửi lý do (ít nhất 3 từ). Gửi /cancel "
        "để hủy."
    )
    [reply] = await desk.officer.send(REASON)
    assert reply.text == sent("30/04/2020")


async def test_the_extend_button_asks_and_working_days_count_from_today(harness: Harness) -> None:
    desk = await open_desk(harness)
    [task_card] = await desk.officer.send(f"/task {CODE}")
    pressed = await desk.officer.press(task_card, "⏳ Xin gia hạn")
    assert [m.text for m in pressed.new] == [ASK]
    [reply] = await desk.officer.send(f"+5n {REASON}")  # 16, 17, 20, 21, 22 April
    assert reply.text == sent("22/04/2020")


# --- decisions ---------------------------------------------------------------------------------


async def test_granting_moves_the_deadline_and_keeps_the_original(harness: Harness) -> None:
    desk = await open_desk(harness)
    await asked(desk)
    card = latest(desk.admin)
    harness.clock.advance(timedelta(days=1))
    pressed = await desk.admin.press(card, "✅ Gia hạn")
    assert pressed.answer is not None and pressed.answer.text == "Đã gia hạn đến 30/04/2020."
    line = "\n\n✅ Đã gia hạn đến 30/04/2020 — Trần Thị Văn Phòng, 09:00 16/04/2020."
    assert pressed.message.text == request_card("30/04/2020", 1) + line
    assert pressed.message.buttons == []
    assert latest(desk.admin2).text == request_card("30/04/2020", 1) + line
    task = await task_now(desk)
    assert (task.original_deadline, task.deadline) == (DEADLINE, date(2020, 4, 30))
    assert task.extended_on == date(2020, 4, 16)
    [change] = task.extensions
    assert (change.old_deadline, change.new_deadline) == (DEADLINE, date(2020, 4, 30))
    assert (change.granted_on, change.decided_by, change.reason) == (
        date(2020, 4, 16), desk.world.admin.id, REASON,
    )  # fmt: skip
    told = (
        f"✅ Nhiệm vụ {CODE} — {TITLE} được gia hạn đến 30/04/2020 (hạn trước: 20/04/2020; "
        "đề nghị: 30/04/2020)."
    )
    await delivered(desk)
    assert latest(desk.officer).text == told
    assert latest(desk.head).text == told
    assert await event_kinds(desk) == ["created", "extension_requested", "extension_granted"]
    period, year = await figures(desk, date(2020, 4, 22))
    assert (period.due, period.extended, period.open_in_time, period.open_overdue) == (1, 1, 1, 0)
    assert (year.open_in_time, year.open_overdue) == (1, 0)


async def test_granting_another_date_asks_for_it(harness: Harness) -> None:
    desk = await open_desk(harness)
    await asked(desk)
    pressed = await desk.admin.press(latest(desk.admin), "📅 Gia hạn đến ngày khác")
    assert [m.text for m in pressed.new] == [
        f"Gia hạn nhiệm vụ {CODE} đến ngày nào? Hạn hiện tại 20/04/2020; đơn vị xin đến "
        "30/04/2020. Hãy gửi ngày, ví dụ 15/05/2020 hoặc +10n. Gửi /cancel để hủy."
    ]
    [bad] = await desk.admin.send("31/02")
    assert bad.text == "Không có ngày «31/02» trong lịch. Hãy kiểm tra lại ngày và tháng."
    [not_later] = await desk.admin.send("19/04/2020")
    assert not_later.text == "Ngày mới (19/04/2020) phải sau hạn hiện tại (20/04/2020)."
    [done] = await desk.admin.send("25/04/2020")
    assert done.text == f"✅ Đã gia hạn nhiệm vụ {CODE} đến 25/04/2020; bot đã báo đơn vị."
    assert (await task_now(desk)).deadline == date(2020, 4, 25)
    await delivered(desk)
    assert latest(desk.officer).text == (
        f"✅ Nhiệm vụ {CODE} — {TITLE} được gia hạn đến 25/04/2020 (hạn trước: 20/04/2020; "
        "đề nghị: 30/04/2020)."
    )
    assert latest(desk.admin2).text == (
        request_card("25/04/2020", 1)
        + "\n\n✅ Đã gia hạn đến 25/04/2020 — Trần Thị Văn Phòng, 09:00 15/04/2020."
    )


async def test_refusing_asks_the_reason_and_keeps_the_deadline(harness: Harness) -> None:
    desk = await open_desk(harness)
    await asked(desk)
    await desk.admin.press(latest(desk.admin), "❌ Từ chối")
    [done] = await desk.admin.send("Không có căn cứ gia hạn")
    assert done.text == f"❌ Đã từ chối đề nghị gia hạn nhiệm vụ {CODE}; bot đã báo đơn vị."
    told = (
        f"❌ Đề nghị gia hạn nhiệm vụ {CODE} — {TITLE} không được chấp nhận.\nLý do: Không có "
        "căn cứ gia hạn\nHạn xử lý vẫn là 20/04/2020."
    )
    await delivered(desk)
    assert latest(desk.officer).text == told
    assert latest(desk.head).text == told
    assert latest(desk.admin2).text == (
        request_card() + "\n\n❌ Đã từ chối — Trần Thị Văn Phòng, 09:00 15/04/2020.\nLý do: "
        "Không có căn cứ gia hạn"
    )
    task = await task_now(desk)
    assert (task.deadline, task.extensions) == (DEADLINE, ())
    assert await event_kinds(desk) == ["created", "extension_requested", "extension_refused"]
    period, _ = await figures(desk, date(2020, 4, 21))
    assert (period.extended, period.open_overdue) == (0, 1)
    # Refused, the officer may ask again.
    [again] = await desk.officer.send(f"/extend {CODE} 25/04/2020 Đã có ý kiến, cần thêm thời gian")
    assert again.text == sent("25/04/2020")


async def test_the_assigning_leader_reviews_extensions_when_configured(
    harness_factory: HarnessFactory,
) -> None:
    harness = await harness_factory(workflow={"leaders_review_extensions": True})
    desk = await open_desk(harness)
    await asked(desk)
    card = latest(desk.leader)
    assert card.button_texts == BUTTONS
    pressed = await desk.leader.press(card, "✅ Gia hạn")
    assert pressed.answer is not None and pressed.answer.text == "Đã gia hạn đến 30/04/2020."
    assert latest(desk.admin).buttons == []
    assert (await task_now(desk)).deadline == date(2020, 4, 30)


async def test_a_completed_task_closes_its_open_request(harness: Harness) -> None:
    desk = await open_desk(harness)
    await asked(desk)
    request, other_request = latest(desk.admin), latest(desk.admin2)
    grant = other_request.button("✅ Gia hạn")["callback_data"]
    await desk.officer.send(f"/done {CODE} Đã có Báo cáo số 123/BC-SNV")
    await delivered(desk)
    await desk.admin.press(latest(desk.admin), "✅ Chấp nhận")
    assert request.text == (
        request_card() + "\n\n☑️ Không cần quyết định nữa: nhiệm vụ đã hoàn thành."
    )
    assert request.buttons == []
    pressed = await desk.admin2.press_data(other_request, grant)  # a stale button
    assert pressed.answer is not None
    assert pressed.answer.text == "Đề nghị này đã đóng vì nhiệm vụ đã hoàn thành."
    assert (await task_now(desk)).deadline == DEADLINE


# --- bad input ---------------------------------------------------------------------------------


async def test_bad_dates_are_each_said(harness: Harness) -> None:
    desk = await open_desk(harness)
    cases = {
        "10/04/2020": "Ngày 10/04/2020 đã qua (hôm nay là 15/04/2020). Hãy chọn một ngày sau hạn "
        "hiện tại.",
        "18/04/2020": "Ngày mới (18/04/2020) phải sau hạn hiện tại (20/04/2020).",
        "31/02": "Không có ngày «31/02» trong lịch. Hãy kiểm tra lại ngày và tháng.",
        "mai": "Không hiểu ngày «mai». Hãy viết 30/4, 30/04/2020, 2020-04-30, +7 (7 ngày nữa) "
        "hoặc +5n (5 ngày làm việc).",
        "2021-04-21": "Ngày mới quá xa: tối đa 365 ngày sau hạn hiện tại (20/04/2020).",
    }
    for typed, expected in cases.items():
        await refused(desk, f"/extend {CODE} {typed} {REASON}", expected)
    [ok] = await desk.officer.send(f"/extend {CODE} 2021-04-20 {REASON}")
    assert ok.text == sent("20/04/2021")


async def test_the_reason_is_required_short_and_long(harness: Harness) -> None:
    desk = await open_desk(harness)
    await refused(
        desk, f"/extend {CODE} 30/04 Bận", "Lý do quá ngắn: cần ít nhất 3 từ, nói rõ vì sao."
    )
    await refused(
        desk, f"/extend {CODE} 30/04 {'y' * 5000}",
        "Lý do quá dài (5.000 ký tự); tối đa 1.000 ký tự.",
    )  # fmt: skip
    await desk.officer.send(f"/extend {CODE} 30/04")  # the date alone: the bot asks the reason
    await refused(desk, " ", "Cần nêu lý do.")
    [reply] = await desk.officer.send(REASON)
    assert reply.text == sent("30/04/2020")


async def test_one_open_request_per_task(harness: Harness) -> None:
    desk = await open_desk(harness)
    await asked(desk)
    await refused(
        desk, f"/extend {CODE} 05/05/2020 {REASON}",
        "Nhiệm vụ này đã có một đề nghị gia hạn đang chờ quyết định. Hãy chờ kết quả trước khi "
        "gửi đề nghị mới.",
        actor="head",
    )  # fmt: skip
    await refused(  # the date alone: refused at once, not after asking the reason
        desk, f"/extend {CODE} 05/05/2020",
        "Nhiệm vụ này đã có một đề nghị gia hạn đang chờ quyết định. Hãy chờ kết quả trước khi "
        "gửi đề nghị mới.",
    )  # fmt: skip


async def test_another_date_sent_after_another_reviewer_refused_changes_nothing(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    await asked(desk)
    await desk.admin.press(latest(desk.admin), "📅 Gia hạn đến ngày khác")
    await desk.admin2.press(latest(desk.admin2), "❌ Từ chối")
    await desk.admin2.send("Không có căn cứ gia hạn")
    [reply] = await desk.admin.send("25/04/2020")
    assert reply.text == "Lý Thị Thẩm Định đã từ chối đề nghị này lúc 09:00 15/04/2020."
    assert (await task_now(desk)).deadline == DEADLINE
    assert await get_dialogue(harness.db, desk.world.admin.id) is None  # the question closed


async def test_after_the_deadline_the_officer_is_sent_to_the_office(harness: Harness) -> None:
    desk = await open_desk(harness)
    harness.clock.set(DEFAULT_NOW.replace(day=21))
    await refused(
        desk, f"/extend {CODE} 30/04/2020 {REASON}",
        "Đã quá thời điểm xin gia hạn (chậm nhất ngày 20/04/2020; hạn xử lý 20/04/2020). Đề "
        "nghị liên hệ trực tiếp Văn phòng UBND tỉnh.",
    )  # fmt: skip


async def test_the_request_window_closes_working_days_before_the_deadline(
    harness_factory: HarnessFactory,
) -> None:
    harness = await harness_factory(workflow={"extend_until": 2})
    desk = await open_desk(harness)
    harness.clock.set(DEFAULT_NOW.replace(day=17))  # Friday; Monday 20/04 less 2 working days
    await refused(
        desk, f"/extend {CODE} 30/04/2020 {REASON}",
        "Đã quá thời điểm xin gia hạn (chậm nhất ngày 16/04/2020; hạn xử lý 20/04/2020). Đề "
        "nghị liên hệ trực tiếp Văn phòng UBND tỉnh.",
    )  # fmt: skip


async def test_no_more_than_max_extensions(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory(workflow={"max_extensions": 1})
    desk = await open_desk(harness)
    await asked(desk)
    await desk.admin.press(latest(desk.admin), "✅ Gia hạn")
    before = await event_kinds(desk)
    [reply] = await desk.officer.send(f"/extend {CODE} 10/05/2020 {REASON}")
    assert reply.text == (
        "Nhiệm vụ này đã được gia hạn 1 lần, là số lần tối đa. Đề nghị liên hệ trực tiếp Văn "
        "phòng UBND tỉnh."
    )
    assert await event_kinds(desk) == before


async def test_a_completed_task_or_another_units_task_cannot_be_extended(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    await refused(
        desk, f"/extend {CODE} 30/04/2020 {REASON}",
        "Nhiệm vụ này do đơn vị khác chủ trì; bạn không thể báo cáo hay xin gia hạn cho nhiệm "
        "vụ này.",
        actor="other_officer",
    )  # fmt: skip
    await harness.db.execute(
        "UPDATE tasks SET completed_on = '2020-04-14' WHERE id = ?", (desk.task.id,)
    )
    await refused(
        desk, f"/extend {CODE} 30/04/2020 {REASON}",
        "Nhiệm vụ này đã hoàn thành ngày 14/04/2020; không cần báo cáo hay gia hạn nữa.",
    )  # fmt: skip
