"""/done end to end: the three ways, with and without review, files, dialogues, bad input."""

from __future__ import annotations

from datetime import date, timedelta

from bot.models import ReportState
from storage.workflow import get_dialogue
from tests.e2e_workflow import (
    CODE,
    TITLE,
    Desk,
    delivered,
    event_kinds,
    latest,
    open_desk,
    refused,
    task_now,
)
from tests.harness import Harness, HarnessFactory

SENT = (
    f"✅ Đã gửi báo cáo hoàn thành nhiệm vụ {CODE}. Nhiệm vụ đang chờ Văn phòng duyệt; "
    "bot sẽ báo bạn kết quả."
)
NO_DOC = (
    "Chưa thấy số, ký hiệu văn bản trả lời (ví dụ 123/BC-SNV). Nếu có văn bản, hãy ghi số "
    "vào kết quả."
)
ASK = (
    f"Nhiệm vụ {CODE} — {TITLE}\nHãy gửi kết quả thực hiện, nêu số, ký hiệu văn bản trả lời "
    "nếu có (ví dụ: Đã có Báo cáo số 123/BC-SNV). Có thể gửi kèm tệp hoặc ảnh. Gửi /cancel "
    "để hủy."
)


def card(result: str, docs: str, *, by: str = "Nguyễn Chuyên Viên", extra: str = "") -> str:
    return (
        f"📝 Báo cáo hoàn thành\nNhiệm vụ: {CODE} — {TITLE}\nĐơn vị chủ trì: Sở Y tế\n"
        f"Hạn xử lý: 20/04/2020\nNgười báo cáo: {by}\nGửi lúc: 09:00 15/04/2020\n"
        f"Văn bản trả lời: {docs}\nKết quả: {result}{extra}\n\n⌛ Chờ quyết định."
    )


async def assert_waits_for_review(desk: Desk, result: str, docs: str = "123/BC-SNV") -> None:
    """The task waits; each admin got the card (sent by the outbox, after the answer)."""
    await delivered(desk)
    task = await task_now(desk)
    assert task.report_state is ReportState.PENDING
    assert task.completed_on is None
    for admin in (desk.admin, desk.admin2):
        review = latest(admin)
        assert review.text == card(result, docs)
        assert review.button_texts == ["✅ Chấp nhận", "↩️ Trả lại"]
    assert await event_kinds(desk) == ["created", "reported"]


# --- the three ways --------------------------------------------------------------------------


async def test_done_with_a_code_waits_for_the_offices_review(harness: Harness) -> None:
    desk = await open_desk(harness)
    result = "Đã có Báo cáo số 123/BC-SNV gửi UBND tỉnh"
    [reply] = await desk.officer.send(f"/done {CODE} {result}")
    assert reply.text == f"{SENT}\nVăn bản trả lời: 123/BC-SNV"
    await assert_waits_for_review(desk, result)
    [tasks] = await desk.officer.send("/tasks")
    assert f"{CODE}" in (tasks.text or "") and "⏳ chờ duyệt" in (tasks.text or "")


async def test_done_as_a_reply_to_the_task_card(harness: Harness) -> None:
    desk = await open_desk(harness)
    [task_card] = await desk.officer.send(f"/task {CODE}")
    result = "Đã có Báo cáo số 123/BC-SNV"
    [reply] = await desk.officer.send(f"/done {result}", reply_to=task_card)
    assert reply.text == f"{SENT}\nVăn bản trả lời: 123/BC-SNV"
    await assert_waits_for_review(desk, result)


async def test_done_alone_offers_the_open_tasks_then_asks_for_the_result(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    [pick] = await desk.officer.send("/done")
    assert pick.text == "Chọn nhiệm vụ cần báo cáo hoàn thành:"
    label = f"{CODE} — Báo cáo tình hình phòng, chống dịch COVID-19"
    assert pick.button_texts == [label]
    pressed = await desk.officer.press(pick, label)
    assert [m.text for m in pressed.new] == [ASK]
    result = "Đã có Báo cáo số 123/BC-SNV"
    [reply] = await desk.officer.send(result)
    assert reply.text == f"{SENT}\nVăn bản trả lời: 123/BC-SNV"
    await assert_waits_for_review(desk, result)


async def test_the_done_button_of_a_task_card_starts_the_same_dialogue(harness: Harness) -> None:
    desk = await open_desk(harness)
    [task_card] = await desk.officer.send(f"/task {CODE}")
    pressed = await desk.officer.press(task_card, "✅ Hoàn thành")
    assert [m.text for m in pressed.new] == [ASK]
    [reply] = await desk.officer.send("Đã có Báo cáo số 123/BC-SNV")
    assert reply.text == f"{SENT}\nVăn bản trả lời: 123/BC-SNV"


async def test_a_result_without_a_document_number_is_taken_with_a_hint(harness: Harness) -> None:
    desk = await open_desk(harness)
    [reply] = await desk.officer.send(f"/done {CODE} Đã tổ chức họp triển khai")
    assert reply.text == f"{SENT}\n{NO_DOC}"
    await assert_waits_for_review(desk, "Đã tổ chức họp triển khai", "(không nêu)")


async def test_the_unit_head_may_report_and_so_may_any_officer_when_none_is_named(
    harness: Harness,
) -> None:
    desk = await open_desk(harness, officer_named=False)
    [reply] = await desk.colleague.send(f"/done {CODE} Xong, Công văn 45/QĐ-UBND")
    assert reply.text == f"{SENT}\nVăn bản trả lời: 45/QĐ-UBND"
    await delivered(desk)
    assert latest(desk.admin).text == card(
        "Xong, Công văn 45/QĐ-UBND", "45/QĐ-UBND", by="Đỗ Đồng Nghiệp"
    )


# --- review off ------------------------------------------------------------------------------


async def test_without_review_done_completes_the_task_at_once(
    harness_factory: HarnessFactory,
) -> None:
    harness = await harness_factory(workflow={"review_completion": False})
    desk = await open_desk(harness)
    admin_before = len(desk.admin.inbox)
    [reply] = await desk.officer.send(f"/done {CODE} Đã có Báo cáo số 12/2020/TT-BTC")
    assert reply.text == (
        f"✅ Nhiệm vụ {CODE} đã được ghi nhận hoàn thành ngày 15/04/2020.\n"
        "Văn bản trả lời: 12/2020/TT-BTC"
    )
    task = await task_now(desk)
    assert task.completed_on == date(2020, 4, 15)
    assert task.report_state is None
    await delivered(desk)
    assert len(desk.admin.inbox) == admin_before
    assert await event_kinds(desk) == ["created", "reported", "completed"]


# --- files -----------------------------------------------------------------------------------


async def test_a_document_with_a_done_caption_reaches_the_reviewers_by_file_id(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    result = "Báo cáo số 123/BC-SNV kèm theo"
    sent = await desk.officer.user.send_document(
        b"%PDF-1.4 bao cao", "bao-cao.pdf", mime_type="application/pdf",
        caption=f"/done {CODE} {result}",
    )  # fmt: skip
    await harness.settle()
    file_id = sent["document"]["file_id"]
    assert latest(desk.officer).text == f"{SENT}\nVăn bản trả lời: 123/BC-SNV"
    await delivered(desk)
    review, attachment = desk.admin.inbox[-2:]
    assert review.text == card(
        result, "123/BC-SNV", extra="\nTệp đính kèm: có (ngay dưới tin nhắn này)."
    )
    assert attachment.document is not None and attachment.document["file_id"] == file_id
    assert attachment.caption == f"Tệp kèm báo cáo nhiệm vụ {CODE}"
    assert attachment.reply_to == review.message_id


async def test_a_photo_sent_within_the_dialogue_is_kept_until_the_result_comes(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    [ask] = await desk.officer.send(f"/done {CODE}")
    assert ask.text == ASK
    await desk.officer.user.send_photo(b"\x89PNG\r\n\x1a\n photo")
    await harness.settle()
    assert latest(desk.officer).text == "Đã nhận tệp. Bây giờ hãy gửi nội dung kết quả."
    [reply] = await desk.officer.send("Ảnh biên bản, Công văn 45/QĐ-UBND")
    assert reply.text == f"{SENT}\nVăn bản trả lời: 45/QĐ-UBND"
    await delivered(desk)
    review, photo = desk.admin.inbox[-2:]
    assert review.text is not None and "Tệp đính kèm: có" in review.text
    assert photo.photo is not None and photo.reply_to == review.message_id


# --- dialogues -------------------------------------------------------------------------------


async def test_a_dialogue_survives_a_restart(harness: Harness) -> None:
    desk = await open_desk(harness)
    await desk.officer.send(f"/done {CODE}")
    await harness.restart()
    [reply] = await desk.officer.send("Đã có Báo cáo số 123/BC-SNV")
    assert reply.text == f"{SENT}\nVăn bản trả lời: 123/BC-SNV"


async def test_a_dialogue_expires_with_a_message_and_changes_nothing(harness: Harness) -> None:
    desk = await open_desk(harness)
    await desk.officer.send(f"/done {CODE}")
    harness.clock.advance(timedelta(minutes=61))
    [reply] = await desk.officer.send("Đã có Báo cáo số 123/BC-SNV")
    assert reply.text == (
        "Câu hỏi trước của bot đã hết hạn sau 60 phút; chưa có gì thay đổi. Hãy bắt đầu lại "
        "(/done, /extend hoặc nút trên tin nhắn)."
    )
    assert (await task_now(desk)).report_state is None
    assert await event_kinds(desk) == ["created"]


async def test_cancel_ends_the_dialogue(harness: Harness) -> None:
    desk = await open_desk(harness)
    await desk.officer.send(f"/done {CODE}")
    [cancelled] = await desk.officer.send("/cancel")
    assert cancelled.text == "Đã hủy; chưa có gì thay đổi."
    assert await get_dialogue(harness.db, desk.world.officer.id) is None
    await desk.officer.send("Đã có Báo cáo số 123/BC-SNV")  # now just a message: no report
    assert await event_kinds(desk) == ["created"]
    [nothing] = await desk.officer.send("/cancel")
    assert nothing.text == "Không có việc nào đang chờ để hủy."


# --- bad input -------------------------------------------------------------------------------


async def test_an_unknown_code_is_said(harness: Harness) -> None:
    desk = await open_desk(harness)
    await refused(
        desk, "/done NV-2020-9999 Đã xong",
        "Không tìm thấy nhiệm vụ có mã NV-2020-9999. Hãy kiểm tra lại mã (ví dụ NV-2020-0345) "
        "hoặc xem /tasks.",
    )  # fmt: skip


async def test_a_result_without_a_task_gets_the_three_ways(harness: Harness) -> None:
    desk = await open_desk(harness)
    [reply] = await desk.officer.send("/done Đã xong")
    assert reply.text is not None and reply.text.startswith("Bạn báo cáo cho nhiệm vụ nào?")


async def test_a_completed_task_takes_no_report(harness: Harness) -> None:
    desk = await open_desk(harness)
    await harness.db.execute(
        "UPDATE tasks SET completed_on = '2020-04-10' WHERE id = ?", (desk.task.id,)
    )
    await refused(
        desk, f"/done {CODE} Đã xong",
        "Nhiệm vụ này đã hoàn thành ngày 10/04/2020; không cần báo cáo hay gia hạn nữa.",
    )  # fmt: skip


async def test_another_units_officer_may_not_report(harness: Harness) -> None:
    desk = await open_desk(harness)
    await refused(
        desk, f"/done {CODE} Đã xong",
        "Nhiệm vụ này do đơn vị khác chủ trì; bạn không thể báo cáo hay xin gia hạn cho "
        "nhiệm vụ này.",
        actor="other_officer",
    )  # fmt: skip


async def test_a_colleague_may_not_report_on_a_task_named_to_someone_else(
    harness: Harness,
) -> None:
    desk = await open_desk(harness)
    await refused(
        desk, f"/done {CODE} Đã xong",
        "Bạn không phải người được giao xử lý nhiệm vụ này. Chỉ cán bộ xử lý (hoặc cán bộ của "
        "đơn vị chủ trì khi chưa giao cho ai) và Thủ trưởng đơn vị chủ trì mới báo cáo hay xin "
        "gia hạn được.",
        actor="colleague",
    )  # fmt: skip


async def test_a_result_over_the_cap_is_refused_with_the_cap(harness: Harness) -> None:
    desk = await open_desk(harness)
    long_result = "x" * 5000
    await refused(
        desk, f"/done {CODE} {long_result}",
        "Kết quả quá dài (5.000 ký tự); tối đa 1.000 ký tự. Hãy tóm tắt và gửi kèm tệp văn bản "
        "nếu cần.",
    )  # fmt: skip


async def test_a_second_report_waits_for_the_first(harness: Harness) -> None:
    desk = await open_desk(harness)
    await desk.officer.send(f"/done {CODE} Đã có Báo cáo số 123/BC-SNV")
    await refused(
        desk, f"/done {CODE} Bổ sung",
        "Báo cáo hoàn thành của nhiệm vụ này đang chờ Văn phòng duyệt. Khi có kết quả, bot sẽ "
        "báo bạn.",
    )  # fmt: skip


async def test_an_empty_result_in_the_dialogue_keeps_the_question_open(harness: Harness) -> None:
    desk = await open_desk(harness)
    await desk.officer.send(f"/done {CODE}")
    [reply] = await desk.officer.send("   ")
    assert reply.text == (
        "Chưa có nội dung kết quả. Hãy ghi kết quả và số, ký hiệu văn bản trả lời nếu có, ví "
        "dụ: «Đã có Báo cáo số 123/BC-SNV»."
    )
    [sent] = await desk.officer.send("Đã có Báo cáo số 123/BC-SNV")
    assert sent.text == f"{SENT}\nVăn bản trả lời: 123/BC-SNV"
