"""Linking Telegram accounts to people, end to end: invite codes (from the command line and
from /invite), shared contacts, relinking, the lockout, strangers, /help, /lang, groups."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.models import Person
from storage.register import get_person
from tests.factories import TG_IDS, make_person, small_world
from tests.harness import Harness

WELCOME_NEWCOMER = (
    "Chào mừng Mai Người Mới! Tài khoản Telegram này đã được liên kết với hồ sơ của bạn: "
    "Chuyên viên, Sở Y tế.\n\nGõ /help để xem những việc bạn có thể làm."
)
STRANGER = (
    "Xin chào! Tài khoản Telegram này chưa được liên kết với danh sách cán bộ của Văn phòng "
    "UBND tỉnh.\n\nĐể sử dụng bot, bạn có thể:\n• mở đường liên kết mời mà Văn phòng UBND "
    "tỉnh gửi cho bạn; hoặc\n• gửi /start rồi bấm nút «Chia sẻ số điện thoại»: nếu số điện "
    "thoại của bạn có trong danh sách, bot sẽ nhận ra bạn.\n\nCần hỗ trợ, xin liên hệ Văn "
    "phòng UBND tỉnh."
)


async def invite_code(harness: Harness, person: Person) -> str:
    """A fresh code from `dondoc invite CODE --json`."""
    result = await harness.cli("invite", person.code, "--json")
    assert result.code == 0, result.err
    return str(json.loads(result.out)["start"]).removeprefix("/start ")


async def linked_id(harness: Harness, person: Person) -> int | None:
    found = await get_person(harness.db, id=person.id)
    assert found is not None
    return found.telegram_id


# --- invite codes ----------------------------------------------------------------------------


async def test_invite_json_prints_the_link_and_the_start_line_only(harness: Harness) -> None:
    world = await small_world(harness.db)
    result = await harness.cli("invite", world.newcomer.code, "--json")
    assert result.code == 0
    shape = json.loads(result.out)
    code = shape["start"].removeprefix("/start ")
    assert shape == {
        "person": "NEWCOMER",
        "start": f"/start {code}",
        "link": f"https://t.me/dondoc_test_bot?start={code}",
    }
    assert 22 <= len(code) <= 64


async def test_invite_link_links_the_account_and_sets_its_menu(harness: Harness) -> None:
    world = await small_world(harness.db)
    code = await invite_code(harness, world.newcomer)
    newcomer = harness.stranger(3001, "Mai")
    [welcome] = await newcomer.send(f"/start {code}")
    assert welcome.text == WELCOME_NEWCOMER
    assert await linked_id(harness, world.newcomer) == 3001
    menu = harness.tg.commands_for(newcomer.user)
    names = [name for name, _ in menu]
    assert names[:5] == ["start", "help", "lang", "tasks", "task"]  # then later features'
    assert "invite" not in names and "linkgroup" not in names
    assert ("tasks", "Nhiệm vụ đang mở của tôi") in menu
    [tasks] = await newcomer.send("/tasks")
    assert tasks.text == "Bạn không có nhiệm vụ nào đang mở. 🎉"


async def test_a_code_works_once(harness: Harness) -> None:
    world = await small_world(harness.db)
    code = await invite_code(harness, world.newcomer)
    first, second = harness.stranger(3001), harness.stranger(3002)
    await first.send(f"/start {code}")
    [again] = await first.send(f"/start {code}")  # the same link opened twice
    assert again.text == (
        "Tài khoản này đã được liên kết với Mai Người Mới. Gõ /help để xem những việc bạn "
        "có thể làm."
    )
    [used] = await second.send(f"/start {code}")
    assert used.text == (
        "Mã mời này đã được sử dụng; mỗi mã chỉ dùng được một lần. Hãy đề nghị Văn phòng "
        "UBND tỉnh gửi mã mới nếu cần."
    )
    assert await linked_id(harness, world.newcomer) == 3001


async def test_an_expired_code_is_refused(harness: Harness) -> None:
    world = await small_world(harness.db)
    [made] = await harness.actor(world.admin).send("/invite NEWCOMER")
    code = made.text.split("\n")[1].partition("start=")[2]
    harness.clock.advance(timedelta(days=7))  # invite_ttl_days
    [expired] = await harness.stranger(3001).send(f"/start {code}")
    assert expired.text == "Mã mời này đã hết hạn. Hãy đề nghị Văn phòng UBND tỉnh gửi mã mới."
    assert await linked_id(harness, world.newcomer) is None


async def test_a_revoked_code_and_a_replaced_code_are_refused(harness: Harness) -> None:
    world = await small_world(harness.db)
    replaced = await invite_code(harness, world.newcomer)
    revoked = await invite_code(harness, world.newcomer)
    result = await harness.cli("invite", "--revoke", world.newcomer.code)
    assert (result.code, result.out) == (0, "Đã thu hồi 1 mã mời của Mai Người Mới (NEWCOMER).\n")
    stranger = harness.stranger(3001)
    for code in (replaced, revoked):
        [reply] = await stranger.send(f"/start {code}")
        assert reply.text == "Mã mời này đã bị thu hồi. Hãy đề nghị Văn phòng UBND tỉnh gửi mã mới."
    assert await linked_id(harness, world.newcomer) is None


async def test_a_forged_code_is_refused(harness: Harness) -> None:
    world = await small_world(harness.db)
    await invite_code(harness, world.newcomer)
    stranger = harness.stranger(3001)
    for forged in ("AAAAAAAAAAAAAAAAAAAAAA", "<b>&amp;"):
        [reply] = await stranger.send(f"/start {forged}")
        assert reply.text == (
            "Mã mời không hợp lệ. Hãy kiểm tra lại đường liên kết, hoặc đề nghị Văn phòng UBND "
            "tỉnh gửi mã mới."
        )
    assert await linked_id(harness, world.newcomer) is None


async def test_five_wrong_codes_lock_the_account_for_an_hour_across_restarts(
    harness: Harness,
) -> None:
    world = await small_world(harness.db)
    code = await invite_code(harness, world.newcomer)
    stranger = harness.stranger(3001)
    replies = []
    for n in range(5):
        replies += await stranger.send(f"/start wrongcode{n}")
        harness.clock.advance(timedelta(minutes=5))
    assert [r.text.split(".")[0] for r in replies[:4]] == ["Mã mời không hợp lệ"] * 4
    locked = (
        "Bạn đã nhập sai mã mời quá nhiều lần. Vui lòng thử lại sau {} phút, hoặc liên hệ "
        "Văn phòng UBND tỉnh."
    )
    assert replies[4].text == locked.format(60)
    await harness.restart()
    harness.clock.advance(timedelta(minutes=30))  # 35 minutes after the fifth wrong code
    [still] = await stranger.send(f"/start {code}")  # even the right code waits
    assert still.text == locked.format(25)
    assert await linked_id(harness, world.newcomer) is None
    harness.clock.advance(timedelta(minutes=25))
    [welcome] = await stranger.send(f"/start {code}")
    assert welcome.text == WELCOME_NEWCOMER


async def test_admins_make_invites_in_the_bot_and_others_may_not(harness: Harness) -> None:
    world = await small_world(harness.db)
    admin, officer = harness.actor(world.admin), harness.actor(world.officer)
    [made] = await admin.send("/invite NEWCOMER")
    link = made.text.split("\n")[1]
    assert made.text.split("\n")[0] == (
        "Đường liên kết mời cho Mai Người Mới (NEWCOMER), dùng một lần, hết hạn ngày 22/04/2020:"
    )
    assert link.startswith("https://t.me/dondoc_test_bot?start=")
    [welcome] = await harness.stranger(3001).send("/start " + link.partition("start=")[2])
    assert welcome.text == WELCOME_NEWCOMER
    [unknown] = await admin.send("/invite NOBODY")
    assert unknown.text == "Không có cán bộ mã NOBODY trong danh sách."
    [refused] = await officer.send("/invite NEWCOMER")
    assert refused.text == (
        "Lệnh này không dành cho vai trò của bạn. Gõ /help để xem những việc bạn có thể làm."
    )


async def test_all_unlinked_get_a_csv_of_invites(harness: Harness) -> None:
    world = await small_world(harness.db)
    out = harness.settings.database.path.with_name("moi.csv")
    result = await harness.cli("invite", "--all-unlinked", "--out", str(out))
    assert result.code == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "ma_can_bo,ho_ten,vai_tro,don_vi,dien_thoai,lenh_start,lien_ket,het_han"
    [row] = [line.split(",") for line in lines[1:]]
    assert row[:5] == ["NEWCOMER", "Mai Người Mới", "officer", "Sở Y tế", "0912 345 678"]
    code = row[5].removeprefix("/start ")
    assert row[6] == f"https://t.me/dondoc_test_bot?start={code}"
    [welcome] = await harness.stranger(3001).send(f"/start {code}")
    assert welcome.text == WELCOME_NEWCOMER
    assert world.newcomer.telegram_id is None


async def test_a_province_s_invites_are_counted_the_vietnamese_way(harness: Harness) -> None:
    world = await small_world(harness.db)
    for _ in range(999):  # with the newcomer of the small world: 1.000 without a link
        await make_person(harness.db, unit=world.health)
    out = harness.settings.database.path.with_name("moi.csv")
    result = await harness.cli("invite", "--all-unlinked", "--out", str(out))
    assert (result.code, result.err) == (0, "")
    assert result.out == (f"Đã tạo 1.000 mã mời cho những người chưa liên kết Telegram: {out}\n")
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + 1000


async def test_relinking_moves_the_link_and_tells_both_sides_and_the_admins(
    harness: Harness,
) -> None:
    world = await small_world(harness.db)
    old, admin = harness.actor(world.officer), harness.actor(world.admin)
    code = await invite_code(harness, world.officer)
    new = harness.stranger(3001)
    [welcome] = await new.send(f"/start {code}")
    assert welcome.text.startswith("Chào mừng Nguyễn Chuyên Viên!")
    assert await linked_id(harness, world.officer) == 3001
    assert old.inbox[-1].text == (
        "Tài khoản Telegram này không còn được liên kết với Nguyễn Chuyên Viên: hồ sơ đã được "
        "chuyển sang một tài khoản Telegram khác. Nếu bạn không yêu cầu việc này, hãy báo ngay "
        "cho Văn phòng UBND tỉnh."
    )
    assert admin.inbox[-1].text == (
        "🔁 Liên kết Telegram của Nguyễn Chuyên Viên (OFFICER) đã chuyển sang tài khoản khác "
        f"(id {TG_IDS['officer']} → 3001)."
    )
    assert harness.tg.commands_for(old.user) == []
    [turned_away] = await old.send("/tasks")
    assert turned_away.text == STRANGER


# --- the phone number path ---------------------------------------------------------------------


async def test_start_offers_the_share_phone_button_and_the_own_contact_links(
    harness: Harness,
) -> None:
    world = await small_world(harness.db)
    newcomer = harness.stranger(3001, "Mai")
    [offer] = await newcomer.send("/start")
    assert offer.text.startswith("Xin chào! Để bắt đầu, hãy bấm nút «Chia sẻ số điện thoại»")
    [[button]] = offer.sent_reply_markup["keyboard"]
    assert button == {"text": "Chia sẻ số điện thoại", "request_contact": True}
    [welcome] = await newcomer.send_contact("84912345678")  # as Telegram sends it
    assert welcome.text == WELCOME_NEWCOMER
    assert welcome.sent_reply_markup == {"remove_keyboard": True}
    assert await linked_id(harness, world.newcomer) == 3001


async def test_another_persons_contact_is_refused(harness: Harness) -> None:
    world = await small_world(harness.db)
    stranger = harness.stranger(3001)
    [refused] = await stranger.send_contact("+84 912 345 678", user_id=3999)
    assert refused.text == (
        "Bot chỉ nhận số điện thoại của chính bạn: hãy bấm nút «Chia sẻ số điện thoại» thay vì "
        "gửi hoặc chuyển tiếp danh bạ."
    )
    assert await linked_id(harness, world.newcomer) is None


async def test_an_unknown_or_shared_number_links_nobody(harness: Harness) -> None:
    world = await small_world(harness.db)
    stranger = harness.stranger(3001)
    [unknown] = await stranger.send_contact("+84 988 000 111")
    assert unknown.text == (
        "Số điện thoại +84 988 000 111 không có trong danh sách cán bộ. Hãy đề nghị Văn phòng "
        "UBND tỉnh cập nhật số điện thoại của bạn hoặc gửi đường liên kết mời."
    )
    await make_person(harness.db, unit=world.health, name="Trùng Số", phone="+84912.345.678")
    [ambiguous] = await stranger.send_contact("84912345678")
    assert ambiguous.text.startswith("Số điện thoại 84912345678 trùng với nhiều người")
    assert await linked_id(harness, world.newcomer) is None


# --- strangers -----------------------------------------------------------------------------------


async def test_a_stranger_gets_one_polite_message_and_no_data(harness: Harness) -> None:
    await small_world(harness.db)
    stranger = harness.stranger(3001)
    commands = [f"/{c.name}" for c in harness.app.bot_data.commands]  # type: ignore[union-attr]
    attempts = [*commands, "/task NV-1", "/tasks", "/lang en", "/invite NEWCOMER", "/nonsense"]
    attempts += ["/linkgroup", "xin chào", "/help@dondoc_test_bot"]
    replies = []
    for text in attempts:
        if text.split()[0] != "/start":
            replies += await stranger.send(text)
    assert [r.text for r in replies] == [STRANGER]
    pressed = []
    for data in ("task:NV-1", "pg:tasks:1", "done:NV-1", "ext:NV-1", "lang:en", "rv:1", "x"):
        pressed.append(await stranger.press_data(replies[0], data))
    assert {p.answer.text for p in pressed if p.answer} == {
        "Bạn chưa được cấp quyền. Hãy gửi /start cho bot trong tin nhắn riêng."
    }
    assert len([p for p in pressed if p.answer]) == len(pressed)
    assert all(p.new == [] for p in pressed)
    assert harness.tg.commands_for(stranger.user) == []


# --- /help, /lang -------------------------------------------------------------------------------


async def test_help_lists_what_the_role_may_do(harness: Harness) -> None:
    world = await small_world(harness.db)
    [officer_help] = await harness.actor(world.officer).send("/help")
    [admin_help] = await harness.actor(world.admin).send("/help")
    assert officer_help.text.split("\n")[:2] == [
        "Nguyễn Chuyên Viên — Chuyên viên, Sở Y tế",
        "Những việc bạn có thể làm:",
    ]
    assert "/task — xem đầy đủ một nhiệm vụ, ví dụ /task NV-2020-0345." in officer_help.text
    assert "/invite" not in officer_help.text
    assert "/invite — tạo đường liên kết mời cho một cán bộ, ví dụ /invite CB001." in (
        admin_help.text
    )


async def test_lang_en_switches_the_texts_and_the_menu(harness: Harness) -> None:
    world = await small_world(harness.db)
    officer = harness.actor(world.officer)
    await officer.send("/help")  # sets the Vietnamese menu
    assert ("help", "Những việc bạn có thể làm") in harness.tg.commands_for(officer.user)
    [switched] = await officer.send("/lang en")
    assert switched.text == "The bot speaks English with you now."
    assert ("help", "What you can do") in harness.tg.commands_for(officer.user)
    [help_en] = await officer.send("/help")
    assert help_en.text.split("\n")[:2] == [
        "Nguyễn Chuyên Viên — officer, Sở Y tế",
        "What you can do:",
    ]
    found = await get_person(harness.db, id=world.officer.id)
    assert found is not None and found.language == "en"
    [bad] = await officer.send("/lang fr")
    assert bad.text == "Language not supported: fr. Use /lang vi or /lang en."
    [choose] = await officer.send("/lang")
    pressed = await officer.press(choose, "Tiếng Việt")
    assert [m.text for m in pressed.new] == ["Đã chuyển sang tiếng Việt."]


async def test_unknown_commands_and_buttons_get_a_short_answer(harness: Harness) -> None:
    world = await small_world(harness.db)
    officer = harness.actor(world.officer)
    [unknown] = await officer.send("/nonsense")
    assert unknown.text == "Bot không có lệnh này. Gõ /help để xem những việc bạn có thể làm."
    pressed = await officer.press_data(unknown, "zz:1")
    assert pressed.answer is not None and pressed.answer.text == "Nút này không còn hiệu lực."
    assert pressed.new == []


# --- groups ---


async def test_groups_stay_silent_until_an_admin_links_them(harness: Harness) -> None:
    world = await small_world(harness.db)
    admin, officer = harness.actor(world.admin), harness.actor(world.officer)
    group = harness.tg.group(-100, "Giao ban")
    for text in ("/tasks", "/help", "/start", "/linkgroup", "/task NV-1", "xin chào"):
        assert await officer.send(text, chat=group) == []
    assert await harness.stranger(3001).send("/linkgroup", chat=group) == []
    [linked] = await admin.send("/linkgroup", chat=group)
    assert linked.text == "Đã đăng ký nhóm «Giao ban»: các lệnh số liệu sẽ trả lời trong nhóm này."
    [again] = await admin.send("/linkgroup", chat=group)
    assert again.text == "Nhóm này đã được đăng ký."
    for text in ("/tasks", "/help", "/nonsense"):  # private-chat commands stay silent here
        assert await officer.send(text, chat=group) == []
    [private] = await admin.send("/linkgroup")
    assert private.text == "Hãy thêm bot vào nhóm rồi gửi /linkgroup trong nhóm đó."


async def test_the_menu_follows_a_role_changed_by_import(harness: Harness) -> None:
    world = await small_world(harness.db)
    officer = harness.actor(world.officer)
    await officer.send("/help")
    assert "invite" not in [name for name, _ in harness.tg.commands_for(officer.user)]
    people = harness.settings.database.path.with_name("people.csv")
    people.write_text(
        "ma_can_bo,ho_ten,ma_don_vi,vai_tro,dien_thoai,telegram_id\n"
        f"OFFICER,Nguyễn Chuyên Viên,,admin,,{TG_IDS['officer']}\n",
        encoding="utf-8",
    )
    result = await harness.cli("import", "people", str(people))
    assert result.code == 0, result.out + result.err
    [help_text] = await officer.send("/help")
    assert help_text.text.split("\n")[0] == "Nguyễn Chuyên Viên — Văn phòng (quản trị)"
    assert "invite" in [name for name, _ in harness.tg.commands_for(officer.user)]
