"""The monthly report as a Word document, laid out as the seed report (Decree 30/2020/NĐ-CP).

A4 portrait, margins 20/20/30/15 mm (top, bottom, left, right), Times New Roman 14 pt; the
header block as a borderless two-column table; section 1 in the seed's sentences; the table
per unit; section 2 with what the workflow's tables can tell; "Nơi nhận" and the signature;
then the appendices that list anything, on landscape pages (an empty one is left out, the
text says there is nothing, and the next takes its number). The page number is centred in
the top margin from page 2 on. The day and the number of the document are left blank, as
in the seed, to be written at signing; its month and year are those of the day it is made.
Every table fits the text area, its rows never split across pages and its header row is
repeated; a hyphen inside a word (a code, a document number) never breaks a line.

Large tables are written as XML in one go: python-docx's cell by cell API is quadratic.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from xml.sax.saxutils import escape

from bot.config import Settings
from bot.formats import format_date, format_int, two_digits
from bot.models import Appendix, MonthlyReport, ReportTask, appendix_title_key, year_window
from bot.report_text import section1_paragraphs
from bot.texts import plain

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13
TABLE_PT = 12
# Appendix tables hold at most this many rows; the counts in the text are always complete
# and the workbook lists more (see bot.report_xlsx).
APPENDIX_ROWS = 1_000
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_DETAIL = re.compile(r"(\((?:chi tiết|details)[^)]*\))")
_BLANK_DAY = "\u00a0" * 6  # the day is written by hand at signing
_BLANK_NUMBER = "\u00a0" * 8  # so is the document's number, before "/BC-VP"
_IN_WORD_HYPHEN = re.compile(r"(?<=\S)-(?=\S)")  # "NV-2020-0345", "930/VP-TH"
_NO_BREAK_HYPHEN = '</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'
LANGUAGE = "vi-VN"
# The text area: A4 less the margins of _page_setup (portrait, landscape), in millimetres.
TEXT_MM = {False: 210 - 30 - 15, True: 297 - 30 - 15}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: its header key, width in millimetres, and how a cell reads."""

    key: str
    mm: float
    value: Callable[[Any], str]
    align: str = "left"


def build_docx(
    report: MonthlyReport,
    settings: Settings,
    *,
    today: date,
    now: datetime | None = None,
    lang: str = "vi",
    appendix_rows: int = APPENDIX_ROWS,
) -> bytes:
    """The report as .docx bytes. `today` is the day it is made (its month and year), `now`
    the moment, kept as the file's creation time (default: the start of `today`, UTC); each
    appendix table lists at most `appendix_rows` tasks."""
    from docx import Document  # imported here: the bot starts without loading python-docx

    document = Document()
    _page_setup(document.sections[0], landscape=False)
    _base_style(document)
    _page_numbers(document.sections[0])
    writer = _Writer(document, report, settings, today=today, lang=lang, rows=appendix_rows)
    writer.write()
    _properties(
        document,
        author=_author(settings),
        title=writer.document_title(),
        now=now or datetime.combine(today, time(0), tzinfo=UTC),
    )
    out = io.BytesIO()
    document.save(out)
    return _finish(out.getvalue(), writer.tables)


def _author(settings: Settings) -> str:
    """The organisation that writes the report: "Văn phòng UBND tỉnh, UBND tỉnh Lạng Sơn"."""
    organization = settings.organization
    return ", ".join(part for part in (organization.office, organization.name) if part)


def _properties(document: Any, *, author: str, title: str, now: datetime) -> None:
    """The file's metadata: the organisation, the report's title, the moment it was made
    (python-docx's template says "python-docx" and 2013)."""
    core = document.core_properties
    core.author = core.last_modified_by = author
    core.title = title
    core.comments = ""
    core.language = LANGUAGE
    core.revision = 1
    # Kept in UTC: the format's W3CDTF is written with "Z" by python-docx.
    moment = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    core.created = core.modified = moment


def _page_numbers(section: Any) -> None:
    """The page number centred in the top margin from page 2 on (Decree 30/2020/NĐ-CP): a
    PAGE field in the header, the first page's header left empty. The appendices' section
    keeps this header (linked to the previous) and its first page is numbered too."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Pt

    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    size = BODY_PT * 2
    run = f'<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
    for part in (
        '<w:fldChar w:fldCharType="begin"/>',
        '<w:instrText xml:space="preserve"> PAGE </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>',
        "<w:t>2</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ):
        paragraph._p.append(parse_xml(f"<w:r {_W}>{run}{part}</w:r>"))
    paragraph.paragraph_format.space_after = Pt(0)


def _marker(number: int) -> str:
    return f"@@dondoc-table-{number}@@"


def _finish(docx: bytes, tables: Sequence[str]) -> bytes:
    """The document with each table's XML in place of its marker paragraph, and Vietnamese
    as the language of every style. Tables of a thousand rows are text here: parsed into
    python-docx's tree they would cost seconds."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                for number, table in enumerate(tables):
                    marker = f"<w:p><w:r><w:t>{_marker(number)}</w:t></w:r></w:p>"
                    if text.count(marker) != 1:
                        raise RuntimeError(f"table {number}: its marker is not in the document")
                    text = text.replace(marker, table)
                data = text.encode("utf-8")
            elif item.filename in _LANGUAGE_PARTS:
                data = _LANGUAGE_PARTS[item.filename].sub(_vietnamese, data.decode()).encode()
            target.writestr(item, data)
    return out.getvalue()


# The parts of python-docx's template that name a language (en-US): the styles' defaults
# (Word reads stylesWithEffects.xml too) and the theme's fonts in the settings.
_LANGUAGE_PARTS = {
    "word/styles.xml": re.compile(r"<w:lang [^>]*/>"),
    "word/stylesWithEffects.xml": re.compile(r"<w:lang [^>]*/>"),
    "word/settings.xml": re.compile(r"<w:themeFontLang [^>]*/>"),
}


def _vietnamese(match: re.Match[str]) -> str:
    element = match.group(0)[1:].split(" ", 1)[0]
    return f'<{element} w:val="{LANGUAGE}" w:eastAsia="{LANGUAGE}" w:bidi="ar-SA"/>'


def _mm(value: float) -> int:
    """Millimetres in EMU (python-docx lengths)."""
    return round(value * 36000)


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _page_setup(section: Any, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT

    width, height = (297, 210) if landscape else (210, 297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = _mm(width), _mm(height)
    section.top_margin, section.bottom_margin = _mm(20), _mm(20)
    section.left_margin, section.right_margin = _mm(30), _mm(15)


def _base_style(document: Any) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(6)
    style.paragraph_format.line_spacing = 1.0


def _cell_open(mm: float, align: str, *, bold: bool = False, span: int = 1) -> str:
    """A table cell's XML up to its text (the same for every cell of a column)."""
    merge = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    size = TABLE_PT * 2
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{_twips(mm)}" w:type="dxa"/>{merge}'
        '<w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:spacing w:before="20" w:after="20"/>'
        f'<w:ind w:firstLine="0"/><w:jc w:val="{align}"/></w:pPr><w:r><w:rPr>'
        f'{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
        '<w:t xml:space="preserve">'
    )


_CELL_CLOSE = "</w:t></w:r></w:p></w:tc>"
_ROW = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"  # a row is never split across two pages
_LINE_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'


def _cell_text(text: str) -> str:
    text = _IN_WORD_HYPHEN.sub(_NO_BREAK_HYPHEN, escape(text))
    return text.replace("\n", _LINE_BREAK)


def _table_xml(
    columns: Sequence[Column],
    rows: Iterable[Any],
    *,
    lang: str,
    footer: Sequence[str] | None = None,
    empty_key: str = "report.no_tasks",
) -> str:
    """A bordered table: a bold header row repeated on every page, the rows (none split
    across two pages), a bold footer. Each column's cell XML is made once; a row is then
    only its texts, escaped."""
    border = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = "".join(f'<w:gridCol w:w="{_twips(c.mm)}"/>' for c in columns)
    bold = [_cell_open(c.mm, c.align, bold=True) for c in columns]
    head = "".join(
        _cell_open(c.mm, "center", bold=True) + _cell_text(plain(lang, c.key)) + _CELL_CLOSE
        for c in columns
    )
    opens = [(_cell_open(c.mm, c.align), c.value) for c in columns]
    body = [
        _ROW
        + "".join(cell + _cell_text(value(row)) + _CELL_CLOSE for cell, value in opens)
        + "</w:tr>"
        for row in rows
    ]
    if not body:
        cell = _cell_open(sum(c.mm for c in columns), "center", span=len(columns))
        body.append(f"{_ROW}{cell}{_cell_text(plain(lang, empty_key))}{_CELL_CLOSE}</w:tr>")
    if footer is not None:
        cells = (
            f"{cell}{_cell_text(text)}{_CELL_CLOSE}"
            for cell, text in zip(bold, footer, strict=True)
        )
        body.append(f"{_ROW}{''.join(cells)}</w:tr>")
    return (
        '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
        f"</w:tblCellMar></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
        f"<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>{head}</w:tr>{''.join(body)}</w:tbl>"
    )


def _document_cell(task: ReportTask) -> str:
    if task.doc_date is None:
        return task.doc_number
    return f"{task.doc_number}\n{format_date(task.doc_date)}".strip()


def _deadline_cell(lang: str) -> Callable[[ReportTask], str]:
    def cell(task: ReportTask) -> str:
        if task.deadline is None:
            return ""
        text = format_date(task.deadline)
        if task.original_deadline is not None and task.original_deadline != task.deadline:
            original = plain(
                lang, "report.original_deadline", date=format_date(task.original_deadline)
            )
            text += f"\n{original}"
        return text

    return cell


def _report_state_cell(lang: str) -> Callable[[ReportTask], str]:
    return lambda task: (
        plain(lang, f"report.state.{task.report_state}") if task.report_state else ""
    )


def appendix_columns(kind: str, lang: str) -> list[Column]:
    """The columns of the appendix of the "late", "overdue" or "waiting" tasks: 250 mm in
    all, within a landscape page's 252. A code (NV-2026-0067) and a document number
    (1897/UBND-KGVX) fit one line of 12 pt; an officer's name two lines."""
    common = [
        Column("report.col.no", 12, lambda _: "", "center"),  # filled with the row number
        Column("report.col.code", 28, lambda t: t.code, "center"),
        Column("report.col.document", 38, _document_cell, "center"),
    ]
    unit = Column("report.col.lead_unit", 40, lambda t: t.lead_unit)
    deadline = Column("report.col.deadline", 23, _deadline_cell(lang), "center")
    days = Column("report.col.days_overdue", 14, lambda t: format_int(t.days_overdue), "center")
    if kind == "late":
        return [
            *common,
            Column("report.col.title", 70, lambda t: t.title),
            unit,
            deadline,
            Column("report.col.completed_on", 23, lambda t: _date(t.completed_on), "center"),
            Column("report.col.days_late", 16, lambda t: format_int(t.days_late), "center"),
        ]
    if kind == "overdue":
        return [
            *common,
            Column("report.col.title", 65, lambda t: t.title),
            unit,
            deadline,
            days,
            Column("report.col.officer", 30, lambda t: t.officer),
        ]
    return [
        *common,
        Column("report.col.title", 69, lambda t: t.title),
        unit,
        deadline,
        days,
        Column("report.col.report_state", 26, _report_state_cell(lang)),
    ]


def _date(value: date | None) -> str:
    return "" if value is None else format_date(value)


def _numbered(columns: list[Column], rows: Sequence[ReportTask]) -> tuple[list[Column], list[Any]]:
    """Columns over (row number, task) pairs, the first column showing the number."""
    numbered = [
        Column(c.key, c.mm, (lambda pair: str(pair[0])) if i == 0 else _second(c.value), c.align)
        for i, c in enumerate(columns)
    ]
    return numbered, list(enumerate(rows, start=1))


def _second(value: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda pair: value(pair[1])


class _Writer:
    """Writes the document top to bottom; one method per part of the seed's layout."""

    def __init__(
        self,
        document: Any,
        report: MonthlyReport,
        settings: Settings,
        *,
        today: date,
        lang: str,
        rows: int,
    ) -> None:
        self.doc = document
        self.report = report
        self.settings = settings
        self.today = today
        self.lang = lang
        self.figures = report.figures
        self.rows = rows
        self.tables: list[str] = []  # the XML of the big tables, put in by _put_tables

    def text(self, key: str, **values: Any) -> str:
        return plain(self.lang, key, **values)

    def write(self) -> None:
        self.header()
        self.title()
        self.section1()
        self.section2()
        self.signature()
        self.appendices()

    # --- building blocks ---------------------------------------------------------------

    def paragraph(
        self,
        text: str = "",
        *,
        align: str = "justify",
        bold: bool = False,
        italic: bool = False,
        pt: int = BODY_PT,
        indent: bool = False,
        after: float = 6,
        container: Any = None,
    ) -> Any:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        target = container if container is not None else self.doc
        paragraph = target.add_paragraph()
        paragraph.alignment = {
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
        }[align]
        paragraph.paragraph_format.space_after = Pt(after)
        if indent:
            paragraph.paragraph_format.first_line_indent = Cm(1.27)
        if text:
            for part in _DETAIL.split(text):
                if part:
                    run = _add_run(paragraph, part)
                    run.bold = bold
                    # The seed writes "(chi tiết … tại phụ lục …)" in italics.
                    run.italic = italic or bool(_DETAIL.fullmatch(part))
                    run.font.size = Pt(pt)
        return paragraph

    def centred(
        self, container: Any, text: str, pt: int, *, bold: bool = False, italic: bool = False
    ) -> None:
        """A centred line of the header block or the signature."""
        self.paragraph(text, align="center", pt=pt, bold=bold, italic=italic, after=0,
                       container=container)  # fmt: skip

    def rule(self, container: Any, *, indent_mm: float) -> None:
        """A short centred line under a heading, as Decree 30 draws it: the bottom border
        of an empty 4 pt paragraph, made short by its indents."""
        from docx.oxml import parse_xml

        indent = _twips(indent_mm)
        paragraph = parse_xml(
            f'<w:p {_W}><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1"'
            ' w:color="000000"/></w:pBdr><w:spacing w:before="0" w:after="0"/>'
            f'<w:ind w:left="{indent}" w:right="{indent}" w:firstLine="0"/><w:jc w:val="center"/>'
            '<w:rPr><w:sz w:val="8"/><w:szCs w:val="8"/></w:rPr></w:pPr></w:p>'
        )
        if container is None:
            self.insert_block(paragraph)
        else:
            container._tc.append(paragraph)

    def borderless_table(self, widths_mm: Sequence[float]) -> Any:
        """A table without borders, within the text area."""
        table = self.doc.add_table(rows=1, cols=len(widths_mm))
        table.autofit = False
        for column, cell, width in zip(table.columns, table.rows[0].cells, widths_mm, strict=True):
            column.width = cell.width = _mm(width)  # LibreOffice reads the grid, Word the cells
            cell._tc.remove(cell.paragraphs[0]._p)  # each cell gets its own paragraphs
        return table

    def add_table(self, xml: str) -> None:
        """A marker paragraph, replaced by the table's XML once the document is saved."""
        self.doc.add_paragraph().add_run(_marker(len(self.tables)))
        self.tables.append(xml)
        self.paragraph(after=0, pt=6)

    def insert_block(self, element: Any) -> None:
        body = self.doc.element.body
        body.insert(len(body) - 1, element)  # before the body's final sectPr

    # --- the parts ---------------------------------------------------------------------

    def header(self) -> None:
        organization = self.settings.organization
        table = self.borderless_table((62, 103))  # the text area's 165 mm
        left, right = table.rows[0].cells
        self.centred(left, organization.name.upper(), HEADER_PT)
        self.centred(left, organization.office.upper(), HEADER_PT, bold=True)
        self.rule(left, indent_mm=20)
        self.centred(left, self.number_line(), HEADER_PT)
        self.centred(right, self.text("report.motto_1"), HEADER_PT - 1, bold=True)
        self.centred(right, self.text("report.motto_2"), BODY_PT, bold=True)
        self.rule(right, indent_mm=21)
        self.centred(right, self.place_date(), BODY_PT, italic=True)
        self.paragraph(after=6)

    def number_line(self) -> str:
        return _with_blank_number(self.settings.report.number)

    def place_date(self) -> str:
        place = self.settings.organization.place.strip()
        key = "report.place_date" if place else "report.date_only"
        return self.text(
            key, place=place, day=_BLANK_DAY, month=self.today.month, year=self.today.year
        )

    def subtitle(self) -> str:
        return self.text("report.subtitle", as_of=format_date(self.figures.as_of))

    def document_title(self) -> str:
        """The file's title: "Báo cáo kết quả rà soát, … đến hết ngày 05/12/2026"."""
        return self.text("report.document_title", as_of=format_date(self.figures.as_of))

    def title(self) -> None:
        self.paragraph(self.text("report.title"), align="center", bold=True, after=0)
        self.paragraph(self.subtitle(), align="center", bold=True, after=0)
        self.rule(None, indent_mm=62)
        self.paragraph(after=6, pt=6)
        organization = self.settings.organization
        self.paragraph(
            self.text("report.intro", office=organization.office, organization=organization.name),
            indent=True,
        )

    def section1(self) -> None:
        self.paragraph(self.text("report.section1"), bold=True, indent=True)
        for sentence in section1_paragraphs(
            self.figures,
            lang=self.lang,
            formal=True,
            appendix_refs=self.report.appendix_numbers(),
        ):
            self.paragraph(sentence, indent=True)
        self.unit_table()

    def unit_table(self) -> None:
        units = [g for g in self.figures.units if g.figures.assigned]
        if not units:
            return
        self.paragraph(
            self.text(
                "report.units_caption",
                start=format_date(self.figures.year_start),
                end=format_date(self.figures.as_of),
            ),
            indent=True,
        )
        columns = [
            Column("report.col.no", 11, lambda pair: str(pair[0]), "center"),
            Column("report.col.unit", 58, lambda pair: pair[1].name),
            *[Column(key, width, _figure(attr), "center") for key, width, attr in UNIT_COLUMNS],
        ]
        year = self.figures.year_figures
        footer = [
            "",
            self.text("report.total"),
            *[format_int(getattr(year, a)) for _, _, a in UNIT_COLUMNS],
        ]
        self.add_table(
            _table_xml(columns, enumerate(units, start=1), lang=self.lang, footer=footer)
        )

    def count(self, value: int | None) -> str:
        """A count of section 2 as the formal report writes it (`05`); unknown said so."""
        if value is None:
            return self.text("report.process_unknown")
        return two_digits(value, self.lang)

    def section2(self) -> None:
        process = self.report.process
        # The days the figures speak of: from the period's start to the as-of day at most,
        # as section 1 says (storage counts the decisions of these days).
        days = year_window(self.figures.period, self.figures.as_of)
        returned, granted, refused = (
            process.reports_returned,
            process.extensions_granted,
            process.extensions_refused,
        )
        extensions = "report.process.extensions" + (
            "_none" if granted == 0 and refused == 0
            else "_granted" if refused == 0
            else "_refused" if granted == 0
            else ""
        )  # fmt: skip
        self.paragraph(self.text("report.section2"), bold=True, indent=True)
        self.paragraph(
            self.text(
                "report.process",
                start=format_date(self.figures.period.start),
                end=format_date(days.end),
                returned=self.text("report.process.returned_none")
                if returned == 0
                else self.text("report.process.returned", count=self.count(returned)),
                extensions=self.text(
                    extensions, granted=self.count(granted), refused=self.count(refused)
                ),
            ),
            indent=True,
        )
        self.paragraph(self.waiting_text(), indent=True)
        organization = self.settings.organization
        self.paragraph(
            self.text("report.closing", office=organization.office, organization=organization.name),
            indent=True,
        )

    def waiting_text(self) -> str:
        """Appendix 3's tasks in words: how many, by the state of their report."""
        process, as_of = self.report.process, format_date(self.figures.as_of)
        number = self.report.appendix_numbers().get("waiting")
        if number is None:
            return self.text("report.process_waiting_none", as_of=as_of)
        pending, returned = process.waiting_pending, process.waiting_returned
        split = "report.process_waiting_" + (
            "returned" if not pending else "pending" if not returned else "split"
        )
        return self.text(
            "report.process_waiting",
            as_of=as_of,
            count=self.count(self.report.waiting.total),
            split=self.text(split, pending=self.count(pending), returned=self.count(returned)),
            number=number,
        )

    def signature(self) -> None:
        report = self.settings.report
        self.paragraph(after=0)
        table = self.borderless_table((85, 80))
        left, right = table.rows[0].cells
        self.paragraph(
            self.text("report.recipients"),
            align="left",
            bold=True,
            italic=True,
            pt=12,
            after=0,
            container=left,
        )
        for line in report.recipients:
            self.paragraph(f"- {line}", align="left", pt=11, after=0, container=left)
        self.centred(right, report.signer_title.upper(), BODY_PT, bold=True)
        for _ in range(4):  # room for the signature and the seal
            self.centred(right, "", BODY_PT)
        self.centred(right, report.signer_name, BODY_PT, bold=True)

    def appendices(self) -> None:
        """The appendices that list anything, each from a new landscape page."""
        from docx.enum.section import WD_SECTION

        appendices = self.report.appendices()
        if not appendices:
            return
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        _page_setup(section, landscape=True)
        section.different_first_page_header_footer = False  # its first page is numbered
        for number, kind, appendix in appendices:
            if number > 1:
                self.page_break()
            self.appendix(number, kind, appendix)

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def appendix(self, number: int, kind: str, appendix: Appendix) -> None:
        office = self.settings.organization.office
        reference = _with_blank_number(self.settings.report.number.removeprefix("Số:").strip())
        self.paragraph(
            self.text("report.appendix", number=number), align="center", bold=True, after=0
        )
        self.paragraph(self.text(appendix_title_key(kind)), align="center", bold=True, after=0)
        self.paragraph(
            self.text(
                "report.appendix_ref",
                number=reference,
                day=_BLANK_DAY,
                month=self.today.month,
                year=self.today.year,
                office=office,
            ),
            align="center",
            italic=True,
            after=0,
        )
        self.rule(None, indent_mm=100)
        self.paragraph(after=0, pt=6)
        shown = appendix.tasks[: self.rows]
        columns, rows = _numbered(appendix_columns(kind, self.lang), shown)
        self.add_table(_table_xml(columns, rows, lang=self.lang))
        if appendix.total > len(shown):
            self.paragraph(
                self.text(
                    "report.appendix_more",
                    shown=format_int(len(shown)),
                    total=format_int(appendix.total),
                ),
                italic=True,
                pt=12,
            )


# The per-unit table's figure columns: (header key, width in mm, YearFigures attribute).
UNIT_COLUMNS = (
    ("report.col.assigned", 15, "assigned"),
    ("report.col.completed", 16, "completed"),
    ("report.col.on_time", 16, "on_time"),
    ("report.col.late", 16, "late"),
    ("report.col.open_in_time", 16.5, "open_in_time"),
    ("report.col.open_overdue", 16.5, "open_overdue"),
)


def _with_blank_number(number: str) -> str:
    """ "Số: /BC-VP" with a blank before the "/" to write the number in by hand at signing,
    as the day has; a number already written ("Số: 12/BC-VP") stays as it is."""
    return re.sub(r"(^|\s)/", lambda m: f"{m.group(1)}{_BLANK_NUMBER}/", number, count=1)


def _add_run(paragraph: Any, text: str) -> Any:
    """A run of `text`; a hyphen inside a word is Word's non-breaking hyphen, so that
    "930/VP-TH" or "NV-2020-0345" is never cut at the end of a line."""
    from docx.oxml import parse_xml

    run = paragraph.add_run()
    if not _IN_WORD_HYPHEN.search(text):
        run.text = text
        return run
    xml = _IN_WORD_HYPHEN.sub(_NO_BREAK_HYPHEN, escape(text))
    parts = parse_xml(f'<w:r {_W}><w:t xml:space="preserve">{xml}</w:t></w:r>')
    for element in list(parts):
        run._r.append(element)
    return run


def _figure(attr: str) -> Callable[[Any], str]:
    return lambda pair: format_int(getattr(pair[1].figures, attr))
