"""An edited message is not handled again: the sender is asked to send a new one."""

from __future__ import annotations

from datetime import date

from tests.factories import make_task, small_world
from tests.harness import Harness

EDIT_NOTICE = "Tin nhắn đã sửa không được xử lý lại; hãy gửi tin nhắn mới."


async def test_an_edited_command_is_not_run_again_and_the_sender_is_told_once(
    harness: Harness,
) -> None:
    world = await small_world(harness.db)
    for code in ("NV-1", "NV-2"):
        await make_task(harness.db, world.health, harness.now, code=code, title=f"Việc {code}",
                        deadline=date(2020, 4, 30), officer=world.officer)  # fmt: skip
    officer = harness.actor(world.officer)
    sent = await officer.user.send("/task NV-1")
    await harness.settle()
    [card] = [m for m in officer.inbox if m.message_id > sent["message_id"]]
    assert (card.text or "").startswith("📌 NV-1")

    await officer.user.edit(sent["message_id"], "/task NV-2")
    await harness.settle()

    [notice] = [m for m in officer.inbox if m.message_id > card.message_id]
    assert notice.text == EDIT_NOTICE
    assert not any((m.text or "").startswith("📌 NV-2") for m in officer.inbox)


async def test_an_edited_answer_in_a_dialogue_files_nothing_twice(harness: Harness) -> None:
    world = await small_world(harness.db)
    await make_task(harness.db, world.health, harness.now, code="NV-1", title="Việc",
                    deadline=date(2020, 4, 30), officer=world.officer)  # fmt: skip
    harness.actor(world.admin)  # the reviewer, who gets the report's card
    officer = harness.actor(world.officer)
    await officer.send("/done NV-1")
    answer = await officer.user.send("Văn bản 12/SYT đã gửi UBND tỉnh ngày 14/4")
    await harness.settle()
    before = len(officer.inbox)
    reports = [tuple(r) for r in await harness.db.fetchall("SELECT id FROM completion_reports")]

    await officer.user.edit(answer["message_id"], "Văn bản 13/SYT, sửa lại")
    await harness.settle()

    [notice] = officer.inbox[before:]
    assert notice.text == EDIT_NOTICE
    after = [tuple(r) for r in await harness.db.fetchall("SELECT id FROM completion_reports")]
    assert after == reports
    assert len(reports) == 1


async def test_a_strangers_edit_gets_no_answer(harness: Harness) -> None:
    stranger = harness.stranger(555)
    sent = await stranger.user.send("xin chào")
    await harness.settle()
    before = len(stranger.inbox)
    await stranger.user.edit(sent["message_id"], "/tasks")
    await harness.settle()
    assert stranger.inbox[before:] == []
