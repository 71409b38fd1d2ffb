"""Leaders' figures end to end: the real bot against the Bot API double, a real register.

The clock stands at Wednesday 15/04/2020 09:00. Sở Y tế has two overdue tasks (14 and 5
days), one in time and one completed; Sở Nội vụ one overdue task (1 day) and one completed
late; a 2019 task of Sở Nội vụ is overdue too (it counts in /overdue, not in this year's
figures). The leader assigned three of them.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from docx import Document
from openpyxl import load_workbook
from PIL import Image

from bot.chart import WIDTH_PX
from tests.factories import World, make_task, small_world
from tests.harness import Harness

# code, unit, assigned on, deadline, completed on, title, officer, assigned by the leader
TASKS = [
    ("NV-1", "health", (2020, 3, 1), (2020, 4, 1), None, "Báo cáo dịch sốt xuất huyết", True, True),
    ("NV-2", "health", (2020, 3, 20), (2020, 4, 10), None, "Kế hoạch tiêm chủng", False, True),
    ("NV-3", "health", (2020, 4, 1), (2020, 4, 30), None, "Rà soát trạm y tế xã", False, True),
    ("NV-4", "health", (2020, 3, 2), (2020, 3, 20), (2020, 3, 19), "Tổng kết", False, False),
    ("NV-5", "interior", (2020, 4, 1), (2020, 4, 14), None, "Tuyển dụng", False, False),
    ("NV-6", "interior", (2020, 4, 2), (2020, 4, 6), (2020, 4, 8), "Sáp nhập", False, False),
    ("NV-2019-1", "interior", (2019, 11, 1), (2019, 12, 31), None, "Đề án", False, False),
]


async def register(harness: Harness) -> World:
    world = await small_world(harness.db)
    leader = world.leader
    for code, unit, assigned, deadline, completed, title, officer, by_leader in TASKS:
        await make_task(
            harness.db,
            getattr(world, unit),
            harness.now,
            code=code,
            title=title,
            assigned_on=date(*assigned),
            deadline=date(*deadline),
            completed_on=date(*completed) if completed else None,
            officer=world.officer if officer else None,
            assigner=leader.code if by_leader else "UBND tỉnh",
            assigner_id=leader.id if by_leader else None,
        )
    return world


# --- /stats ------------------------------------------------------------------------------------


async def test_stats_says_the_month_in_the_seed_sentences(harness: Harness) -> None:
    world = await register(harness)
    [answer] = await harness.actor(world.leader).send("/stats")
    assert answer.text is not None
    assert answer.text.startswith(
        "📊 Tiến độ thực hiện nhiệm vụ tháng 04/2020\nSố liệu đến hết ngày 15/04/2020."
    )
    assert answer.text.split("\n\n")[1:] == [
        "Từ ngày 01/04/2020 đến hết ngày 15/04/2020, UBND tỉnh, Chủ tịch, các Phó Chủ tịch UBND"
        " tỉnh đã giao các sở, ban, ngành, UBND các huyện, thành phố tổng số 3 nhiệm vụ. Có 5"
        " nhiệm vụ giao có thời hạn phải hoàn thành trong tháng 4, đã hoàn thành 1 nhiệm vụ,"
        " trong đó: 0 nhiệm vụ hoàn thành đúng hạn (chiếm 0,0% số nhiệm vụ đã hoàn thành) và 1"
        " nhiệm vụ hoàn thành quá hạn (chiếm 100,0% số nhiệm vụ đã hoàn thành); còn 4 nhiệm vụ"
        " chưa hoàn thành, trong đó: 1 nhiệm vụ còn trong hạn và 3 nhiệm vụ quá hạn.",
        "Lũy kế từ ngày 01/01/2020 đến hết ngày 15/04/2020, UBND tỉnh, Chủ tịch, các Phó Chủ tịch"
        " UBND tỉnh đã giao các sở, ban, ngành, UBND các huyện, thành phố tổng số 6 nhiệm vụ: đã"
        " hoàn thành 2 nhiệm vụ (đạt 33,3% số nhiệm vụ đã giao), trong đó: 1 nhiệm vụ đúng hạn"
        " (chiếm 50,0% số nhiệm vụ đã hoàn thành), 1 nhiệm vụ quá hạn (chiếm 50,0% số nhiệm vụ"
        " đã hoàn thành); còn 4 nhiệm vụ chưa hoàn thành (chiếm 66,7% số nhiệm vụ đã giao),"
        " trong đó: 1 nhiệm vụ còn thời hạn, 3 nhiệm vụ quá thời hạn.",
    ]


async def test_stats_follow_the_register(harness: Harness) -> None:
    world = await register(harness)
    leader = harness.actor(world.leader)
    [before] = await leader.send("/stats")
    await make_task(harness.db, world.health, harness.now, code="NV-8")
    [after] = await leader.send("/stats")
    assert before.text is not None and after.text is not None
    assert "tổng số 3 nhiệm vụ" in before.text
    assert "tổng số 4 nhiệm vụ" in after.text


async def test_stats_of_another_month_and_a_bad_month(harness: Harness) -> None:
    world = await register(harness)
    leader = harness.actor(world.leader)
    [march] = await leader.send("/stats 03/2020")
    assert march.text is not None
    assert "tháng 03/2020" in march.text
    assert "Số liệu đến hết ngày 31/03/2020." in march.text
    [bad] = await leader.send("/stats 13/2020")
    assert bad.text == "Không hiểu tháng «13/2020». Hãy viết tháng/năm, ví dụ: /stats 03/2020"
    [future] = await leader.send("/stats 05/2020")
    assert future.text == "Tháng này chưa bắt đầu (hôm nay là 15/04/2020), nên chưa có số liệu."


# --- /overdue ----------------------------------------------------------------------------------


async def test_overdue_lists_units_and_a_button_opens_one(harness: Harness) -> None:
    world = await register(harness)
    leader = harness.actor(world.leader)
    [answer] = await leader.send("/overdue")
    assert answer.text is not None
    assert answer.text.split("\n") == [
        "🔴 Nhiệm vụ quá hạn chưa hoàn thành: 4 nhiệm vụ của 2 đơn vị (tính đến ngày 15/04/2020)",
        "",
        "1. Sở Nội vụ — 2 nhiệm vụ, lâu nhất quá hạn 106 ngày",
        "2. Sở Y tế — 2 nhiệm vụ, lâu nhất quá hạn 14 ngày",
        "",
        "Trang 1/1. Bấm tên đơn vị để xem danh sách nhiệm vụ.",
    ]
    assert answer.button_texts == ["Sở Nội vụ (2)", "Sở Y tế (2)"]
    pressed = await leader.press(answer, "Sở Y tế (2)")
    assert pressed.new == []  # the message is edited, not repeated
    assert pressed.message.text is not None
    assert pressed.message.text.split("\n") == [
        "🔴 Sở Y tế: 2 nhiệm vụ quá hạn chưa hoàn thành — trang 1/1",
        "• NV-1 Báo cáo dịch sốt xuất huyết — hạn 01/04/2020, quá hạn 14 ngày — Nguyễn Chuyên Viên",
        "• NV-2 Kế hoạch tiêm chủng — hạn 10/04/2020, quá hạn 5 ngày",
    ]
    back = await leader.press(pressed.message, "⬅️ Danh sách đơn vị")
    assert back.message.text == answer.text


async def test_overdue_follows_the_register_and_the_day(harness: Harness) -> None:
    world = await register(harness)
    leader = harness.actor(world.leader)
    [before] = await leader.send("/overdue")
    assert before.text is not None and "4 nhiệm vụ của 2 đơn vị" in before.text
    await make_task(harness.db, world.interior, harness.now, code="NV-7",
                    assigned_on=date(2020, 4, 1), deadline=date(2020, 4, 2))  # fmt: skip
    [after] = await leader.send("/overdue")
    assert after.text is not None and "5 nhiệm vụ của 2 đơn vị" in after.text
    harness.clock.advance(timedelta(days=20))  # 05/05/2020: NV-3 (30/04) is overdue too
    [later] = await leader.send("/overdue")
    assert later.text is not None
    assert "6 nhiệm vụ của 2 đơn vị (tính đến ngày 05/05/2020)" in later.text


# --- /unit -------------------------------------------------------------------------------------


async def test_unit_by_part_of_its_name_without_diacritics(harness: Harness) -> None:
    world = await register(harness)
    [answer] = await harness.actor(world.admin).send("/unit y te")
    assert answer.text is not None
    lines = answer.text.split("\n")
    assert lines[:5] == [
        "🏢 Sở Y tế (SYT)",
        "",
        "Lũy kế từ 01/01/2020 đến hết ngày 15/04/2020:",
        "• Đã giao: 4 nhiệm vụ",
        "• Đã hoàn thành: 1 (25,0% số đã giao), trong đó đúng hạn 1 (100,0% số đã hoàn thành),"
        " quá hạn 0 (0,0%)",
    ]
    assert lines[5] == "• Chưa hoàn thành: 3 (75,0% số đã giao), trong đó còn hạn 1, quá hạn 2"
    assert lines[7:] == [
        "Nhiệm vụ đang mở: 3 — trang 1/1",
        "• NV-1 Báo cáo dịch sốt xuất huyết — hạn 01/04/2020, quá hạn 14 ngày — Nguyễn Chuyên Viên",
        "• NV-2 Kế hoạch tiêm chủng — hạn 10/04/2020, quá hạn 5 ngày",
        "• NV-3 Rà soát trạm y tế xã — hạn 30/04/2020",
    ]


async def test_several_units_match_and_buttons_choose(harness: Harness) -> None:
    world = await register(harness)
    leader = harness.actor(world.leader)
    [choose] = await leader.send("/unit so")
    assert choose.text == "Có 2 đơn vị khớp với «so». Chọn một đơn vị:"
    assert choose.button_texts == ["Sở Y tế (SYT)", "Sở Nội vụ (SNV)"]
    pressed = await leader.press(choose, "Sở Nội vụ (SNV)")
    assert pressed.message.text is not None
    assert pressed.message.text.startswith("🏢 Sở Nội vụ (SNV)")
    [missing] = await leader.send("/unit khong co")
    assert missing.text is not None and missing.text.startswith("Không tìm thấy đơn vị nào")


# --- who sees what -----------------------------------------------------------------------------


async def test_a_head_sees_their_own_unit_only(harness: Harness) -> None:
    world = await register(harness)
    head = harness.actor(world.head)  # of Sở Y tế
    [refused] = await head.send("/unit SNV")
    assert refused.text == (
        "Xin lỗi, bạn chỉ xem được số liệu của đơn vị mình. Gõ /unit (không kèm tên) để xem"
        " đơn vị của bạn."
    )
    [own] = await head.send("/unit")
    assert own.text is not None and own.text.startswith("🏢 Sở Y tế (SYT)")
    [overdue] = await head.send("/overdue")
    assert overdue.text is not None
    assert overdue.text.startswith("🔴 Sở Y tế: 2 nhiệm vụ quá hạn chưa hoàn thành")
    forged = await head.press_data(overdue, f"ov:u:{world.interior.id}:0")
    assert forged.answer is not None
    assert forged.answer.text == "Bạn chỉ xem được đơn vị của mình."
    assert forged.message.text == overdue.text
    [stats] = await head.send("/stats")
    assert stats.text is not None and stats.text.startswith("🏢 Sở Y tế (SYT)")
    [report] = await head.send("/report")
    assert report.text == (
        "Lệnh này không dành cho vai trò của bạn. Gõ /help để xem những việc bạn có thể làm."
    )


async def test_an_officer_is_pointed_to_tasks(harness: Harness) -> None:
    world = await register(harness)
    [answer] = await harness.actor(world.officer).send("/stats")
    assert answer.text == (
        "Số liệu tổng hợp dành cho lãnh đạo và Thủ trưởng đơn vị. Xem các nhiệm vụ của bạn: /tasks"
    )


# --- /mine -------------------------------------------------------------------------------------


async def test_mine_groups_a_leaders_tasks_by_status(harness: Harness) -> None:
    world = await register(harness)
    [answer] = await harness.actor(world.leader).send("/mine")
    assert answer.text is not None
    assert answer.text.split("\n\n")[0] == "🧑‍💼 Nhiệm vụ do Lê Văn Lãnh Đạo giao"
    assert "• Đã giao: 3 nhiệm vụ" in answer.text
    assert answer.text.split("\n\n")[-2:] == [
        "🔴 Quá hạn, chưa hoàn thành: 2\n"
        "• NV-1 Báo cáo dịch sốt xuất huyết — hạn 01/04/2020, quá hạn 14 ngày — Sở Y tế"
        " · Nguyễn Chuyên Viên\n"
        "• NV-2 Kế hoạch tiêm chủng — hạn 10/04/2020, quá hạn 5 ngày — Sở Y tế",
        "🟢 Đang thực hiện, còn hạn: 1\n• NV-3 Rà soát trạm y tế xã — hạn 30/04/2020 — Sở Y tế",
    ]


# --- /chart and /report ------------------------------------------------------------------------


async def test_chart_sends_a_picture(harness: Harness) -> None:
    world = await register(harness)
    [photo] = await harness.actor(world.leader).send("/chart")
    assert photo.method == "sendPhoto"
    assert photo.caption == "Tiến độ nhiệm vụ theo đơn vị, lũy kế đến hết ngày 15/04/2020."
    biggest = max(photo.json["photo"], key=lambda size: size["width"])
    image = Image.open(io.BytesIO(harness.tg.file_bytes(biggest["file_id"])))
    assert image.format == "PNG"
    assert image.width == WIDTH_PX


async def test_report_sends_the_word_and_excel_documents(harness: Harness) -> None:
    world = await register(harness)
    replies = await harness.actor(world.admin).send("/report 03/2020")
    assert [m.text for m in replies[:1]] == ["⏳ Đang lập báo cáo…"]
    documents = [m for m in replies if m.method == "sendDocument"]
    assert [d.json["document"]["file_name"] for d in documents] == [
        "bao-cao-2020-03.docx",
        "bao-cao-2020-03.xlsx",
    ]
    docx = Document(io.BytesIO(harness.tg.file_bytes(documents[0].json["document"]["file_id"])))
    texts = [p.text for p in docx.paragraphs]
    assert "BÁO CÁO" in texts
    assert (
        "Kết quả rà soát, tổng hợp tiến độ thực hiện các nhiệm vụ đã giao đến hết ngày 31/03/2020"
        in texts
    )
    book = load_workbook(
        io.BytesIO(harness.tg.file_bytes(documents[1].json["document"]["file_id"]))
    )
    assert book.sheetnames[:3] == ["Tổng hợp", "Theo đơn vị", "Theo người giao"]


# --- plain questions and groups ----------------------------------------------------------------


async def test_plain_questions_are_answered_as_commands(harness: Harness) -> None:
    world = await register(harness)
    leader = harness.actor(world.leader)
    [overdue] = await leader.send("bao nhiêu nhiệm vụ quá hạn?")
    assert overdue.text is not None
    assert overdue.text.startswith("🔴 Nhiệm vụ quá hạn chưa hoàn thành: 4 nhiệm vụ")
    [unit] = await leader.send("Sở Y tế thế nào")
    assert unit.text is not None and unit.text.startswith("🏢 Sở Y tế (SYT)")
    [stats] = await leader.send("tổng số tháng 3")
    assert stats.text is not None and "tháng 03/2020" in stats.text
    [help_text] = await leader.send("xin chào")
    assert help_text.text is not None
    assert help_text.text.startswith("Bạn có thể hỏi bằng lời, ví dụ:")


async def test_a_linked_group_answers_stats(harness: Harness) -> None:
    world = await register(harness)
    leader, admin = harness.actor(world.leader), harness.actor(world.admin)
    group = harness.tg.group(-200, "Giao ban tỉnh")
    assert await leader.send("/stats", chat=group) == []  # not linked yet
    await admin.send("/linkgroup", chat=group)
    [answer] = await leader.send("/stats", chat=group)
    assert answer.chat_id == group.id
    assert answer.text is not None and answer.text.startswith("📊 Tiến độ thực hiện nhiệm vụ")
    # People talking among themselves in the group are left alone.
    assert await leader.send("tổng số tháng 3 thế nào nhỉ", chat=group) == []
    [asked] = await leader.send("@dondoc_test_bot bao nhiêu nhiệm vụ quá hạn?", chat=group)
    assert asked.text is not None and asked.text.startswith("🔴 Nhiệm vụ quá hạn")
