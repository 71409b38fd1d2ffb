"""Reminders end to end: the real Application, the Bot API double, a real SQLite file.

Time never passes by itself here: the clock is a FixedClock and the tests call the tick
(`bot.services.reminders.tick`) instead of waiting for the JobQueue.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime

import pytest

from bot.models import Person, ReportState, Role, Task
from bot.reminders.pacing import Backoff, SendLimiter
from bot.reminders.policy import Policy
from bot.services.reminders import sender_setup, start_sender, tick
from bot.services.rounds import notify_assigned, plan_round
from bot.workdays import WorkCalendar
from storage.messages import task_for_message
from storage.register import get_task
from tests.factories import World, make_person, make_task, small_world
from tests.harness import TZ, Harness, HarnessFactory
from tests.tgdouble.models import TgMessage

MORNING = datetime(2020, 4, 15, 7, 0, tzinfo=TZ)  # Wednesday, before the round
ROUND = datetime(2020, 4, 15, 8, 0, tzinfo=TZ)
DUE = date(2020, 4, 15)
QUIET_TICKS = {"tick_seconds": 3600}  # the JobQueue stays out of the way: tests tick


async def start(harness_factory: HarnessFactory, now: datetime = ROUND) -> tuple[Harness, World]:
    """A bot over small_world, whose people have all started the bot in Telegram."""
    harness = await harness_factory(now=now, reminders=QUIET_TICKS)
    world = await small_world(harness.db)
    for person in (world.admin, world.leader, world.head, world.officer, world.colleague,
                   world.other_head, world.other_officer):  # fmt: skip
        harness.actor(person)
    return harness, world


async def run_tick(harness: Harness) -> None:
    assert harness.app is not None
    await tick(harness.app, wait=True)


async def due_today(harness: Harness, world: World, code: str, **fields: object) -> Task:
    """A task of the health department due on the day of the round, for its officer."""
    fields.setdefault("officer", world.officer)
    return await make_task(harness.db, world.health, harness.now, code=code, deadline=DUE,
                           **fields)  # fmt: skip


def texts(messages: list[TgMessage]) -> list[str]:
    return [m.text or "" for m in messages]


async def outbox_states(harness: Harness) -> dict[str, int]:
    rows = await harness.db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state")
    return {r[0]: r[1] for r in rows}


# --- a round ---------------------------------------------------------------------------------


async def test_a_round_is_delivered_with_its_buttons(harness_factory: HarnessFactory) -> None:
    harness, world = await start(harness_factory, MORNING)
    await make_task(harness.db, world.health, harness.now, code="NV-1", title="Báo cáo <quý I>",
                    deadline=DUE, officer=world.officer)  # fmt: skip
    officer = harness.actor(world.officer)
    await run_tick(harness)
    assert officer.inbox == []  # 07:00: not yet
    harness.clock.set(ROUND)
    await run_tick(harness)
    [reminder] = officer.inbox
    assert reminder.text == (
        "⚠️ Hôm nay là hạn xử lý\n"
        "NV-1 — Báo cáo <quý I>\n"
        "Hạn xử lý: 15/04/2020\n\n"
        "Trả lời (reply) tin nhắn này bằng /done kết quả khi đã hoàn thành, "
        "hoặc /extend ngày lý do để xin gia hạn."
    )
    assert [(b["text"], b["callback_data"]) for row in reminder.buttons for b in row] == [
        ("✅ Hoàn thành", "done:NV-1"),
        ("⏳ Xin gia hạn", "ext:NV-1"),
        ("📄 Chi tiết", "task:NV-1"),
    ]
    task = await get_task(harness.db, code="NV-1")
    assert task is not None
    events = await harness.db.fetchall(
        "SELECT kind FROM task_events WHERE task_id = ? ORDER BY id", (task.id,)
    )
    assert [e[0] for e in events] == ["created", "reminded"]
    await run_tick(harness)  # the round is planned once
    assert len(officer.inbox) == 1


async def test_heads_and_the_office_hear_of_overdue_tasks(harness_factory: HarnessFactory) -> None:
    harness, world = await start(harness_factory)
    # Due Friday 10/04: Monday 13 and Tuesday 14 are working days, so on Wednesday it is
    # 3 working days overdue (escalated) and 5 calendar days late.
    await make_task(harness.db, world.health, harness.now, code="NV-7", title="Kế hoạch",
                    deadline=date(2020, 4, 10), officer=world.officer)  # fmt: skip
    await run_tick(harness)
    assert texts(harness.actor(world.officer).inbox)[0].startswith("🔴 Quá hạn 5 ngày\nNV-7")
    assert texts(harness.actor(world.head).inbox) == [
        "🚨 SYT Sở Y tế: 1 nhiệm vụ quá hạn từ 2 ngày làm việc trở lên\n"
        "• NV-7 — Kế hoạch (hạn 10/04/2020, quá hạn 5 ngày)\n\n"
        "Xem đầy đủ: /tasks"
    ]
    assert texts(harness.actor(world.admin).inbox) == [
        "📊 Nhiệm vụ quá hạn: 1 nhiệm vụ ở 1 đơn vị\n• SYT Sở Y tế: 1 nhiệm vụ (lâu nhất 5 ngày)"
    ]
    [history] = await harness.actor(world.admin).send("/history NV-7")
    assert (history.text or "").count("Nhắc hạn") == 1
    assert "Báo Thủ trưởng đơn vị về nhiệm vụ quá hạn" in (history.text or "")


async def test_replying_done_to_a_reminder_reports_that_task(
    harness_factory: HarnessFactory,
) -> None:
    harness, world = await start(harness_factory)
    await due_today(harness, world, "NV-2", officer=world.colleague)
    await due_today(harness, world, "NV-3")
    await run_tick(harness)
    officer = harness.actor(world.officer)
    [reminder] = officer.inbox  # one task of the day: its reminder, as ever
    assert (reminder.text or "").startswith("⚠️ Hôm nay là hạn xử lý\nNV-3")
    found = await task_for_message(
        harness.db, chat_id=reminder.chat_id, message_id=reminder.message_id
    )
    assert found is not None and found.code == "NV-3"
    replies = await officer.send("/done Đã có Báo cáo số 123/BC-SYT", reply_to=reminder)
    assert replies
    reported = await get_task(harness.db, code="NV-3")
    untouched = await get_task(harness.db, code="NV-2")
    assert reported is not None and reported.report_state is ReportState.PENDING
    assert untouched is not None and untouched.report_state is None


# --- the morning message (issue 15) -------------------------------------------------------------


async def morning_of_three(harness_factory: HarnessFactory) -> tuple[Harness, World, TgMessage]:
    """The officer's round: two tasks due today and one overdue, in one message."""
    harness, world = await start(harness_factory)
    await due_today(harness, world, "NV-2", title="Báo cáo quý")
    await due_today(harness, world, "NV-3", title="Kế hoạch năm")
    await make_task(harness.db, world.health, harness.now, code="NV-4", title="Tờ trình <gấp>",
                    deadline=date(2020, 4, 14), officer=world.officer)  # fmt: skip
    await run_tick(harness)
    [morning] = harness.actor(world.officer).inbox
    return harness, world, morning


async def test_several_tasks_of_the_day_come_in_one_message_with_buttons_for_each(
    harness_factory: HarnessFactory,
) -> None:
    harness, world, morning = await morning_of_three(harness_factory)
    assert morning.text == (
        "📋 Nhắc việc hôm nay: 3 nhiệm vụ, việc gấp nhất trước\n"
        "• NV-4 — Tờ trình <gấp> (hạn 14/04/2020, quá hạn 1 ngày)\n"
        "• NV-2 — Báo cáo quý (hạn 15/04/2020, đến hạn)\n"
        "• NV-3 — Kế hoạch năm (hạn 15/04/2020, đến hạn)\n\n"
        "Bấm ✅ (hoàn thành) hoặc ⏳ (xin gia hạn) cạnh mã nhiệm vụ bên dưới, hoặc trả lời "
        "/done MÃ kết quả.\n"
        "Xem đầy đủ: /tasks"
    )
    assert [[(b["text"], b["callback_data"]) for b in row] for row in morning.buttons] == [
        [("✅ NV-4", "done:NV-4"), ("⏳ NV-4", "ext:NV-4")],
        [("✅ NV-2", "done:NV-2"), ("⏳ NV-2", "ext:NV-2")],
        [("✅ NV-3", "done:NV-3"), ("⏳ NV-3", "ext:NV-3")],
    ]
    officer = harness.actor(world.officer)
    pressed = await officer.press(morning, "✅ NV-3")  # the task's own Done, as on its card
    [ask] = pressed.new
    assert (ask.text or "").startswith("Nhiệm vụ NV-3 — Kế hoạch năm\nHãy gửi kết quả")
    await officer.send("Đã có Báo cáo số 123/BC-SYT")
    states = {code: await get_task(harness.db, code=code) for code in ("NV-2", "NV-3", "NV-4")}
    assert {code: task and task.report_state for code, task in states.items()} == {
        "NV-2": None, "NV-3": ReportState.PENDING, "NV-4": None,
    }  # fmt: skip
    pressed = await officer.press(morning, "⏳ NV-2")
    assert [(m.text or "").split("\n")[0] for m in pressed.new] == ["Nhiệm vụ NV-2 — Báo cáo quý"]
    for code in ("NV-2", "NV-4"):  # each task it names has the reminder in its history
        [history] = await harness.actor(world.admin).send(f"/history {code}")
        assert (history.text or "").count("Nhắc hạn") == 1


async def test_replying_done_to_the_morning_message_asks_which_task(
    harness_factory: HarnessFactory,
) -> None:
    harness, world, morning = await morning_of_three(harness_factory)
    officer = harness.actor(world.officer)
    [which] = await officer.send("/done Đã có Báo cáo số 123/BC-SYT", reply_to=morning)
    assert which.text == (
        "Tin nhắn đó có nhiều nhiệm vụ: nhiệm vụ nào đã hoàn thành? Bấm chọn bên dưới, hoặc "
        "gửi /done MÃ kết quả.\n"
        "• NV-4 — Tờ trình <gấp>\n"
        "• NV-2 — Báo cáo quý\n"
        "• NV-3 — Kế hoạch năm"
    )
    assert which.button_texts == ["NV-4 — Tờ trình <gấp>", "NV-2 — Báo cáo quý",
                                  "NV-3 — Kế hoạch năm"]  # fmt: skip
    for code in ("NV-2", "NV-3", "NV-4"):  # nothing was guessed
        task = await get_task(harness.db, code=code)
        assert task is not None and task.report_state is None
    pressed = await officer.press(which, "NV-2 — Báo cáo quý")
    assert [(m.text or "").split("\n")[0] for m in pressed.new] == ["Nhiệm vụ NV-2 — Báo cáo quý"]
    await officer.send("Đã có Báo cáo số 124/BC-SYT")
    reported = await get_task(harness.db, code="NV-2")
    assert reported is not None and reported.report_state is ReportState.PENDING
    [asked] = await officer.send("/extend", reply_to=morning)  # /extend asks the same way
    assert (asked.text or "").startswith("Tin nhắn đó có nhiều nhiệm vụ: nhiệm vụ nào cần xin")


async def test_a_task_waiting_for_review_or_extended_since_planning_is_not_sent(
    harness_factory: HarnessFactory,
) -> None:
    harness, world = await start(harness_factory)
    await due_today(harness, world, "NV-4")
    await due_today(harness, world, "NV-5", officer=world.colleague)
    policy = Policy.from_settings(harness.settings)
    planned = await plan_round(harness.db, now=harness.now, calendar=WorkCalendar(), policy=policy)
    assert planned is not None and planned.added == 2
    await harness.db.execute("UPDATE tasks SET report_state = 'pending' WHERE code = 'NV-4'")
    await harness.db.execute("UPDATE tasks SET deadline = '2020-04-30' WHERE code = 'NV-5'")
    await run_tick(harness)
    assert harness.actor(world.officer).inbox == []
    assert harness.actor(world.colleague).inbox == []
    rows = await harness.db.fetchall("SELECT state, last_error FROM outbox ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("cancelled", "waiting for review"),
        ("cancelled", "deadline changed"),
    ]


async def test_a_morning_message_whose_tasks_were_all_reported_meanwhile_is_not_sent(
    harness_factory: HarnessFactory,
) -> None:
    harness, world = await start(harness_factory)
    await due_today(harness, world, "NV-4")
    await due_today(harness, world, "NV-5")
    await due_today(harness, world, "NV-6", officer=world.colleague)
    await due_today(harness, world, "NV-7", officer=world.colleague)
    policy = Policy.from_settings(harness.settings)
    planned = await plan_round(harness.db, now=harness.now, calendar=WorkCalendar(), policy=policy)
    assert planned is not None and planned.added == 2  # one morning message each
    await harness.db.execute("UPDATE tasks SET report_state = 'pending' WHERE code = 'NV-4'")
    await harness.db.execute(
        "UPDATE tasks SET completed_on = '2020-04-14' WHERE code IN ('NV-5', 'NV-6')"
    )
    await run_tick(harness)
    assert harness.actor(world.officer).inbox == []  # nothing left to do of its two
    [morning] = harness.actor(world.colleague).inbox  # NV-7 is still to do: it goes
    assert "NV-7" in (morning.text or "")
    rows = await harness.db.fetchall("SELECT person_id, state, last_error FROM outbox ORDER BY id")
    assert [tuple(r) for r in rows] == [
        (world.officer.id, "cancelled", "tasks completed or waiting for review"),
        (world.colleague.id, "sent", ""),
    ]


# --- Telegram's bad moments ------------------------------------------------------------------


async def add_officers(harness: Harness, world: World, count: int) -> list[Person]:
    """`count` officers of the health department, each with one task due today."""
    people = []
    for n in range(count):
        person = await make_person(harness.db, Role.OFFICER, world.health, code=f"OF{n:03d}",
                                   name=f"Cán bộ {n}", telegram_id=50_000 + n)  # fmt: skip
        await make_task(harness.db, world.health, harness.now, code=f"NV-9{n:03d}",
                        deadline=DUE, officer=person)  # fmt: skip
        harness.actor(person)
        people.append(person)
    return people


def deliveries(harness: Harness, people: list[Person]) -> Counter[tuple[int, str]]:
    """How many times each (chat, task code) reminder reached the double."""
    counted: Counter[tuple[int, str]] = Counter()
    for person in people:
        assert person.telegram_id is not None
        for message in harness.tg.sent_to(person.telegram_id):
            code = (message.text or "").split("\n")[1].split(" — ")[0]
            counted[(person.telegram_id, code)] += 1
    return counted


async def test_429s_5xx_and_timeouts_then_every_reminder_arrives_exactly_once(
    harness_factory: HarnessFactory,
) -> None:
    harness, world = await start(harness_factory)
    people = await add_officers(harness, world, 12)
    assert harness.app is not None
    setup = sender_setup(harness.app)
    setup.backoff = Backoff(base=0.05, cap=0.2)
    setup.read_timeout = 0.5
    tg = harness.tg
    tg.fail_next("sendMessage", times=4, status=429, retry_after=1)
    tg.fail_next("sendMessage", times=3, status=502)
    tg.fail_next("sendMessage", times=2, status=500)
    tg.slow("sendMessage", seconds=3, times=2)  # longer than the read timeout: not delivered
    tg.drop_next("sendMessage", times=1)  # the connection drops before the message is sent
    await run_tick(harness)
    counted = deliveries(harness, people)
    assert len(counted) == 12
    assert set(counted.values()) == {1}
    assert [f.kind for f in tg.faults_served].count("fail") == 9
    assert await outbox_states(harness) == {"sent": 12}


async def test_a_blocked_person_is_unreachable_until_they_start_again(
    harness_factory: HarnessFactory,
) -> None:
    harness, world = await start(harness_factory)
    await due_today(harness, world, "NV-8", title="Báo cáo tháng")
    officer = harness.actor(world.officer)
    admin = harness.actor(world.admin)
    harness.tg.block(officer.user, notify=False)
    harness.tg.expect_refusals(1, match="blocked")
    await run_tick(harness)
    assert officer.inbox == []
    assert texts(admin.inbox) == [
        "📵 Không gửi được tin nhắn cho Nguyễn Chuyên Viên (OFFICER, Chuyên viên, Sở Y tế): "
        "người này đã chặn bot hoặc chưa bấm Start. Các nhắc việc cho người này đang chờ "
        "và sẽ được gửi khi họ gửi /start cho bot."
    ]
    harness.clock.set(datetime(2020, 4, 15, 9, 0, tzinfo=TZ))
    await run_tick(harness)  # nothing tried for them, the Office is not told again
    assert len(admin.inbox) == 1
    assert await outbox_states(harness) == {"pending": 1, "sent": 1}
    harness.tg.unblock(officer.user, notify=False)
    await officer.send("/start")
    await run_tick(harness)
    assert [m.text.split("\n")[:2] for m in officer.inbox if "NV-8" in (m.text or "")] == [
        ["⚠️ Hôm nay là hạn xử lý", "NV-8 — Báo cáo tháng"]
    ]
    assert len(admin.inbox) == 1
    assert await outbox_states(harness) == {"sent": 2}


# --- restarts --------------------------------------------------------------------------------


async def test_down_at_eight_and_back_at_ten_sends_the_round_once(
    harness_factory: HarnessFactory,
) -> None:
    harness, world = await start(harness_factory, MORNING)
    await due_today(harness, world, "NV-10", title="Báo cáo tuần")
    await run_tick(harness)
    await harness.stop()
    harness.clock.set(datetime(2020, 4, 15, 10, 0, tzinfo=TZ))
    await harness.start()
    await run_tick(harness)
    await run_tick(harness)
    harness.clock.set(datetime(2020, 4, 15, 11, 0, tzinfo=TZ))
    await harness.restart()
    await run_tick(harness)
    officer = harness.actor(world.officer)
    assert [(m.text or "").split("\n")[1] for m in officer.inbox] == ["NV-10 — Báo cáo tuần"]
    rounds = await harness.db.fetchall("SELECT day FROM reminder_rounds")
    assert [r[0] for r in rounds] == ["2020-04-15"]


async def test_a_kill_in_the_middle_of_a_round_loses_nothing(
    harness_factory: HarnessFactory,
) -> None:
    """A kill -9, simulated: the sender task is cancelled mid-flight without any cleanup of
    its rows (the claimed ones stay 'sending'), then the bot starts again over the file."""
    harness, world = await start(harness_factory)
    harness.tg.set_rate_limits(global_rate=300.0)
    people = await add_officers(harness, world, 200)
    assert harness.app is not None
    setup = sender_setup(harness.app)
    setup.limiter = SendLimiter(rate=300.0, chat_rate=1.0)
    setup.window = 20
    await tick(harness.app)  # planned; the sender starts
    task = start_sender(harness.app)
    await harness.tg.wait_for(lambda _: len(harness.tg.calls("sendMessage")) >= 80, timeout=30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    in_flight = (await outbox_states(harness)).get("sending", 0)
    assert 0 < in_flight <= 20
    await harness.restart()
    setup = sender_setup(harness.app)
    setup.limiter = SendLimiter(rate=300.0, chat_rate=1.0)
    await run_tick(harness)
    counted = deliveries(harness, people)
    assert len(counted) == 200  # none lost
    assert sum(counted.values()) - 200 <= in_flight  # duplicates: the in-flight ones at most
    assert await outbox_states(harness) == {"sent": 200}


# --- /reminders ------------------------------------------------------------------------------


async def test_reminders_shows_what_comes_and_pauses_the_weekly_summary(
    harness_factory: HarnessFactory,
) -> None:
    harness, world = await start(harness_factory)
    await make_task(harness.db, world.health, harness.now, code="NV-11", deadline=date(2020, 4, 17),
                    officer=world.head)  # fmt: skip
    head = harness.actor(world.head)
    [shown] = await head.send("/reminders")
    assert "Tóm tắt hằng tuần vào thứ Hai: đang nhận." in (shown.text or "")
    assert "• thứ Năm 16/04/2020: NV-11 — còn 1 ngày làm việc" in (shown.text or "")
    assert "• thứ Sáu 17/04/2020: NV-11 — đến hạn" in (shown.text or "")
    pressed = await head.press(shown, "⏸ Tạm dừng tóm tắt tuần")
    assert "Tóm tắt hằng tuần vào thứ Hai: đã tạm dừng." in (pressed.message.text or "")
    assert pressed.message.button_texts == ["▶️ Nhận lại tóm tắt tuần"]
    officer = harness.actor(world.officer)
    [answer] = await officer.send("/reminders pause")
    assert answer.text == (
        "Vai trò của bạn không nhận tóm tắt hằng tuần; nhắc hạn nhiệm vụ không tạm dừng được."
    )
    [usage] = await officer.send("/reminders off everything")
    assert (usage.text or "").startswith("Cách dùng: /reminders")


async def test_the_command_line_previews_a_round_and_shows_the_outbox(
    harness_factory: HarnessFactory,
) -> None:
    harness, world = await start(harness_factory)
    await due_today(harness, world, "NV-12", title="Kế hoạch năm")
    result = await harness.cli("reminders", "preview", "--at", "2020-04-15 08:00")
    assert result.code == 0
    assert result.out.splitlines() == [
        "Đợt nhắc lúc 15/04/2020 08:00: 1 tin cho 1 người.",
        "15/04/2020 08:00  OFFICER Nguyễn Chuyên Viên  [due]  ⚠️ Hôm nay là hạn xử lý — "
        "NV-12 — Kế hoạch năm",
    ]
    bad = await harness.cli("reminders", "preview", "--at", "15/04/2020")
    assert bad.code == 2
    assert "không đúng dạng" in bad.err
    await run_tick(harness)
    status = await harness.cli("reminders", "status")
    lines = status.out.splitlines()  # the command line's "today" is the real one
    assert lines[0] == "Hộp thư đi: chờ gửi 0, đang gửi 0, đã gửi 1, lỗi 0, đã hủy 0."
    assert lines[2:] == ["Các đợt nhắc gần đây:", "  15/04/2020: 1 tin"]


async def test_an_imported_task_is_announced_to_its_officer_at_the_next_tick(
    harness_factory: HarnessFactory,
) -> None:
    harness, world = await start(harness_factory)
    csv = harness.settings.database.path.with_name("tasks.csv")
    csv.write_text(
        "ma_nhiem_vu,trich_yeu,don_vi_chu_tri,can_bo_xu_ly,ngay_giao,han_xu_ly\n"
        "NV-20,Báo cáo sơ kết,SYT,OFFICER,15/04/2020,30/04/2020\n"
        "NV-21,Kế hoạch kiểm tra,SNV,,15/04/2020,\n",
        encoding="utf-8",
    )
    result = await harness.cli("import", "tasks", str(csv))
    assert result.code == 0, result.err
    # The command line tells time by the real clock: the bot's clock goes there too.
    latest = await harness.db.fetchval("SELECT MAX(not_before) FROM outbox WHERE kind = 'assigned'")
    harness.clock.set(datetime.fromisoformat(latest).astimezone(TZ))
    await run_tick(harness)

    def announced(person: Person) -> list[TgMessage]:
        return [m for m in harness.actor(person).inbox if (m.text or "").startswith("📌")]

    [notice] = announced(world.officer)
    assert (notice.text or "").split("\n")[:3] == [
        "📌 Nhiệm vụ mới được giao",
        "NV-20 — Báo cáo sơ kết",
        "Hạn xử lý: 30/04/2020",
    ]
    assert [b["callback_data"] for row in notice.buttons for b in row] == [
        "done:NV-20",
        "ext:NV-20",
        "task:NV-20",
    ]
    for person in (world.other_head, world.other_officer):  # no named officer: the unit
        [unit_notice] = announced(person)
        assert (unit_notice.text or "").split("\n")[1:3] == [
            "NV-21 — Kế hoạch kiểm tra",
            "Hạn xử lý: không có thời hạn",
        ]


async def test_monday_brings_the_weekly_summaries(harness_factory: HarnessFactory) -> None:
    monday = datetime(2020, 4, 13, 8, 0, tzinfo=TZ)
    harness, world = await start(harness_factory, monday)
    await make_task(harness.db, world.health, harness.now, code="NV-30", title="Đề án",
                    deadline=date(2020, 4, 8), assigned_on=date(2020, 3, 2),
                    officer=world.officer, assigner_id=world.leader.id)  # fmt: skip
    await make_task(harness.db, world.health, harness.now, code="NV-31", title="Tờ trình",
                    deadline=date(2020, 4, 16), assigned_on=date(2020, 3, 2),
                    officer=world.officer)  # fmt: skip
    await make_task(harness.db, world.health, harness.now, code="NV-32", title="Báo cáo",
                    deadline=date(2020, 3, 31), assigned_on=date(2020, 3, 2),
                    completed_on=date(2020, 3, 30), officer=world.officer)  # fmt: skip
    await run_tick(harness)
    [summary] = [
        m.text for m in harness.actor(world.head).inbox if "Tóm tắt tuần" in (m.text or "")
    ]
    assert summary == (
        "🗓 Tóm tắt tuần — SYT Sở Y tế\n"
        "Đang thực hiện: 2\n"
        "Đến hạn trong tuần này: 1\n"
        "Quá hạn: 1\n"
        "• NV-30 — Đề án (hạn 08/04/2020, quá hạn 5 ngày)\n\n"
        "Xem đầy đủ: /tasks\n"
        "Tạm dừng tóm tắt hằng tuần: /reminders"
    )
    [leader] = harness.actor(world.leader).inbox
    assert leader.text == (
        "🗓 Tóm tắt tuần (lũy kế từ đầu năm)\n"
        "Đã giao: 3\n"
        "Đã hoàn thành: 1 (đúng hạn 1, quá hạn 0)\n"
        "Chưa hoàn thành: 2 (trong hạn 1, quá hạn 1)\n\n"
        "Nhiệm vụ do đồng chí giao đang quá hạn: 1\n"
        "• NV-30 — Đề án (hạn 08/04/2020, quá hạn 5 ngày)\n\n"
        "Tạm dừng tóm tắt hằng tuần: /reminders"
    )


async def test_a_notice_that_meets_quiet_hours_waits_for_the_morning(
    harness_factory: HarnessFactory,
) -> None:
    evening = datetime(2020, 4, 15, 21, 30, tzinfo=TZ)
    harness, world = await start(harness_factory, evening)
    task = await make_task(harness.db, world.health, harness.now, code="NV-40",
                           deadline=date(2020, 4, 30), officer=world.officer)  # fmt: skip
    written = datetime(2020, 4, 15, 20, 50, tzinfo=TZ)  # imported before 21:00, not yet sent
    assert await notify_assigned(harness.db, harness.settings, task_ids=[task.id], now=written) == 1
    await run_tick(harness)
    officer = harness.actor(world.officer)
    assert officer.inbox == []
    harness.clock.set(datetime(2020, 4, 16, 7, 0, tzinfo=TZ))
    await run_tick(harness)
    assert [(m.text or "").split("\n")[:2] for m in officer.inbox] == [
        ["📌 Nhiệm vụ mới được giao", f"NV-40 — {task.title}"]
    ]


# --- [telegram] paid_broadcast (issue 15) ---------------------------------------------------------


@pytest.mark.parametrize("paid", [True, False])
async def test_reminders_ask_for_paid_broadcast_only_when_it_is_set(
    harness_factory: HarnessFactory, paid: bool
) -> None:
    harness = await harness_factory(
        now=ROUND,
        reminders=QUIET_TICKS,
        telegram={"paid_broadcast": paid, "messages_per_second": 100 if paid else 30},
    )
    world = await small_world(harness.db)
    officer = harness.actor(world.officer)
    await due_today(harness, world, "NV-1")
    await run_tick(harness)
    [reminder] = officer.inbox
    [call] = [c for c in harness.tg.calls("sendMessage") if c.chat_id == officer.id]
    assert call.params.get("allow_paid_broadcast", False) is paid
    assert (reminder.text or "").startswith("⚠️ Hôm nay là hạn xử lý\nNV-1")
    [answer] = await officer.send("/tasks")  # an answer is no broadcast: never paid
    assert "NV-1" in (answer.text or "")
    [asked] = [c for c in harness.tg.calls("sendMessage") if c.chat_id == officer.id][1:]
    assert "allow_paid_broadcast" not in asked.params
