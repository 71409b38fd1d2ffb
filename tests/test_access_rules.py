"""Pure rules of the bot: phone numbers, invite codes, the lockout, who may see or report on a
task, and paging."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.access import MenuCommand, may_report, may_view, menu_for
from bot.models import Invite, InviteState, Person, Role, Task, phone_key
from bot.onboarding import (
    code_digest,
    invite_link,
    invite_state,
    is_code_shaped,
    locked_until,
    new_code,
    new_invite,
)
from bot.paging import Row, pager_buttons, pager_data, paginate, parse_pager, text_length

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2020, 4, 15, 9, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "+84912345678",
        "84912345678", "(+84) 912-345-678", "0084 912 345 678", "+84 (0) 912 345 678",
        " 912345678 ",
    ],
)  # fmt: skip
def test_the_ways_people_write_one_mobile_number_have_one_key(typed: str) -> None:
    assert phone_key(typed) == "912345678"


def test_old_eleven_digit_mobile_numbers_match_their_new_numbers() -> None:
    assert phone_key("0168 123 4567") == phone_key("038 123 4567") == "381234567"
    assert phone_key("+84 1234567890") == phone_key("0834567890") == "834567890"
    assert phone_key("0199.123.4567") == "591234567"


def test_landlines_foreign_numbers_and_nothing() -> None:
    assert phone_key("0205 3812 345") == "2053812345"  # Lạng Sơn, 11 digits with the 0
    assert phone_key("+1 202 555 0123") == "+12025550123"
    assert phone_key("+84 912 345 678") != phone_key("+1 912 345 678")
    assert phone_key("") == phone_key("không có") == ""


def test_invite_codes_are_random_base64url_of_128_bits() -> None:
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    for code in codes:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", code)
        assert is_code_shaped(code)
    assert not is_code_shaped("a" * 65)
    assert not is_code_shaped("<b>")
    assert not is_code_shaped("")


def test_only_a_digest_of_the_code_is_kept_and_it_expires_after_the_ttl() -> None:
    invite = new_invite(NOW, 7)
    assert invite.digest == code_digest(invite.code) != invite.code
    assert len(invite.digest) == 64
    assert invite.expires_at == NOW + timedelta(days=7)
    assert invite_link("dondoc_bot", invite.code) == f"https://t.me/dondoc_bot?start={invite.code}"
    assert invite_link("@dondoc_bot", "x") == "https://t.me/dondoc_bot?start=x"
    assert invite_link(None, invite.code) is None


def test_invite_states() -> None:
    invite = Invite(id=1, person_id=1, created_at=NOW, expires_at=NOW + timedelta(days=7))
    assert invite_state(None, NOW) is InviteState.UNKNOWN
    assert invite_state(invite, NOW + timedelta(days=7) - timedelta(seconds=1)) is (
        InviteState.VALID
    )
    assert invite_state(invite, NOW + timedelta(days=7)) is InviteState.EXPIRED
    used = Invite(1, 1, NOW, NOW + timedelta(days=7), used_at=NOW, used_by=5)
    assert invite_state(used, NOW) is InviteState.USED
    revoked = Invite(1, 1, NOW, NOW + timedelta(days=7), revoked_at=NOW)
    assert invite_state(revoked, NOW) is InviteState.REVOKED


def test_five_wrong_codes_within_an_hour_lock_for_an_hour_from_the_fifth() -> None:
    minutes = [NOW + timedelta(minutes=m) for m in (0, 10, 20, 30, 40)]
    unlocked = minutes[4] + timedelta(hours=1)
    assert locked_until(minutes[:4], minutes[3]) is None
    assert locked_until(minutes, minutes[4]) == unlocked
    assert locked_until(minutes, unlocked - timedelta(minutes=1)) == unlocked
    assert locked_until(minutes, unlocked) is None
    spread = [NOW + timedelta(minutes=20 * m) for m in range(5)]  # 80 minutes
    assert locked_until(spread, spread[-1]) is None


def _person(role: Role, unit_id: int | None, pid: int = 1) -> Person:
    return Person(id=pid, code=f"P{pid}", name="", role=role, unit_id=unit_id)


def _task(officer_id: int | None = None) -> Task:
    return Task(id=1, code="NV-1", title="", lead_unit_id=10, assigned_on=date(2020, 1, 1),
                officer_id=officer_id, cooperating_unit_ids=(20,))  # fmt: skip


def test_who_may_see_a_task() -> None:
    task = _task()
    assert may_view(_person(Role.ADMIN, None), task)
    assert may_view(_person(Role.LEADER, None), task)
    assert may_view(_person(Role.OFFICER, 10), task)
    assert may_view(_person(Role.HEAD, 20), task)  # a cooperating unit
    assert not may_view(_person(Role.OFFICER, 30), task)


def test_who_may_report_on_a_task() -> None:
    named, unnamed = _task(officer_id=7), _task()
    assert may_report(_person(Role.OFFICER, 10, pid=7), named)
    assert not may_report(_person(Role.OFFICER, 10, pid=8), named)  # a colleague
    assert may_report(_person(Role.OFFICER, 30, pid=7), named)  # named, wherever they sit
    assert may_report(_person(Role.OFFICER, 10, pid=8), unnamed)
    assert may_report(_person(Role.HEAD, 10), named)
    assert not may_report(_person(Role.OFFICER, 20), unnamed)  # cooperating unit
    assert not may_report(_person(Role.HEAD, 20), unnamed)
    assert not may_report(_person(Role.ADMIN, None), unnamed)
    assert not may_report(_person(Role.LEADER, None), unnamed)


def test_the_menu_of_a_role_keeps_the_declared_order_once() -> None:
    everyone, admins = frozenset(Role), frozenset({Role.ADMIN})
    commands = [MenuCommand("help", everyone), MenuCommand("invite", admins),
                MenuCommand("tasks", everyone), MenuCommand("help", everyone)]  # fmt: skip
    assert [c.name for c in menu_for(commands, Role.OFFICER)] == ["help", "tasks"]
    assert [c.name for c in menu_for(commands, Role.ADMIN)] == ["help", "invite", "tasks"]


def test_pages_respect_the_budget_and_repeat_a_continued_section() -> None:
    rows = [Row("A", f"a{n} " + "x" * 40) for n in range(10)] + [Row("B", "b0")]
    pages = paginate(rows, budget=200, per_page=25, continued=lambda h: f"{h} (tiếp)")
    assert all(text_length(page) <= 200 for page in pages)
    assert pages[0].startswith("A\na0 ")
    assert pages[1].startswith("A (tiếp)\na4 ")
    assert pages[-1].endswith("\n\nB\nb0")
    lines = [line for page in pages for line in page.split("\n") if line[:1] in ("a", "b")]
    assert lines == [row.line for row in rows]
    assert paginate([], budget=200, per_page=5) == []
    assert len(paginate(rows, budget=4000, per_page=4)) == 3


def test_emoji_count_twice_towards_telegrams_limit() -> None:
    assert text_length("🔴 Quá hạn") == 10


def test_pager_data_round_trips_and_malformed_data_is_refused() -> None:
    assert pager_data("tasks", 2) == "pg:tasks:2"
    press = parse_pager("pg:ov:3:SYT")
    assert press is not None and (press.kind, press.page, press.args) == ("ov", 3, ("SYT",))
    for junk in ("pg:tasks", "pg:tasks:-1", "pg:tasks:x", "pg::1", "xx:tasks:1", "pg:t:9999999"):
        assert parse_pager(junk) is None
    assert pager_buttons("tasks", 0, 1) == []
    assert pager_buttons("tasks", 0, 3) == [("▶", "pg:tasks:1")]
    assert pager_buttons("tasks", 2, 3) == [("◀", "pg:tasks:1")]
    with pytest.raises(ValueError):
        pager_data("tasks", 1, "x" * 60)
