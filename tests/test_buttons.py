"""The button data's codecs (bot/buttons.py and the pager's in bot/paging.py): what `make`
writes, `parse` reads back; anything else (stale, forged, cut) parses to None, and no data
is longer than the 64 bytes Telegram takes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.buttons import (
    DONE,
    EXTEND,
    LANGUAGE,
    OVERDUE,
    PAUSE,
    REVIEW,
    REVIEW_ACTIONS,
    TASK,
    UNIT,
    ReviewPress,
    UnitPage,
)
from bot.paging import CALLBACK_LIMIT, PagerPress, pager_data, parse_pager

ids = st.integers(min_value=0, max_value=999_999_999)
codes = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=80)
prefixes = st.sampled_from(
    [
        "",
        "task:",
        "done:",
        "ext:",
        "lang:",
        "rv:",
        "rv:a:",
        "rem:",
        "ov:",
        "ov:p:",
        "ov:u:",
        "unit:",
        "pg:",
        "pg:tasks:",
    ]
)
junk = st.builds(lambda head, tail: head + tail, prefixes, st.text(max_size=80))


def fits(data: str) -> bool:
    return len(data.encode()) <= CALLBACK_LIMIT


MALFORMED = {
    DONE: ["", "done", "done:", "ext:NV-1", "donex:NV-1", "task:NV-1", "done:" + "X" * 60],
    REVIEW: ["rv", "rv:", "rv:a", "rv:a:", "rv:z:1", "rv:a:1:2", "rv:a:-1", "rv:a:1x", "rv:a:²",
             "rv:a:1234567890", "rx:a:1", "done:a:1"],
    PAUSE: ["rem", "rem:", "rem:stop", "rem:pause:1", "rem:Pause", "x:pause"],
    OVERDUE: ["ov", "ov:", "ov:p", "ov:p:", "ov:p:x", "ov:p:1:2", "ov:u:1", "ov:u:1:",
              "ov:u:1:2:3", "ov:q:1", "ov:u:-1:0", "ov:p:³", "ov:p:1234567890", "unit:1:0"],
    UNIT: ["unit", "unit:", "unit:1", "unit:1:", "unit::0", "unit:1:2:3", "unit:a:0",
           "unit:1:-1", "units:1:0", "ov:u:1:0"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("codec", "data"), [(codec, data) for codec, cases in MALFORMED.items() for data in cases]
)
def test_stale_forged_or_cut_data_parses_to_none(codec: Any, data: str) -> None:
    assert codec.parse(data) is None


@given(codes)
def test_a_task_code_comes_back_as_it_went_or_no_button_is_made(code: str) -> None:
    for codec in (TASK, DONE, EXTEND):
        data = codec.make(code)
        if data is None:
            assert not fits(f"{codec.prefix}:{code}")
        else:
            assert fits(data)
            assert codec.parse(data) == code


def test_a_task_code_of_the_register_reads_back() -> None:
    assert DONE.make("NV-2020-0345") == "done:NV-2020-0345"
    assert EXTEND.parse("ext:NV-2020-0345") == "NV-2020-0345"
    assert TASK.parse("task:VB:12") == "VB:12"  # a code may hold a colon


def test_a_code_too_long_for_telegram_makes_no_button() -> None:
    assert DONE.make("X" * 59) == "done:" + "X" * 59  # 64 bytes
    assert DONE.make("X" * 60) is None
    assert DONE.make("Đ" * 30) is None  # 5 + 60 bytes: Vietnamese letters take two


@given(st.sampled_from(REVIEW_ACTIONS), ids)
def test_a_review_press_comes_back(action: str, item_id: int) -> None:
    data = REVIEW.make(action, item_id)
    assert fits(data)
    assert REVIEW.parse(data) == ReviewPress(action, item_id)


def test_no_review_button_is_made_for_an_unknown_action() -> None:
    with pytest.raises(ValueError):
        REVIEW.make("z", 1)


@given(st.booleans())
def test_a_pause_press_comes_back(pause: bool) -> None:
    data = PAUSE.make(pause)
    assert PAUSE.parse(data) == ("pause" if pause else "resume")


@given(st.one_of(st.none(), ids), ids)
def test_an_overdue_press_comes_back(unit_id: int | None, page: int) -> None:
    data = OVERDUE.make(unit_id, page)
    assert fits(data)
    assert OVERDUE.parse(data) == UnitPage(unit_id, page)


@given(ids, ids)
def test_a_unit_press_comes_back(unit_id: int, page: int) -> None:
    data = UNIT.make(unit_id, page)
    assert fits(data)
    assert UNIT.parse(data) == UnitPage(unit_id, page)


def test_a_language_press_gives_what_follows_for_the_handler_to_check() -> None:
    assert LANGUAGE.parse(LANGUAGE.make("vi")) == "vi"
    assert LANGUAGE.parse("lang:xx") == "xx"  # the handler answers "unknown language"
    assert LANGUAGE.parse("lan:vi") is None
    assert LANGUAGE.parse("lang") is None


@given(st.sampled_from(["tasks", "history"]), st.integers(0, 999_999),
       st.lists(st.text(st.characters(codec="utf-8", exclude_characters=":"), min_size=1,
                        max_size=20),
                max_size=2))  # fmt: skip
def test_a_pager_press_comes_back_or_is_refused_when_too_long(
    kind: str, page: int, args: list[str]
) -> None:
    try:
        data = pager_data(kind, page, *args)
    except ValueError:
        assert not fits(":".join(["pg", kind, str(page), *args]))
        return
    assert fits(data)
    assert parse_pager(data) == PagerPress(kind, page, tuple(args))


@pytest.mark.parametrize("data", ["pg", "pg:", "pg:tasks", "pg:tasks:", "pg::1", "pg:tasks:x",
                                  "pg:tasks:1234567", "xx:tasks:1"])  # fmt: skip
def test_malformed_pager_data_parses_to_none(data: str) -> None:
    assert parse_pager(data) is None


@given(junk)
def test_no_codec_breaks_on_any_text(data: str) -> None:
    for codec in (TASK, DONE, EXTEND, LANGUAGE, REVIEW, PAUSE, OVERDUE, UNIT):
        # None, or a press read from data of this codec's prefix; never an exception
        assert codec.parse(data) is None or data.startswith(f"{codec.prefix}:")
    assert parse_pager(data) is None or data.startswith("pg:")


def test_every_review_action_the_codec_reads_is_one_the_handler_decides() -> None:
    from bot.workflow_views import EXTENSION_BUTTONS, REPORT_BUTTONS
    from handlers.workflow import ACTIONS, BUTTONS

    made = {action for _, action in (*REPORT_BUTTONS, *EXTENSION_BUTTONS)}
    assert made == set(ACTIONS) == set(BUTTONS) == set(REVIEW_ACTIONS)
