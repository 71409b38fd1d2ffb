"""Plain questions become commands by keywords, without diacritics mattering."""

from __future__ import annotations

from datetime import date

import pytest

from bot.questions import Question, interpret

TODAY = date(2020, 4, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bao nhiêu nhiệm vụ quá hạn?", Question("overdue")),
        ("BAO NHIEU NHIEM VU QUA HAN", Question("overdue")),
        ("Sở Y tế thế nào", Question("unit", ("so y te",))),
        ("so y te the nao?", Question("unit", ("so y te",))),
        ("Tình hình UBND huyện Cao Lộc ra sao", Question("unit", ("ubnd huyen cao loc",))),
        (
            "Sở Tài nguyên và Môi trường có bao nhiêu nhiệm vụ quá hạn",
            Question("unit", ("so tai nguyen va moi truong",)),
        ),
        ("đơn vị SYT ra sao", Question("unit", ("syt",))),
        ("y tế thế nào", Question("unit", ("y te",))),
        ("tổng số tháng 3", Question("stats", ("03/2020",))),
        ("thống kê tháng 3/2019", Question("stats", ("03/2019",))),
        ("số liệu tháng 12", Question("stats", ("12/2019",))),  # December is still to come
        ("tiến độ tháng này", Question("stats", ("04/2020",))),
        ("số liệu tháng trước", Question("stats", ("03/2020",))),
        ("tổng số nhiệm vụ", Question("stats")),
        ("nhiệm vụ tôi giao", Question("mine")),
        ("biểu đồ tháng 2", Question("chart", ("02/2020",))),
        ("báo cáo tháng 3", Question("report", ("03/2020",))),
        ("xin chào", Question("help")),
        ("bạn ơi", Question("help")),
        ("", Question("help")),
        ("???", Question("help")),
    ],
)
def test_question_to_command(text: str, expected: Question) -> None:
    assert interpret(text, today=TODAY) == expected


def test_month_thirteen_is_not_a_month() -> None:
    assert interpret("tổng số tháng 13", today=TODAY) == Question("stats")


def test_january_question_for_last_december() -> None:
    assert interpret("tổng số tháng 12", today=date(2021, 1, 5)) == Question("stats", ("12/2020",))
