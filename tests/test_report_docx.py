"""The monthly report as a Word document: the seed's layout, its sentences with the
register's figures, and appendices listing exactly the right tasks."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Length, Pt

from bot.config import Settings
from bot.models import Appendix, MonthlyReport, PeriodFigures, ProcessFigures, YearFigures
from bot.report_docx import build_docx
from tests.report_register import LATE, OVERDUE, WAITING, seed_report

SETTINGS = Settings(
    organization={
        "name": "UBND tỉnh Lạng Sơn",
        "office": "Văn phòng UBND tỉnh",
        "place": "Lạng Sơn",
    },  # type: ignore[arg-type]
    report={"signer_name": "Phạm Hùng Trường"},  # type: ignore[arg-type]
)
MADE_ON = date(2020, 4, 3)
BLANK_NUMBER = "\u00a0" * 8
ROWS = 4  # a short limit for the appendix tables, to test the cut


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> MonthlyReport:
    """Loaded once for the module (a fresh register file): the tests only read it."""
    return asyncio.run(seed_report(tmp_path_factory.mktemp("seed") / "dondoc.sqlite3"))


def read(report: MonthlyReport, settings: Settings = SETTINGS, rows: int = 500) -> DocxDocument:
    return Document(io.BytesIO(build_docx(report, settings, today=MADE_ON, appendix_rows=rows)))


def cells(table: object) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]  # type: ignore[attr-defined]


def mm(*lengths: Length | None) -> list[int | None]:
    return [None if length is None else round(length.mm) for length in lengths]


def body_text(document: DocxDocument) -> str:
    return "\n".join(p.text for p in document.paragraphs)


async def test_page_and_font_follow_decree_30(report: MonthlyReport) -> None:
    document = read(report)
    first, appendices = document.sections
    assert mm(first.page_width, first.page_height) == [210, 297]
    assert mm(first.top_margin, first.bottom_margin, first.left_margin, first.right_margin) == [
        20, 20, 30, 15,
    ]  # fmt: skip
    assert mm(appendices.page_width, appendices.page_height) == [297, 210]  # landscape
    normal = document.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(14))


async def test_header_title_and_signature_as_in_the_seed(report: MonthlyReport) -> None:
    document = read(report)
    header = cells(document.tables[0])[0]
    # The number is left blank too, with room to write it by hand before "/BC-VP".
    assert header[0].split("\n") == [
        "UBND TỈNH LẠNG SƠN", "VĂN PHÒNG UBND TỈNH", "", f"Số: {BLANK_NUMBER}/BC-VP",
    ]  # fmt: skip
    assert header[1].split("\n")[:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    # The day is left blank, to be written at signing; the month is the one it was made in.
    assert (
        header[1].split("\n")[3]
        == "Lạng Sơn, ngày \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0 tháng 4 năm 2020"
    )
    texts = [p.text for p in document.paragraphs]
    assert texts[1:3] == [
        "BÁO CÁO",
        "Kết quả rà soát, tổng hợp tiến độ thực hiện các nhiệm vụ đã giao đến hết ngày 31/03/2020",
    ]
    signature = cells(document.tables[2])[0]
    assert signature[0].split("\n") == [
        "Nơi nhận:",
        "- Chủ tịch, các Phó Chủ tịch UBND tỉnh (b/c);",
        "- Các sở, ban, ngành;",
        "- UBND các huyện, thành phố;",
        "- Lưu: VT, TH.",
    ]
    assert [line for line in signature[1].split("\n") if line] == [
        "CHÁNH VĂN PHÒNG",
        "Phạm Hùng Trường",
    ]


async def test_section_1_says_the_figures_in_the_seed_sentences(report: MonthlyReport) -> None:
    paragraphs = read(report).paragraphs
    texts = [p.text for p in paragraphs]
    start = texts.index("1. Tiến độ thực hiện nhiệm vụ")
    assert texts[start + 1 : start + 3] == [
        "Từ ngày 01/03/2020 đến hết ngày 31/03/2020, UBND tỉnh, Chủ tịch, các Phó Chủ tịch UBND"
        " tỉnh đã giao các sở, ban, ngành, UBND các huyện, thành phố tổng số 344 nhiệm vụ. Có 196"
        " nhiệm vụ giao có thời hạn phải hoàn thành trong tháng 3, đã hoàn thành 118 nhiệm vụ,"
        " trong đó: 113 nhiệm vụ hoàn thành đúng hạn (chiếm 95,8% số nhiệm vụ đã hoàn thành) và"
        " 05 nhiệm vụ hoàn thành quá hạn (chiếm 4,2% số nhiệm vụ đã hoàn thành) (chi tiết nhiệm vụ"
        " quá hạn tại phụ lục 1 kèm theo); còn 78 nhiệm vụ chưa hoàn thành, trong đó: 72 nhiệm vụ"
        " còn trong hạn và 06 nhiệm vụ quá hạn. Trong số 196 nhiệm vụ này, có 72 nhiệm vụ đã được"
        " gia hạn.",
        "Lũy kế từ ngày 01/01/2020 đến hết ngày 31/03/2020, UBND tỉnh, Chủ tịch, các Phó Chủ tịch"
        " UBND tỉnh đã giao các sở, ban, ngành, UBND các huyện, thành phố tổng số 1.132 nhiệm vụ:"
        " đã hoàn thành 949 nhiệm vụ (đạt 83,8% số nhiệm vụ đã giao), trong đó: 944 nhiệm vụ đúng"
        " hạn (chiếm 99,5% số nhiệm vụ đã hoàn thành), 05 nhiệm vụ quá hạn (chiếm 0,5% số nhiệm vụ"
        " đã hoàn thành); còn 183 nhiệm vụ chưa hoàn thành (chiếm 16,2% số nhiệm vụ đã giao),"
        " trong đó: 177 nhiệm vụ còn thời hạn, 06 nhiệm vụ quá thời hạn (chi tiết nhiệm vụ quá hạn"
        " chưa hoàn thành tại phụ lục 2 kèm theo).",
    ]
    # As in the seed, the references to the appendices are in italics.
    italic = [run.text for p in paragraphs[start + 1 : start + 3] for run in p.runs if run.italic]
    assert italic == [
        "(chi tiết nhiệm vụ quá hạn tại phụ lục 1 kèm theo)",
        "(chi tiết nhiệm vụ quá hạn chưa hoàn thành tại phụ lục 2 kèm theo)",
    ]


async def test_the_unit_table_has_a_row_per_unit_and_the_total(report: MonthlyReport) -> None:
    rows = cells(read(report).tables[1])
    assert rows[0] == [
        "STT", "Đơn vị chủ trì", "Đã giao", "Đã hoàn thành", "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn", "Chưa hoàn thành, trong hạn", "Chưa hoàn thành, quá hạn",
    ]  # fmt: skip
    assert rows[1:] == [
        ["1", "Sở Nội vụ", "378", "317", "315", "2", "59", "2"],
        ["2", "Sở Y tế", "377", "316", "314", "2", "59", "2"],
        ["3", "UBND huyện Cao Lộc", "377", "316", "315", "1", "59", "2"],
        ["", "Tổng cộng", "1.132", "949", "944", "5", "177", "6"],
    ]


async def test_section_2_counts_what_the_workflow_recorded(report: MonthlyReport) -> None:
    text = body_text(read(report))
    assert (
        "Từ ngày 01/03/2020 đến hết ngày 31/03/2020, Văn phòng đã trả lại 01 báo cáo hoàn thành"
        " nhiệm vụ do nội dung chưa đúng yêu cầu nhiệm vụ (yêu cầu phúc đáp lại); không chấp"
        " thuận 01 đề nghị gia hạn, không có đề nghị gia hạn nào được chấp thuận." in text
    )
    assert (
        "Đến hết ngày 31/03/2020, có 02 nhiệm vụ quá hạn mà đơn vị đã báo cáo hoàn thành nhưng"
        " chưa được phê duyệt, trong đó 01 báo cáo đang chờ Văn phòng xem xét và 01 báo cáo đã bị"
        " trả lại" in text
    )
    assert text.count("./.") == 1


async def test_each_appendix_lists_exactly_its_tasks(report: MonthlyReport) -> None:
    document = read(report)
    appendix1, appendix2, appendix3 = (cells(table) for table in document.tables[3:6])
    assert [row[1] for row in appendix1[1:]] == list(reversed(LATE))  # the latest first
    assert [row[1] for row in appendix2[1:]] == OVERDUE  # the most overdue first
    assert [row[1] for row in appendix3[1:]] == WAITING
    assert appendix1[1] == [
        "1", "NV-2020-L5", "118/UBND-KT\n09/02/2020", "Nhiệm vụ NV-2020-L5 về triển khai kế hoạch",
        "Sở Nội vụ", "10/03/2020", "16/03/2020", "6",
    ]  # fmt: skip
    assert appendix2[1][6:] == ["26", ""]  # O1: deadline 05/03, 26 days overdue on 31/03
    assert [row[7] for row in appendix3[1:]] == ["Chờ duyệt", "Đã trả lại"]
    titles = [p.text for p in document.paragraphs if p.text.startswith("Phụ lục")]
    assert titles == ["Phụ lục 1", "Phụ lục 2", "Phụ lục 3"]


async def test_unknown_process_figures_are_said_to_be_unknown(report: MonthlyReport) -> None:
    unknown = MonthlyReport(figures=report.figures, process=ProcessFigures())
    document = read(unknown)
    text = body_text(document)
    assert (
        "Văn phòng đã trả lại (chưa có số liệu) báo cáo hoàn thành nhiệm vụ do nội dung chưa"
        " đúng yêu cầu nhiệm vụ (yêu cầu phúc đáp lại); chấp thuận (chưa có số liệu) đề nghị gia"
        " hạn và không chấp thuận (chưa có số liệu) đề nghị gia hạn." in text
    )


async def test_a_long_appendix_is_cut_and_says_how_many_there_are(report: MonthlyReport) -> None:
    many = [replace(report.overdue.tasks[0], code=f"NV-X-{i:04d}") for i in range(ROWS + 5)]
    long = replace(report, overdue=Appendix(many, 1234))
    document = read(long, rows=ROWS)
    rows = cells(document.tables[4])[1:]
    assert len(rows) == ROWS
    assert [row[1] for row in rows[:2]] == ["NV-X-0000", "NV-X-0001"]
    assert (
        f"Danh sách trên gồm {ROWS} trong tổng số 1.234 nhiệm vụ, quá hạn lâu nhất trước."
        in body_text(document)
    )


# --- as the Office signs it (issue 14) -------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NOW = datetime(2020, 4, 3, 8, 30, tzinfo=UTC)
PORTRAIT_TEXT_MM, LANDSCAPE_TEXT_MM = 210 - 30 - 15, 297 - 30 - 15


def package(report: MonthlyReport, rows: int = 500) -> dict[str, str]:
    """The .docx's parts as text, by name."""
    data = build_docx(report, SETTINGS, today=MADE_ON, now=NOW, appendix_rows=rows)
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        return {name: docx.read(name).decode("utf-8", "replace") for name in docx.namelist()}


def quiet(report: MonthlyReport) -> MonthlyReport:
    """A month where much is zero: 02 due, both completed on time; 03 open, all in time; no
    report returned, no extension decided; nothing late, nothing overdue, nothing waiting."""
    figures = replace(
        report.figures,
        period_figures=PeriodFigures(assigned=4, due=2, completed=2, on_time=2),
        year_figures=YearFigures(assigned=5, completed=2, on_time=2, open=3, open_in_time=3),
    )
    return MonthlyReport(figures=figures, process=ProcessFigures(0, 0, 0, 0, 0))


async def test_pages_are_numbered_in_the_header_from_page_2(report: MonthlyReport) -> None:
    document = read(report)
    first, appendices = document.sections
    assert first.different_first_page_header_footer  # page 1 has no number
    assert "PAGE" not in first.first_page_header._element.xml
    header = first.header
    instructions = [e.text for e in header._element.iter(f"{W}instrText")]
    assert [i.strip() for i in instructions] == ["PAGE"]
    assert header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    # The landscape appendices keep the same header, their first page numbered too.
    assert appendices.header.is_linked_to_previous
    assert not appendices.different_first_page_header_footer


async def test_section_2_speaks_of_the_days_of_the_figures(tmp_path: Path) -> None:
    """As of 15/03: the report returned on 20/03 is not counted yet, the extension refused
    on 04/03 is; section 2 says «đến hết ngày 15/03/2020», as section 1 does."""
    early = await seed_report(tmp_path / "dondoc.sqlite3", as_of=date(2020, 3, 15))
    text = body_text(read(early))
    assert (
        "Từ ngày 01/03/2020 đến hết ngày 15/03/2020, Văn phòng không trả lại báo cáo hoàn thành"
        " nhiệm vụ nào; không chấp thuận 01 đề nghị gia hạn, không có đề nghị gia hạn nào được"
        " chấp thuận." in text
    )
    assert "31/03/2020" not in text


async def test_table_rows_never_split_and_headers_repeat(report: MonthlyReport) -> None:
    document = read(report)
    for table in [document.tables[1], *document.tables[3:]]:  # the unit table, appendices
        rows = table._tbl.findall(f"{W}tr")
        assert all(row.find(f"{W}trPr/{W}cantSplit") is not None for row in rows)
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(row.find(f"{W}trPr/{W}tblHeader") is None for row in rows[1:])


async def test_every_table_fits_the_text_area(report: MonthlyReport) -> None:
    document = read(report)
    widths = [
        sum(int(col.get(f"{W}w")) for col in table._tbl.iter(f"{W}gridCol")) * 25.4 / 1440
        for table in document.tables
    ]
    # header block, unit table, signature: portrait; the three appendices: landscape
    assert [round(w) for w in widths[:3]] == [165, 165, 165]
    assert all(PORTRAIT_TEXT_MM - 1 <= w <= PORTRAIT_TEXT_MM + 0.1 for w in widths[:3])
    assert len(widths) == 6
    assert all(LANDSCAPE_TEXT_MM - 5 <= w <= LANDSCAPE_TEXT_MM for w in widths[3:])
    assert not [e for t in document.tables for e in t._tbl.iter(f"{W}tblInd")]


async def test_codes_and_document_numbers_never_break_at_the_hyphen(
    report: MonthlyReport,
) -> None:
    xml = package(report)["word/document.xml"]
    no_break = "<w:noBreakHyphen/>"
    assert f'NV{no_break}<w:t xml:space="preserve">2020' in xml.replace("</w:t>", "")
    assert f'118/UBND{no_break}<w:t xml:space="preserve">KT' in xml.replace("</w:t>", "")
    assert "BC-VP" not in xml  # "/BC‑VP" in the header and the appendices' reference
    assert "Độc lập - Tự do - Hạnh phúc" in xml  # a spaced dash still breaks


async def test_the_language_is_vietnamese(report: MonthlyReport) -> None:
    parts = package(report)
    langs = re.findall(r"<w:lang [^>]*/>", parts["word/styles.xml"])
    assert langs == ['<w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/>']
    assert "<w:docDefaults>" in parts["word/styles.xml"]
    assert not [name for name, text in parts.items() if "en-US" in text]


async def test_file_properties_name_the_office_the_day_and_the_title(
    report: MonthlyReport,
) -> None:
    data = build_docx(report, SETTINGS, today=MADE_ON, now=NOW)
    core = Document(io.BytesIO(data)).core_properties
    assert core.author == "Văn phòng UBND tỉnh, UBND tỉnh Lạng Sơn"
    assert core.last_modified_by == core.author
    assert core.title == (
        "Báo cáo kết quả rà soát, tổng hợp tiến độ thực hiện các nhiệm vụ đã giao đến hết ngày"
        " 31/03/2020"
    )
    assert core.created == core.modified == NOW
    assert core.language == "vi-VN"
    assert "python-docx" not in package(report)["docProps/core.xml"]


async def test_zero_counts_are_said_in_words(report: MonthlyReport) -> None:
    document = read(quiet(report))
    text = body_text(document)
    assert not re.search(r"(?<![\d/])00(?![\d/])", text)
    assert (
        "Có 02 nhiệm vụ giao có thời hạn phải hoàn thành trong tháng 3, đã hoàn thành 02 nhiệm"
        " vụ, đều hoàn thành đúng hạn, không có nhiệm vụ nào hoàn thành quá hạn." in text
    )
    assert (
        "tổng số 05 nhiệm vụ: đã hoàn thành 02 nhiệm vụ (đạt 40,0% số nhiệm vụ đã giao), đều"
        " đúng hạn, không có nhiệm vụ nào hoàn thành quá hạn; còn 03 nhiệm vụ chưa hoàn thành"
        " (chiếm 60,0% số nhiệm vụ đã giao), đều còn thời hạn, không có nhiệm vụ nào quá thời"
        " hạn." in text
    )
    assert (
        "Văn phòng không trả lại báo cáo hoàn thành nhiệm vụ nào; không có đề nghị gia hạn nào"
        " được chấp thuận hay bị từ chối." in text
    )
    assert (
        "Đến hết ngày 31/03/2020, không có nhiệm vụ quá hạn nào mà đơn vị đã báo cáo hoàn thành"
        " nhưng chưa được phê duyệt." in text
    )
    # Nothing to list: no appendix, none cited, no landscape page.
    assert "phụ lục" not in text.lower()
    assert len(document.sections) == 1
    assert len(document.tables) == 3  # header block, unit table, signature


async def test_an_empty_appendix_is_left_out_and_the_next_takes_its_number(
    report: MonthlyReport,
) -> None:
    without_late = replace(
        report,
        figures=replace(
            report.figures, period_figures=replace(report.figures.period_figures, late=0)
        ),
        late=Appendix(),
    )
    document = read(without_late)
    text = body_text(document)
    titles = [p.text for p in document.paragraphs if p.text.startswith("Phụ lục")]
    assert titles == ["Phụ lục 1", "Phụ lục 2"]
    headings = [p.text for p in document.paragraphs if p.text.startswith("DANH SÁCH")]
    assert headings == [
        "DANH SÁCH NHIỆM VỤ QUÁ HẠN CHƯA HOÀN THÀNH",
        "DANH SÁCH NHIỆM VỤ QUÁ HẠN ĐÃ BÁO CÁO HOÀN THÀNH, CHƯA ĐƯỢC PHÊ DUYỆT",
    ]
    assert "(chi tiết nhiệm vụ quá hạn chưa hoàn thành tại phụ lục 1 kèm theo)" in text
    assert "(chi tiết nhiệm vụ quá hạn tại phụ lục 2 kèm theo)" in text
    assert "phụ lục 3" not in text
    cited = {int(n) for n in re.findall(r"phụ lục (\d)", text)}
    assert cited == {1, 2}
