"""One chat's long queue does not hold the others': while the admins' cards wait for their
chats' turn (Telegram takes ~1 message a second a chat), another person's reminder queued
after them goes out, and each chat still gets its own messages in order."""

from __future__ import annotations

from datetime import date, datetime

from bot.reminders.pacing import SendLimiter
from bot.services.reminders import sender_setup, tick
from tests.e2e_workflow import delivered, open_desk
from tests.factories import make_task
from tests.harness import TZ, HarnessFactory

EVENING = datetime(2020, 4, 15, 22, 30, tzinfo=TZ)  # quiet hours: the cards wait for 07:00
ROUND = datetime(2020, 4, 16, 8, 0, tzinfo=TZ)  # Thursday's round
REPORTS = 8
QUIET_TICKS = {"tick_seconds": 3600}  # the JobQueue stays out of the way: tests tick


async def test_a_reminder_overtakes_the_admins_queue_of_cards(
    harness_factory: HarnessFactory,
) -> None:
    harness = await harness_factory(now=EVENING, reminders=QUIET_TICKS)
    desk = await open_desk(harness)
    world = desk.world
    codes = [f"NV-2020-{n:04d}" for n in range(1, REPORTS + 1)]
    for code, deadline, officer in [
        *((code, date(2020, 4, 20), world.officer) for code in codes),
        ("NV-2020-0900", ROUND.date(), world.other_officer),  # due on the day of the round
    ]:
        await make_task(harness.db, world.health, harness.now, code=code, deadline=deadline,
                        assigned_on=date(2020, 4, 1), officer=officer)  # fmt: skip
    for code in codes:  # 8 reports: 8 cards for each of the two admins, queued for 07:00
        [answer] = await desk.officer.send(f"/done {code} Đã xong")
        assert answer.text is not None and answer.text.startswith("✅ Đã gửi báo cáo")
    await delivered(desk)  # the sender the reports woke finds quiet hours, and stops
    assert (desk.admin.inbox, desk.admin2.inbox) == ([], [])
    # The admins' chats take 20 messages a second, one at a time, and the sender keeps 4
    # rows claimed: before, those 4 were all cards, and the reminder waited for them all.
    harness.tg.set_rate_limits(per_chat_rate=None)
    assert harness.app is not None
    setup = sender_setup(harness.app)
    setup.limiter = SendLimiter(rate=300.0, chat_rate=20.0, chat_burst=1)
    setup.window = 4
    harness.clock.set(ROUND)
    answered = len(harness.tg.calls("sendMessage"))
    await tick(harness.app, wait=True)  # the round is planned after the cards, then sent
    calls = harness.tg.calls("sendMessage")[answered:]
    sent = [(c.params["chat_id"], c.params["text"]) for c in calls]  # in the order they came
    admin, admin2, reminded = desk.admin.id, desk.admin2.id, desk.other_officer.id

    def cards(chat: int) -> list[int]:
        """Where the cards to `chat` came in the order of all messages."""
        return [n for n, (to, text) in enumerate(sent) if to == chat and text.startswith("📝")]

    [reminder] = [n for n, (to, text) in enumerate(sent) if to == reminded]
    assert sent[reminder][1].startswith("⚠️ <b>Hôm nay là hạn xử lý</b>\n<b>NV-2020-0900</b>")
    assert reminder < cards(admin)[1] and reminder < cards(admin2)[1]  # before their 2nd card
    for chat in (admin, admin2):  # every card once, in the order of the reports
        shown = [next(code for code in codes if code in sent[n][1]) for n in cards(chat)]
        assert shown == codes
    states = await harness.db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state")
    assert {r[0]: r[1] for r in states} == {"sent": len(sent)}
