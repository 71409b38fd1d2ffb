"""The monthly report as an Excel workbook: the same figures as the Word document, one
sheet each for the figures, the units, the assigning leaders and the three appendices."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from bot.models import Appendix, MonthlyReport
from bot.report_xlsx import build_xlsx
from tests.report_register import LATE, OVERDUE, WAITING, seed_report

ROWS = 4  # a short limit for the appendix sheets, to test the cut


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> MonthlyReport:
    """Loaded once for the module (a fresh register file): the tests only read it."""
    return asyncio.run(seed_report(tmp_path_factory.mktemp("seed") / "dondoc.sqlite3"))


@pytest.fixture
def book(report: MonthlyReport) -> Workbook:
    return load_workbook(io.BytesIO(build_xlsx(report)))


def values(sheet: object, first_row: int) -> list[list[object]]:
    """The cells' values from `first_row` on; Excel's dates (read as datetimes) as dates."""
    rows = sheet.iter_rows(min_row=first_row, values_only=True)  # type: ignore[attr-defined]
    return [[v.date() if isinstance(v, datetime) else v for v in row] for row in rows]


async def test_sheets_have_headers_widths_and_frozen_rows(book: Workbook) -> None:
    assert book.sheetnames == [
        "Tổng hợp", "Theo đơn vị", "Theo người giao", "Phụ lục 1", "Phụ lục 2", "Phụ lục 3",
    ]  # fmt: skip
    frozen = {sheet.title: sheet.freeze_panes for sheet in book.worksheets}
    assert frozen == {
        "Tổng hợp": "A3", "Theo đơn vị": "A3", "Theo người giao": "A3",
        "Phụ lục 1": "A3", "Phụ lục 2": "A3", "Phụ lục 3": "A3",
    }  # fmt: skip
    units = book["Theo đơn vị"]
    assert units["C2"].value == "Đơn vị chủ trì" and units["C2"].font.bold
    assert round(units.column_dimensions["C"].width) == 41  # 40 characters and the padding


async def test_figures_sheet_has_the_counts_and_their_shares(book: Workbook) -> None:
    assert book["Tổng hợp"]["A1"].value == (
        "Tiến độ thực hiện nhiệm vụ: kỳ báo cáo từ 01/03/2020 đến 31/03/2020,"
        " số liệu đến hết ngày 31/03/2020"
    )
    due, completed, assigned, open_ = (
        "số nhiệm vụ đến hạn trong kỳ", "số nhiệm vụ đã hoàn thành", "số nhiệm vụ đã giao",
        "số nhiệm vụ chưa hoàn thành",
    )  # fmt: skip
    assert values(book["Tổng hợp"], 3) == [
        ["Trong kỳ: nhiệm vụ đã giao", 344, None, None],
        ["Trong kỳ: nhiệm vụ có thời hạn hoàn thành trong kỳ", 196, None, None],
        ["— đã hoàn thành", 118, 0.602, due],
        ["— — hoàn thành đúng hạn", 113, 0.958, completed],
        ["— — hoàn thành quá hạn (phụ lục 1)", 5, 0.042, completed],  # as the .docx cites
        ["— chưa hoàn thành, còn trong hạn", 72, 0.367, due],
        ["— chưa hoàn thành, quá hạn", 6, 0.031, due],
        ["— đã được gia hạn", 72, 0.367, due],
        ["Lũy kế từ đầu năm: nhiệm vụ đã giao", 1132, None, None],
        ["— đã hoàn thành", 949, 0.838, assigned],
        ["— — hoàn thành đúng hạn", 944, 0.995, completed],
        ["— — hoàn thành quá hạn", 5, 0.005, completed],
        ["— chưa hoàn thành", 183, 0.162, assigned],
        ["— — còn thời hạn", 177, 0.967, open_],
        ["— — quá thời hạn (phụ lục 2)", 6, 0.033, open_],
    ]
    assert book["Tổng hợp"]["C5"].number_format == "0.0%"


async def test_units_and_leaders_sheets_match_the_figures(book: Workbook) -> None:
    assert values(book["Theo đơn vị"], 3) == [
        [1, "SNV", "Sở Nội vụ", 378, 317, 315, 2, 59, 2, 0.839],
        [2, "SYT", "Sở Y tế", 377, 316, 314, 2, 59, 2, 0.838],
        [3, "UBCL", "UBND huyện Cao Lộc", 377, 316, 315, 1, 59, 2, 0.838],
        [None, None, "Tổng cộng", 1132, 949, 944, 5, 177, 6, 0.838],
    ]
    assert values(book["Theo người giao"], 3) == [
        [1, "CT", "Hồ Tiến Thiệu", 377, 316, 314, 2, 59, 2, 0.838],
        [2, "UBND tỉnh", "UBND tỉnh", 755, 633, 630, 3, 118, 4, 0.838],
        [None, None, "Tổng cộng", 1132, 949, 944, 5, 177, 6, 0.838],
    ]


async def test_appendix_sheets_list_exactly_their_tasks(book: Workbook) -> None:
    late, overdue, waiting = (values(book[f"Phụ lục {n}"], 3) for n in (1, 2, 3))
    assert [row[1] for row in late] == list(reversed(LATE))
    assert [row[1] for row in overdue] == OVERDUE
    assert [row[1] for row in waiting] == WAITING
    first = late[0]
    assert first[:9] == [
        1, "NV-2020-L5", "118/UBND-KT", date(2020, 2, 9),
        "Nhiệm vụ NV-2020-L5 về triển khai kế hoạch", "Sở Nội vụ",
        date(2020, 2, 10), date(2020, 3, 10), date(2020, 3, 10),
    ]  # fmt: skip
    assert first[9:] == [date(2020, 3, 16), 6, None]
    assert book["Phụ lục 1"]["J3"].number_format == "DD/MM/YYYY"
    assert [row[9:] for row in waiting] == [
        [26, None, "Chờ duyệt"],
        [25, "Nguyễn Văn An", "Đã trả lại"],
    ]
    assert overdue[0][8] == date(2020, 3, 5)  # the deadline of the most overdue


async def test_a_long_appendix_is_cut_and_says_how_many_there_are(report: MonthlyReport) -> None:
    many = [replace(report.overdue.tasks[0], code=f"NV-X-{i:04d}") for i in range(ROWS + 3)]
    long = replace(report, overdue=Appendix(many, 12345))
    book = load_workbook(io.BytesIO(build_xlsx(long, appendix_rows=ROWS)))
    rows = values(book["Phụ lục 2"], 3)
    assert len(rows) == ROWS + 1
    assert rows[-1][:2] == [
        None,
        f"Danh sách trên gồm {ROWS} trong tổng số 12.345 nhiệm vụ, quá hạn lâu nhất trước.",
    ]


# --- as the Office prints it (issue 14) ------------------------------------------------------


async def test_every_sheet_prints_a4_landscape_one_page_wide_with_its_header(
    book: Workbook,
) -> None:
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # One page wide (1 is the format's default, left out of the file), any number tall.
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$2:$2"  # the header row on every page
        assert sheet.page_margins.left == sheet.page_margins.right == 0.4
        assert sheet.print_options.horizontalCentered
        assert sheet.oddFooter.center.text == "Trang &P/&N"  # «Trang 2/12»


async def test_title_rows_give_the_period(book: Workbook) -> None:
    assert book["Theo đơn vị"]["A1"].value == (
        "Tiến độ thực hiện nhiệm vụ theo đơn vị chủ trì, lũy kế từ ngày 01/01/2020 đến hết"
        " ngày 31/03/2020"
    )
    assert book["Theo người giao"]["A1"].value == (
        "Tiến độ thực hiện nhiệm vụ theo người giao, lũy kế từ ngày 01/01/2020 đến hết ngày"
        " 31/03/2020"
    )
    assert "A1:J1" in {str(r) for r in book["Theo đơn vị"].merged_cells.ranges}


async def test_tables_are_bordered_wrapped_and_counts_have_the_separator(
    book: Workbook,
) -> None:
    units, appendix = book["Theo đơn vị"], book["Phụ lục 2"]
    total = units["D6"]
    assert total.value == 1132 and total.number_format == "#,##0" and total.font.bold
    assert book["Tổng hợp"]["B11"].number_format == "#,##0"  # 1.132 assigned this year
    for cell in (units["C2"], units["C3"], units["A6"], appendix["E3"], appendix["K3"]):
        assert cell.border.left.style == cell.border.bottom.style == "thin", cell.coordinate
    assert appendix["E3"].alignment.wrap_text and appendix["F3"].alignment.wrap_text
    # The header row is tall enough for «Chưa hoàn thành, trong hạn» in 14 characters.
    assert units.row_dimensions[2].height >= 3 * 15


async def test_only_the_attached_appendices_have_a_sheet_numbered_as_in_the_docx(
    report: MonthlyReport,
) -> None:
    without_late = replace(report, late=Appendix())
    book = load_workbook(io.BytesIO(build_xlsx(without_late)))
    assert book.sheetnames[3:] == ["Phụ lục 1", "Phụ lục 2"]
    assert book["Phụ lục 1"]["A1"].value == "DANH SÁCH NHIỆM VỤ QUÁ HẠN CHƯA HOÀN THÀNH"
    labels = [row[0] for row in values(book["Tổng hợp"], 3)]
    assert "— — hoàn thành quá hạn" in labels  # no appendix of the late to cite
    assert "— — quá thời hạn (phụ lục 1)" in labels


async def test_a_long_title_or_unit_name_is_wrapped_in_a_row_tall_enough(
    report: MonthlyReport,
) -> None:
    title = "Rà soát, đề xuất giải pháp tháo gỡ khó khăn, vướng mắc " * 4  # 220 characters
    unit = "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn và các khu công nghiệp"
    long = replace(report.overdue.tasks[0], title=title.strip(), lead_unit=unit)
    tasks = [long, report.overdue.tasks[1]]
    book = load_workbook(io.BytesIO(build_xlsx(replace(report, overdue=Appendix(tasks, 2)))))
    sheet = book["Phụ lục 2"]
    assert sheet["E3"].value == title.strip() and sheet["E3"].alignment.wrap_text
    lines = len(title) / sheet.column_dimensions["E"].width  # at least so many lines
    assert sheet.row_dimensions[3].height >= lines * 15
    assert sheet.row_dimensions[4].height is None  # a short row keeps the default height
