"""Notices of the Office's decisions go through the reminders' outbox: held in quiet hours,
retried when Telegram fails, kept for a person who blocked the bot, and sent once."""

from __future__ import annotations

from datetime import datetime

from bot.reminders.pacing import Backoff
from bot.services.reminders import sender_setup, tick
from storage.encoding import utc_stamp
from tests.e2e_workflow import CODE, TITLE, Desk, delivered, latest, open_desk
from tests.harness import TZ, Harness, HarnessFactory
from tests.tgdouble.models import TgMessage

QUIET_TICKS = {"tick_seconds": 3600}  # the JobQueue stays out of the way: tests tick
ACCEPTED = (
    f"✅ Văn phòng đã chấp nhận báo cáo hoàn thành nhiệm vụ {CODE} — {TITLE}. Nhiệm vụ "
    "hoàn thành ngày 15/04/2020."
)


async def reported(harness_factory: HarnessFactory, **settings: object) -> Desk:
    """A bot whose officer has reported on the desk's task (the cards to the admins sent,
    unless in quiet hours)."""
    desk = await open_desk(await harness_factory(reminders=QUIET_TICKS, **settings))
    await desk.officer.send(f"/done {CODE} Đã có Báo cáo số 123/BC-SNV")
    await delivered(desk)
    return desk


async def accepted(desk: Desk, card: TgMessage | None = None) -> None:
    """An admin accepts the report (on `card`, else the last message they got): the
    decision is taken, its notice stored."""
    pressed = await desk.admin.press(card or latest(desk.admin), "✅ Chấp nhận")
    assert pressed.answer is not None
    assert pressed.answer.text == "Đã chấp nhận. Nhiệm vụ hoàn thành ngày 15/04/2020."


def notices(desk: Desk) -> list[str]:
    return [m.text or "" for m in desk.officer.inbox if "đã chấp nhận báo cáo" in (m.text or "")]


async def outbox_states(harness: Harness) -> dict[str, int]:
    rows = await harness.db.fetchall(
        "SELECT state, COUNT(*) FROM outbox WHERE kind = 'notice' GROUP BY state"
    )
    return {r[0]: r[1] for r in rows}


async def test_a_decision_in_quiet_hours_is_told_in_the_morning_once(
    harness_factory: HarnessFactory,
) -> None:
    desk = await reported(harness_factory, now=datetime(2020, 4, 15, 22, 30, tzinfo=TZ))
    harness = desk.harness
    assert desk.admin.inbox == []  # the card waits for the morning too; /review shows it
    _, card = await desk.admin.send("/review")
    await accepted(desk, card)
    await delivered(desk)
    assert notices(desk) == []
    assert await outbox_states(harness) == {"pending": 1}
    morning = datetime(2020, 4, 16, 7, 0, tzinfo=TZ)
    when = await harness.db.fetchval("SELECT not_before FROM outbox WHERE kind = 'notice'")
    assert when == utc_stamp(morning)
    harness.clock.set(datetime(2020, 4, 16, 6, 59, tzinfo=TZ))
    await delivered(desk)
    assert notices(desk) == []
    harness.clock.set(morning)
    assert harness.app is not None
    await tick(harness.app, wait=True)
    await tick(harness.app, wait=True)
    assert notices(desk) == [ACCEPTED]
    assert await outbox_states(harness) == {"sent": 1}


async def test_a_notice_survives_telegram_failing_and_arrives_once(
    harness_factory: HarnessFactory,
) -> None:
    desk = await reported(harness_factory)
    harness = desk.harness
    assert harness.app is not None
    sender_setup(harness.app).backoff = Backoff(base=0.05, cap=0.2)
    harness.tg.fail_next("sendMessage", times=3, status=502)
    await accepted(desk)
    await delivered(desk)
    assert notices(desk) == [ACCEPTED]
    assert [f.kind for f in harness.tg.faults_served].count("fail") == 3
    assert await outbox_states(harness) == {"sent": 1}
    # A reply to the notice finds its task (the sent message was remembered): completed.
    [reply] = await desk.officer.send("/done Bổ sung", reply_to=latest(desk.officer))
    assert reply.text == (
        "Nhiệm vụ này đã hoàn thành ngày 15/04/2020; không cần báo cáo hay gia hạn nữa."
    )


async def test_a_blocked_officer_gets_the_notice_after_their_next_start(
    harness_factory: HarnessFactory,
) -> None:
    desk = await reported(harness_factory)
    harness = desk.harness
    harness.tg.block(desk.officer.user, notify=False)
    harness.tg.expect_refusals(1, match="blocked")
    await accepted(desk)
    await delivered(desk)
    assert notices(desk) == []
    assert await outbox_states(harness) == {"pending": 1}
    assert latest(desk.admin).text == (
        "📵 Không gửi được tin nhắn cho Nguyễn Chuyên Viên (OFFICER, Chuyên viên, Sở Y tế): "
        "người này đã chặn bot hoặc chưa bấm Start. Các nhắc việc cho người này đang chờ "
        "và sẽ được gửi khi họ gửi /start cho bot."
    )
    harness.tg.unblock(desk.officer.user, notify=False)
    await desk.officer.send("/start")
    await delivered(desk)
    await delivered(desk)
    assert notices(desk) == [ACCEPTED]
    assert await outbox_states(harness) == {"sent": 1}
