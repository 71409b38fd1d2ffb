"""Numbers, percentages and dates the Vietnamese way, and dates typed by users."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import format_percent as babel_percent
from hypothesis import given
from hypothesis import strategies as st

from bot.formats import (
    ECHO_CHARS,
    DateInputError,
    cut,
    echo,
    format_date,
    format_int,
    format_number,
    format_percent,
    format_value,
    parse_user_date,
    percent,
    shares,
    two_digits,
)
from bot.paging import text_length
from bot.workdays import WorkCalendar

TODAY = date(2020, 4, 10)  # a Friday


def test_numbers_group_thousands_with_a_dot_in_vietnamese() -> None:
    assert format_int(1132) == "1.132"
    assert format_int(1234567) == "1.234.567"
    assert format_int(5) == "5"
    assert format_int(1132, "en") == "1,132"


def test_amounts_of_a_setting_have_a_decimal_comma_in_vietnamese() -> None:
    assert format_number(0.3) == "0,3"
    assert format_number(30.0) == "30"
    assert format_number(1024.5) == "1.024,5"
    assert format_number(0.3, "en") == "0.3"
    assert format_number(1024.5, "en") == "1,024.5"


def test_percentages_have_one_decimal_with_a_comma_in_vietnamese() -> None:
    assert format_percent(Decimal("95.8")) == "95,8%"
    assert format_percent(Decimal("100")) == "100,0%"
    assert format_percent(Decimal("0")) == "0,0%"
    assert format_percent(Decimal("95.8"), "en") == "95.8%"
    assert format_percent(Decimal("95.65")) == "95,7%"  # half up


@given(st.decimals(min_value=-2000, max_value=200000, places=2), st.sampled_from(["vi", "en"]))
def test_percentages_are_written_as_babel_writes_them(value: Decimal, lang: str) -> None:
    tenths = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    babel = babel_percent(tenths / 100, format="#,##0.0%", locale=lang)
    assert format_percent(value, lang) == babel


def test_dates_are_day_month_year_in_both_languages() -> None:
    assert format_date(date(2020, 3, 1)) == "01/03/2020"
    assert format_date(date(2020, 12, 31)) == "31/12/2020"


def test_a_value_in_a_message_is_written_by_its_kind() -> None:
    assert [format_value(v) for v in (1132, 0.5, date(2020, 3, 1), "5.000", True)] == [
        "1.132", "0,5", "01/03/2020", "5.000", True,
    ]  # fmt: skip
    assert format_value(1132, "en") == "1,132"


def test_the_formal_report_writes_counts_under_ten_with_two_digits() -> None:
    assert [two_digits(n) for n in (0, 5, 9, 10, 118, 1132)] == [
        "00", "05", "09", "10", "118", "1.132",
    ]  # fmt: skip


def test_the_seeds_113_of_118_are_95_8_and_4_2_percent() -> None:
    assert shares([113, 5]) == [Decimal("95.8"), Decimal("4.2")]
    assert shares([944, 5]) == [Decimal("99.5"), Decimal("0.5")]
    assert shares([949, 183]) == [Decimal("83.8"), Decimal("16.2")]
    assert percent(113, 118) == Decimal("95.8")


def test_shares_give_the_rounding_tenth_to_the_largest_remainder() -> None:
    assert shares([1, 1, 1]) == [Decimal("33.4"), Decimal("33.3"), Decimal("33.3")]
    assert shares([1, 2]) == [Decimal("33.3"), Decimal("66.7")]
    assert shares([0, 0]) == [Decimal("0.0"), Decimal("0.0")]
    assert shares([7]) == [Decimal("100.0")]
    assert shares([]) == []


def test_percent_rounds_half_up_and_is_zero_of_nothing() -> None:
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 16) == Decimal("6.3")  # 6,25 rounds up
    assert percent(5, 0) == Decimal("0.0")
    assert str(percent(1, 3)) == "33.3"


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_shares_always_add_up_to_exactly_100(parts: list[int]) -> None:
    result = shares(parts)
    assert sum(result) == (Decimal("100.0") if sum(parts) else Decimal("0.0"))
    assert all(r == r.quantize(Decimal("0.1")) for r in result)
    # Each share is its exact value rounded down or up to a tenth.
    for part, share in zip(parts, result, strict=True):
        if sum(parts):
            exact = Decimal(part * 100) / Decimal(sum(parts))
            assert abs(share - exact) < Decimal("0.1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15/4", date(2020, 4, 15)), ("5/4", date(2020, 4, 5)), ("15/04/2020", date(2020, 4, 15)),
     ("5/4/2021", date(2021, 4, 5)), ("2020-04-15", date(2020, 4, 15)),
     ("  15/04/2020 ", date(2020, 4, 15)), ("+7", date(2020, 4, 17)), ("+ 7", date(2020, 4, 17)),
     ("+0", TODAY), ("+1n", date(2020, 4, 13)), ("+5n", date(2020, 4, 17)),
     ("+5N", date(2020, 4, 17))],
)  # fmt: skip
def test_users_may_type_a_date_in_several_ways(text: str, expected: date) -> None:
    assert parse_user_date(text, today=TODAY, calendar=WorkCalendar()) == expected


def test_working_days_from_today_skip_holidays() -> None:
    # From Wednesday 22 January 2020, one working day later is after Tết: 30 January.
    assert parse_user_date("+1n", today=date(2020, 1, 22), calendar=WorkCalendar()) == date(
        2020, 1, 30
    )
    provincial = WorkCalendar(extra_holidays={date(2020, 4, 13): "Nghỉ"})
    assert parse_user_date("+1n", today=TODAY, calendar=provincial) == date(2020, 4, 14)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("31/02", "no_such_day"), ("31/4/2020", "no_such_day"), ("2020-13-01", "no_such_day"),
     ("0/4", "no_such_day"), ("abc", "bad_format"), ("", "bad_format"), ("15/4/20", "bad_format"),
     ("15.04.2020", "bad_format"), ("-3", "bad_format"), ("+7 ngày", "bad_format"),
     ("15/04/1800", "out_of_range"), ("+99999", "out_of_range")],
)  # fmt: skip
def test_a_date_not_understood_says_why(text: str, reason: str) -> None:
    with pytest.raises(DateInputError) as caught:
        parse_user_date(text, today=TODAY, calendar=WorkCalendar())
    assert caught.value.reason == reason
    assert caught.value.text == text


def test_the_calendar_defaults_to_vietnams() -> None:
    assert parse_user_date("+1n", today=date(2020, 1, 22)) == date(2020, 1, 30)


# --- what users typed, repeated (issue 14) ---------------------------------------------------


def test_an_echo_is_one_line_cut_to_sixty_characters() -> None:
    assert echo("NV-2020-0345") == "NV-2020-0345"
    assert echo("  NV-1 \n\u202e x ") == "NV-1 \u202e x"
    long = echo("<b>" * 2000)
    assert len(long) == ECHO_CHARS and long.endswith("…")


def test_a_cut_counts_as_telegram_does_and_never_splits_an_emoji() -> None:
    assert cut("😀" * 10, 20) == "😀" * 10  # 20 units: Telegram's count
    assert cut("😀" * 10, 19) == "😀" * 9 + "…"
    assert cut("😀" * 10, 10) == "😀" * 4 + "…"  # 9 units hold 4 emoji and not half a 5th
    assert text_length(cut("a😀" * 3000, 1600)) <= 1600
    assert cut("dòng 1\ndòng 2", 100) == "dòng 1\ndòng 2"  # lines kept
