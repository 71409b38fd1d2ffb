"""Vietnam's working days: weekends, Tết, observed holidays and swapped days."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.workdays import (
    WorkCalendar,
    add_working_days,
    is_working_day,
    vietnam_calendar,
    working_days_between,
)

VN = vietnam_calendar()


def working_days(first: date, last: date) -> list[date]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if VN.is_working_day(d)]


def test_tet_2020_is_off_from_23_to_29_january() -> None:
    assert working_days(date(2020, 1, 20), date(2020, 2, 3)) == [
        date(2020, 1, 20), date(2020, 1, 21), date(2020, 1, 22),
        date(2020, 1, 30), date(2020, 1, 31), date(2020, 2, 3),
    ]  # fmt: skip
    assert VN.holiday_name(date(2020, 1, 25)) == "Tết Nguyên Đán"
    assert VN.holiday_name(date(2020, 1, 23)) == "29 Tết"


def test_tet_2026_is_off_from_16_to_20_february_between_two_weekends() -> None:
    assert working_days(date(2026, 2, 12), date(2026, 2, 24)) == [
        date(2026, 2, 12), date(2026, 2, 13), date(2026, 2, 23), date(2026, 2, 24),
    ]  # fmt: skip
    assert VN.holiday_name(date(2026, 2, 16)) == "Giao thừa Tết Nguyên Đán"


def test_a_holiday_on_a_sunday_is_taken_on_the_monday() -> None:
    # Giỗ Tổ Hùng Vương 2026 falls on Sunday 26 April: Monday 27 April is off instead.
    assert not is_working_day(date(2026, 4, 27))
    assert VN.holiday_name(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert is_working_day(date(2026, 4, 28))


def test_a_swapped_day_off_makes_a_saturday_a_working_day() -> None:
    # 2024: Monday 29 April off, worked on Saturday 4 May instead.
    assert not is_working_day(date(2024, 4, 29))
    assert is_working_day(date(2024, 5, 4))
    assert not is_working_day(date(2024, 5, 5))
    assert working_days_between(date(2024, 4, 26), date(2024, 5, 6)) == 4  # 2, 3, 4 and 6 May


def test_a_swap_across_new_year_is_known_in_both_years() -> None:
    # The day off on Monday 31 December 2018 was worked on Saturday 5 January 2019.
    assert not is_working_day(date(2018, 12, 31))
    assert is_working_day(date(2019, 1, 5))
    assert WorkCalendar().is_working_day(date(2019, 1, 5))  # asked first, with 2018 unloaded


def test_adding_working_days_skips_tet() -> None:
    assert add_working_days(date(2020, 1, 22), 1) == date(2020, 1, 30)
    assert add_working_days(date(2020, 1, 30), -1) == date(2020, 1, 22)
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 14)


def test_working_days_between_counts_from_the_day_after_the_start() -> None:
    wednesday, friday = date(2020, 4, 15), date(2020, 4, 17)
    assert working_days_between(wednesday, friday) == 2
    assert working_days_between(friday, wednesday) == -2
    assert working_days_between(friday, friday) == 0
    # Tết 2020: from Wednesday 22 January to Thursday 30 January there is one working day.
    assert working_days_between(date(2020, 1, 22), date(2020, 1, 30)) == 1
    # 2020: 262 weekdays less 10 holidays on weekdays (1/1, five days of Tết, 2/4, 30/4, 1/5, 2/9).
    assert working_days_between(date(2019, 12, 31), date(2020, 12, 31)) == 252


def test_extra_holidays_and_working_days_can_be_given() -> None:
    calendar = WorkCalendar(
        extra_holidays={date(2020, 4, 14): "Ngày nghỉ của tỉnh"}, extra_workdays=[date(2020, 4, 18)]
    )
    assert not calendar.is_working_day(date(2020, 4, 14))
    assert calendar.holiday_name(date(2020, 4, 14)) == "Ngày nghỉ của tỉnh"
    assert calendar.is_working_day(date(2020, 4, 18))  # a Saturday
    assert calendar.working_days_between(date(2020, 4, 13), date(2020, 4, 20)) == 5


def test_holiday_names_can_be_english() -> None:
    assert WorkCalendar(language="en_US").holiday_name(date(2020, 9, 2)) == "National Day"


days = st.dates(date(2015, 1, 1), date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(a=days, n=st.integers(-400, 400))
def test_adding_then_counting_gives_back_the_number(a: date, n: int) -> None:
    b = add_working_days(a, n)
    assert working_days_between(a, b) == n
    assert n == 0 or is_working_day(b)


@settings(max_examples=200, deadline=None)
@given(a=days, length=st.integers(0, 60))
def test_counting_equals_walking_day_by_day(a: date, length: int) -> None:
    b = a + timedelta(days=length)
    walked = sum(is_working_day(a + timedelta(days=k)) for k in range(1, length + 1))
    assert working_days_between(a, b) == walked
    assert working_days_between(b, a) == -sum(
        is_working_day(a + timedelta(days=k)) for k in range(length)
    )
