"""Section 1 of the report: the seed's paragraphs filled in, numbers adding up."""

from __future__ import annotations

from datetime import date

from bot.figures import month_period
from bot.models import Figures, Period, PeriodFigures, YearFigures
from bot.report_text import section1_paragraphs

SEED = Figures(
    as_of=date(2020, 3, 31),
    period=month_period(2020, 3),
    period_figures=PeriodFigures(
        assigned=344, due=196, completed=118, on_time=113, late=5, open_in_time=72,
        open_overdue=6, extended=40,
    ),
    year_figures=YearFigures(
        assigned=1132, completed=949, on_time=944, late=5, open=183, open_in_time=177,
        open_overdue=6,
    ),
)  # fmt: skip
WHO = (
    "UBND tỉnh, Chủ tịch, các Phó Chủ tịch UBND tỉnh đã giao các sở, ban, ngành, UBND các"
    " huyện, thành phố"
)  # fmt: skip


def test_the_seeds_paragraphs_in_the_formal_report() -> None:
    assert section1_paragraphs(SEED, formal=True) == [
        f"Từ ngày 01/03/2020 đến hết ngày 31/03/2020, {WHO} tổng số 344 nhiệm vụ. Có 196 nhiệm"
        " vụ giao có thời hạn phải hoàn thành trong tháng 3, đã hoàn thành 118 nhiệm vụ, trong"
        " đó: 113 nhiệm vụ hoàn thành đúng hạn (chiếm 95,8% số nhiệm vụ đã hoàn thành) và 05"
        " nhiệm vụ hoàn thành quá hạn (chiếm 4,2% số nhiệm vụ đã hoàn thành) (chi tiết nhiệm vụ"
        " quá hạn tại phụ lục 1 kèm theo); còn 78 nhiệm vụ chưa hoàn thành, trong đó: 72 nhiệm"
        " vụ còn trong hạn và 06 nhiệm vụ quá hạn. Trong số 196 nhiệm vụ này, có 40 nhiệm vụ đã"
        " được gia hạn.",
        f"Lũy kế từ ngày 01/01/2020 đến hết ngày 31/03/2020, {WHO} tổng số 1.132 nhiệm vụ: đã"
        " hoàn thành 949 nhiệm vụ (đạt 83,8% số nhiệm vụ đã giao), trong đó: 944 nhiệm vụ đúng"
        " hạn (chiếm 99,5% số nhiệm vụ đã hoàn thành), 05 nhiệm vụ quá hạn (chiếm 0,5% số nhiệm"
        " vụ đã hoàn thành); còn 183 nhiệm vụ chưa hoàn thành (chiếm 16,2% số nhiệm vụ đã"
        " giao), trong đó: 177 nhiệm vụ còn thời hạn, 06 nhiệm vụ quá thời hạn (chi tiết nhiệm"
        " vụ quá hạn chưa hoàn thành tại phụ lục 2 kèm theo).",
    ]


def test_outside_the_formal_report_counts_are_plain_and_appendices_can_be_left_out() -> None:
    period, year = section1_paragraphs(SEED, appendix_refs=False)
    assert "và 5 nhiệm vụ hoàn thành quá hạn (chiếm 4,2% số nhiệm vụ đã hoàn thành);" in period
    assert "72 nhiệm vụ còn trong hạn và 6 nhiệm vụ quá hạn." in period
    assert "phụ lục" not in period + year
    assert year.endswith("177 nhiệm vụ còn thời hạn, 6 nhiệm vụ quá thời hạn.")


def test_the_paragraphs_in_english() -> None:
    assert section1_paragraphs(SEED, lang="en") == [
        "From 01/03/2020 to the end of 31/03/2020, the Provincial People's Committee, its"
        " Chairman and Vice-Chairmen assigned a total of 344 tasks to the departments, boards"
        " and agencies and the district and city People's Committees. 196 tasks had a deadline"
        " in March: 118 were completed, of which 113 on time (95.8% of the completed) and 5"
        " late (4.2% of the completed) (the late tasks are listed in appendix 1); 78 are not"
        " completed, of which 72 still in time and 6 overdue. 40 of these 196 tasks have had"
        " their deadline extended.",
        "Year to date, from 01/01/2020 to the end of 31/03/2020, the Provincial People's"
        " Committee, its Chairman and Vice-Chairmen assigned a total of 1,132 tasks to the"
        " departments, boards and agencies and the district and city People's Committees: 949"
        " completed (83.8% of the assigned), of which 944 on time (99.5% of the completed) and"
        " 5 late (0.5% of the completed); 183 not completed (16.2% of the assigned), of which"
        " 177 still in time and 6 overdue (the overdue tasks not completed are listed in"
        " appendix 2).",
    ]


def test_mid_month_the_paragraphs_stop_at_the_as_of_day() -> None:
    figures = Figures(
        as_of=date(2020, 3, 15),
        period=month_period(2020, 3),
        period_figures=PeriodFigures(assigned=3, due=2, open_in_time=2),
        year_figures=YearFigures(assigned=3, open=3, open_in_time=3),
    )
    assert section1_paragraphs(figures) == [
        f"Từ ngày 01/03/2020 đến hết ngày 15/03/2020, {WHO} tổng số 3 nhiệm vụ. Có 2 nhiệm vụ"
        " giao có thời hạn phải hoàn thành trong tháng 3, chưa có nhiệm vụ nào hoàn thành; còn"
        " 2 nhiệm vụ chưa hoàn thành, trong đó: 2 nhiệm vụ còn trong hạn và 0 nhiệm vụ quá hạn.",
        f"Lũy kế từ ngày 01/01/2020 đến hết ngày 15/03/2020, {WHO} tổng số 3 nhiệm vụ: chưa có"
        " nhiệm vụ nào hoàn thành; còn 3 nhiệm vụ chưa hoàn thành (chiếm 100,0% số nhiệm vụ đã"
        " giao), trong đó: 3 nhiệm vụ còn thời hạn, 0 nhiệm vụ quá thời hạn.",
    ]


def test_an_empty_register_says_nothing_was_assigned() -> None:
    figures = Figures(
        as_of=date(2020, 4, 20),
        period=Period(date(2020, 4, 6), date(2020, 4, 20)),
        period_figures=PeriodFigures(),
        year_figures=YearFigures(),
    )
    assert section1_paragraphs(figures) == [
        "Từ ngày 06/04/2020 đến hết ngày 20/04/2020, UBND tỉnh, Chủ tịch, các Phó Chủ tịch UBND"
        " tỉnh chưa giao nhiệm vụ nào cho các sở, ban, ngành, UBND các huyện, thành phố. Không"
        " có nhiệm vụ nào có thời hạn phải hoàn thành trong khoảng thời gian trên.",
        "Lũy kế từ ngày 01/01/2020 đến hết ngày 20/04/2020, UBND tỉnh, Chủ tịch, các Phó Chủ"
        " tịch UBND tỉnh chưa giao nhiệm vụ nào cho các sở, ban, ngành, UBND các huyện, thành"
        " phố.",
    ]


def test_all_completed_leaves_out_the_open_part() -> None:
    figures = Figures(
        as_of=date(2020, 3, 31),
        period=month_period(2020, 3),
        period_figures=PeriodFigures(assigned=2, due=2, completed=2, on_time=2),
        year_figures=YearFigures(assigned=2, completed=2, on_time=2),
    )
    period, year = section1_paragraphs(figures)
    assert period.endswith(
        "đã hoàn thành 2 nhiệm vụ, trong đó: 2 nhiệm vụ hoàn thành đúng hạn (chiếm 100,0% số"
        " nhiệm vụ đã hoàn thành) và 0 nhiệm vụ hoàn thành quá hạn (chiếm 0,0% số nhiệm vụ đã"
        " hoàn thành)."
    )
    assert year.endswith(
        "đã hoàn thành 2 nhiệm vụ (đạt 100,0% số nhiệm vụ đã giao), trong đó: 2 nhiệm vụ đúng"
        " hạn (chiếm 100,0% số nhiệm vụ đã hoàn thành), 0 nhiệm vụ quá hạn (chiếm 0,0% số"
        " nhiệm vụ đã hoàn thành)."
    )


def test_the_formal_report_says_a_zero_part_in_words_never_00() -> None:
    figures = Figures(
        as_of=date(2020, 3, 31),
        period=month_period(2020, 3),
        period_figures=PeriodFigures(
            assigned=7, due=7, completed=3, late=3, open_in_time=0, open_overdue=4
        ),
        year_figures=YearFigures(
            assigned=9, completed=3, late=3, open=6, open_in_time=0, open_overdue=6
        ),
    )
    period, year = section1_paragraphs(figures, formal=True)
    assert period.endswith(
        "đã hoàn thành 03 nhiệm vụ, đều hoàn thành quá hạn (chi tiết nhiệm vụ quá hạn tại phụ"
        " lục 1 kèm theo); còn 04 nhiệm vụ chưa hoàn thành, đều đã quá hạn."
    )
    assert year.endswith(
        "đã hoàn thành 03 nhiệm vụ (đạt 33,3% số nhiệm vụ đã giao), đều quá hạn; còn 06 nhiệm"
        " vụ chưa hoàn thành (chiếm 66,7% số nhiệm vụ đã giao), đều đã quá thời hạn (chi tiết"
        " nhiệm vụ quá hạn chưa hoàn thành tại phụ lục 2 kèm theo)."
    )
    assert "00" not in period + year


def test_the_appendices_are_cited_by_the_numbers_they_have() -> None:
    period, year = section1_paragraphs(SEED, formal=True, appendix_refs={"overdue": 1})
    assert "phụ lục" not in period  # no appendix of the late tasks is attached
    assert year.endswith("(chi tiết nhiệm vụ quá hạn chưa hoàn thành tại phụ lục 1 kèm theo).")
