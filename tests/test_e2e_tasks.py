"""/tasks and /task end to end: who sees what, grouping by deadline, paging, escaping, cards."""

from __future__ import annotations

import re
from datetime import date

from bot.models import Role
from bot.paging import MESSAGE_LIMIT, text_length
from storage.messages import task_for_message
from tests.factories import World, make_person, make_task, make_unit, small_world
from tests.harness import Harness

NASTY = '<b>Báo cáo</b> & "khẩn" <script>'


async def seed_lists(harness: Harness) -> World:
    """On Wednesday 15/04/2020: one task in each section for the officer, and tasks the
    officer must not see (a colleague's, another unit's, a completed one)."""
    world = await small_world(harness.db)
    db, now, health = harness.db, harness.now, world.health
    officer = world.officer
    await make_task(db, health, now, code="NV-A", title="Quá hạn", deadline=date(2020, 4, 10),
                    officer=officer)  # fmt: skip
    await make_task(db, health, now, code="NV-B", title="Hôm nay", deadline=date(2020, 4, 15))
    await make_task(db, health, now, code="NV-C", title="Tuần này", deadline=date(2020, 4, 22),
                    officer=officer)  # fmt: skip
    await make_task(db, health, now, code="NV-D", title="Tháng sau", deadline=date(2020, 5, 30),
                    officer=officer)  # fmt: skip
    await make_task(db, health, now, code="NV-E", title="Không hạn", officer=officer)
    await make_task(db, health, now, code="NV-F", title="Của đồng nghiệp",
                    deadline=date(2020, 4, 1), officer=world.colleague)  # fmt: skip
    await make_task(db, world.interior, now, code="NV-G", title="Đơn vị khác",
                    deadline=date(2020, 4, 1), cooperating=(health,))  # fmt: skip
    await make_task(db, health, now, code="NV-H", title="Đã xong", deadline=date(2020, 4, 1),
                    completed_on=date(2020, 3, 30), officer=officer)  # fmt: skip
    return world


async def test_an_officer_sees_their_tasks_and_their_units_unnamed_ones(harness: Harness) -> None:
    world = await seed_lists(harness)
    [reply] = await harness.actor(world.officer).send("/tasks")
    assert reply.text == (
        "Nhiệm vụ đang mở của Nguyễn Chuyên Viên: 5\n"
        "\n"
        "🔴 Quá hạn\n"
        "• NV-A Quá hạn — hạn 10/04/2020, quá hạn 5 ngày\n"
        "\n"
        "🟠 Đến hạn hôm nay\n"
        "• NV-B Hôm nay — hạn 15/04/2020\n"
        "\n"
        "🟡 Đến hạn trong 7 ngày tới\n"
        "• NV-C Tuần này — hạn 22/04/2020\n"
        "\n"
        "🟢 Còn hạn\n"
        "• NV-D Tháng sau — hạn 30/05/2020\n"
        "\n"
        "⚪ Không có thời hạn\n"
        "• NV-E Không hạn\n"
        "\n"
        "Xem đầy đủ một nhiệm vụ: /task MÃ"
    )
    assert reply.buttons == []


async def test_a_head_sees_all_of_the_units_open_tasks(harness: Harness) -> None:
    world = await seed_lists(harness)
    [reply] = await harness.actor(world.head).send("/tasks")
    assert reply.text.split("\n")[0] == "Nhiệm vụ đang mở của Phạm Thủ Trưởng: 6"
    assert re.findall(r"NV-\w", reply.text) == ["NV-F", "NV-A", "NV-B", "NV-C", "NV-D", "NV-E"]
    assert "• NV-F Của đồng nghiệp — hạn 01/04/2020, quá hạn 14 ngày" in reply.text


async def test_leaders_and_admins_are_pointed_to_the_figures(harness: Harness) -> None:
    world = await seed_lists(harness)
    for person in (world.leader, world.admin):
        [reply] = await harness.actor(person).send("/tasks")
        assert reply.text == (
            "Danh sách /tasks dành cho đơn vị và cán bộ xử lý. Với vai trò của bạn, hãy xem số "
            "liệu: /stats (tháng này), /overdue (nhiệm vụ quá hạn theo đơn vị), /unit (một đơn "
            "vị); và /task MÃ để xem một nhiệm vụ."
        )


async def test_sixty_tasks_are_paged_within_telegrams_limit(harness: Harness) -> None:
    world = await small_world(harness.db)
    long_title = "Kiểm tra & báo cáo <số liệu> " * 8  # cut on the list; & and < cost more in HTML
    for n in range(60):
        await make_task(harness.db, world.health, harness.now, code=f"NV-{n:03d}",
                        title=f"{n} {long_title}", deadline=date(2020, 4, 1 + n % 28),
                        officer=world.officer)  # fmt: skip
    officer = harness.actor(world.officer)
    [first] = await officer.send("/tasks")
    pages = [first.text]
    assert first.button_texts == ["▶"]
    message = first
    while "▶" in message.button_texts:
        message = (await officer.press(message, "▶")).message
        pages.append(message.text)
    assert message.button_texts == ["◀"]
    assert len(pages) >= 3
    for page, text in enumerate(pages, start=1):
        assert text is not None and text_length(text) <= MESSAGE_LIMIT
        assert f"Trang {page}/{len(pages)}" in text.split("\n")[0]
    codes = [code for text in pages for code in re.findall(r"NV-\d{3}", text or "")]
    assert sorted(codes) == [f"NV-{n:03d}" for n in range(60)]
    assert all(text_length(m.source or "") <= MESSAGE_LIMIT for m in officer.inbox)
    back = await officer.press(message, "◀")
    assert back.message.text == pages[-2]
    assert back.answer is not None and back.answer.text is None


async def test_forged_page_numbers_show_a_page_that_exists(harness: Harness) -> None:
    world = await small_world(harness.db)
    for n in range(30):
        await make_task(harness.db, world.health, harness.now, code=f"NV-{n:03d}",
                        deadline=date(2020, 5, 1), officer=world.officer)  # fmt: skip
    officer = harness.actor(world.officer)
    [first] = await officer.send("/tasks")
    last = await officer.press_data(first, "pg:tasks:999")
    assert last.message.text is not None and "Trang 2/2" in last.message.text
    assert last.message.button_texts == ["◀"]
    again = await officer.press_data(first, "pg:tasks:1")  # a second tap: nothing to change
    assert again.message.edits == last.message.edits == 1
    junk = await officer.press_data(first, "pg:tasks:-1")
    assert (junk.message.text, junk.new) == (last.message.text, [])


async def test_register_text_is_shown_literally(harness: Harness) -> None:
    world = await small_world(harness.db)
    await make_task(harness.db, world.health, harness.now, code="NV-X", title=NASTY,
                    content="a < b && c > d", deadline=date(2020, 4, 30),
                    officer=world.officer)  # fmt: skip
    officer = harness.actor(world.officer)
    [listed] = await officer.send("/tasks")
    assert f"• NV-X {NASTY} — hạn 30/04/2020" in (listed.text or "")
    [card] = await officer.send("/task NV-X")
    assert (card.text or "").split("\n")[:3] == ["📌 NV-X", NASTY, "Nội dung: a < b && c > d"]


# --- /task -------------------------------------------------------------------------------------


async def test_a_task_card_in_full_with_the_buttons_the_officer_may_use(harness: Harness) -> None:
    world = await small_world(harness.db)
    task = await make_task(
        harness.db, world.health, harness.now, code="NV-2020-0345",
        title="Báo cáo tình hình phòng, chống dịch", content="Tổng hợp, báo cáo UBND tỉnh.",
        doc_number="930/VP-TH", doc_date=date(2020, 3, 13), assigned_on=date(2020, 3, 20),
        original_deadline=date(2020, 4, 10), deadline=date(2020, 4, 30),
        assigner="LEADER", assigner_id=world.leader.id, officer=world.officer,
        cooperating=(world.interior,),
    )  # fmt: skip
    officer = harness.actor(world.officer)
    [card] = await officer.send("/task nv-2020-0345")
    assert card.text == (
        "📌 NV-2020-0345\n"
        "Báo cáo tình hình phòng, chống dịch\n"
        "Văn bản: 930/VP-TH ngày 13/03/2020\n"
        "Nội dung: Tổng hợp, báo cáo UBND tỉnh.\n"
        "Người giao: Lê Văn Lãnh Đạo\n"
        "Ngày giao: 20/03/2020\n"
        "Đơn vị chủ trì: Sở Y tế\n"
        "Đơn vị phối hợp: Sở Nội vụ\n"
        "Cán bộ xử lý: Nguyễn Chuyên Viên\n"
        "Hạn xử lý: 30/04/2020\n"
        "Hạn ban đầu: 10/04/2020\n"
        "Tình trạng: chưa hoàn thành, còn 15 ngày\n"
        "\n"
        "Diễn biến gần đây\n"
        "• 09:00 15/04/2020 — Giao nhiệm vụ"
    )
    assert card.buttons == [
        [
            {"text": "✅ Hoàn thành", "callback_data": "done:NV-2020-0345"},
            {"text": "⏳ Xin gia hạn", "callback_data": "ext:NV-2020-0345"},
        ]
    ]
    found = await task_for_message(harness.db, chat_id=officer.id, message_id=card.message_id)
    assert found is not None and found.id == task.id


async def test_who_may_open_a_card_and_who_gets_its_buttons(harness: Harness) -> None:
    world = await small_world(harness.db)
    await make_task(harness.db, world.health, harness.now, code="NV-1", deadline=date(2020, 4, 1),
                    officer=world.officer, cooperating=(world.interior,))  # fmt: skip
    third = await make_unit(harness.db, "STC", "Sở Tài chính")
    outsider = await make_person(harness.db, Role.OFFICER, third, telegram_id=4001)
    buttons = {}
    for person in (world.head, world.colleague, world.other_officer, world.leader, world.admin):
        [card] = await harness.actor(person).send("/task NV-1")
        assert (card.text or "").startswith("📌 NV-1\n")
        assert "Tình trạng: chưa hoàn thành, quá hạn 14 ngày" in (card.text or "")
        buttons[person.code] = card.button_texts
    assert buttons == {
        "HEAD": ["✅ Hoàn thành", "⏳ Xin gia hạn"],  # the lead unit's head always may
        "COLLEAGUE": [],  # another officer is named
        "OTHER_OFFICER": [],  # a cooperating unit's officer sees it, does not report
        "LEADER": [],
        "ADMIN": [],
    }
    [refused] = await harness.actor(outsider).send("/task NV-1")
    assert refused.text == "Nhiệm vụ NV-1 không thuộc đơn vị của bạn."
    [missing] = await harness.actor(world.officer).send("/task NV-404")
    assert missing.text == "Không tìm thấy nhiệm vụ mã NV-404."
    [usage] = await harness.actor(world.officer).send("/task")
    assert usage.text == "Cách dùng: /task MÃ_NHIỆM_VỤ, ví dụ /task NV-2020-0345."


async def test_a_completed_task_has_no_buttons(harness: Harness) -> None:
    world = await small_world(harness.db)
    await make_task(harness.db, world.health, harness.now, code="NV-1", deadline=date(2020, 4, 1),
                    completed_on=date(2020, 4, 3), officer=world.officer)  # fmt: skip
    [card] = await harness.actor(world.officer).send("/task NV-1")
    assert "Ngày hoàn thành: 03/04/2020\nTình trạng: hoàn thành quá hạn" in (card.text or "")
    assert card.buttons == []


async def test_the_details_button_opens_the_card(harness: Harness) -> None:
    world = await small_world(harness.db)
    await make_task(harness.db, world.health, harness.now, code="NV-1", officer=world.officer)
    officer = harness.actor(world.officer)
    [listed] = await officer.send("/tasks")
    pressed = await officer.press_data(listed, "task:NV-1")
    [card] = pressed.new
    assert (card.text or "").startswith("📌 NV-1\nNhiệm vụ số ")
    assert "Hạn xử lý: không có thời hạn\nTình trạng: chưa hoàn thành, trong hạn" in (
        card.text or ""
    )


async def test_a_very_long_task_still_fits_one_message(harness: Harness) -> None:
    world = await small_world(harness.db)
    await make_task(harness.db, world.health, harness.now, code="NV-1", title="Tiêu đề & " * 200,
                    content="Nội dung <dài> & " * 1000, officer=world.officer)  # fmt: skip
    [card] = await harness.actor(world.officer).send("/task NV-1")
    assert card.source is not None and text_length(card.source) <= MESSAGE_LIMIT
    assert (card.text or "").endswith("• 09:00 15/04/2020 — Giao nhiệm vụ")
    assert "Nội dung: Nội dung <dài> & " in (card.text or "")
    assert card.button_texts == ["✅ Hoàn thành", "⏳ Xin gia hạn"]
