"""Long lists in pages that fit one Telegram message, with ◀ ▶ buttons.

A list is rows under section headers ("Quá hạn", "Đến hạn hôm nay", …); a page holds as
many rows as fit both a count and a length budget, and repeats the header of a section it
continues. The page to show travels in the button data (`pg:<kind>:<page>[:<arg>…]`); it
carries no authority: the handler rebuilds the list for whoever pressed and shows that page
of it (the last one when the list got shorter meanwhile).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.texts import Html

MESSAGE_LIMIT = 4096  # Telegram's, for a message text after entity parsing
CALLBACK_LIMIT = 64  # bytes of callback_data
PAGER_PREFIX = "pg"
PREVIOUS, NEXT = "◀", "▶"
_TAG = re.compile(r"<[^>]*>")


def shown_text(html_text: str) -> str:
    """The text Telegram shows for a message we wrote in HTML (tags gone, entities decoded)."""
    return html.unescape(_TAG.sub("", html_text))


def text_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a list, under a section header (both already-safe HTML)."""

    section: str
    line: str


def render_page(rows: Sequence[Row], continued: Callable[[str], str], before: str | None) -> str:
    """A page's body; `before` is the section of the row before the page (None on the first
    page): a section that goes on here gets its continuation header."""
    parts: list[str] = []
    previous = before
    for index, row in enumerate(rows):
        if index == 0 or row.section != previous:
            if parts:
                parts.append("")
            goes_on = index == 0 and previous == row.section
            parts.append(continued(row.section) if goes_on else row.section)
        parts.append(row.line)
        previous = row.section
    return "\n".join(parts)


def page_spans(
    sections: Sequence[str],
    lengths: Sequence[int],
    *,
    budget: int,
    per_page: int,
    continued: Callable[[str], str] = lambda header: header,
) -> list[range]:
    """Which rows go on which page, from the rows' sections and the lengths of their lines
    alone (`text_length`): a list need not be rendered to be paged, only the page shown.

    Each page is at most `budget` long and `per_page` rows (a row too long for any page gets
    a page of its own). A page's length is added up row by row (lengths add over joined
    text), so a list of hundreds of rows pages in linear time. No rows: no pages."""
    header_lengths: dict[tuple[str, bool], int] = {}

    def header_length(section: str, goes_on: bool) -> int:
        known = header_lengths.get((section, goes_on))
        if known is None:
            known = text_length(continued(section) if goes_on else section)
            header_lengths[section, goes_on] = known
        return known

    spans: list[range] = []
    start, count = 0, len(sections)
    while start < count:
        goes_on = start > 0 and sections[start - 1] == sections[start]
        length = header_length(sections[start], goes_on) + 1 + lengths[start]
        end = start + 1
        while end < count and end - start < per_page:
            extra = 1 + lengths[end]  # "\n" and the line
            if sections[end] != sections[end - 1]:
                extra += 2 + header_length(sections[end], False)  # "\n", a blank, the header
            if length + extra > budget:
                break
            length, end = length + extra, end + 1
        spans.append(range(start, end))
        start = end
    return spans


def paginate(
    rows: Sequence[Row],
    *,
    budget: int,
    per_page: int,
    continued: Callable[[str], str] = lambda header: header,
) -> list[str]:
    """The bodies of the pages of `rows` (see `page_spans`). No rows: no pages."""
    spans = page_spans(
        [row.section for row in rows],
        [text_length(row.line) for row in rows],
        budget=budget,
        per_page=per_page,
        continued=continued,
    )
    return [
        render_page(
            rows[span.start : span.stop],
            continued,
            rows[span.start - 1].section if span.start > 0 else None,
        )
        for span in spans
    ]


def pager_data(kind: str, page: int, *args: str) -> str:
    """The button data for page `page` (0-based) of the list `kind`."""
    data = ":".join((PAGER_PREFIX, kind, str(page), *args))
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"callback data longer than {CALLBACK_LIMIT} bytes: {data!r}")
    return data


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paged list, ready to send."""

    text: Html
    page: int  # 0-based, clamped to the pages there are
    pages: int


@dataclass(frozen=True, slots=True)
class PagerPress:
    kind: str
    page: int
    args: tuple[str, ...]


def parse_pager(data: str) -> PagerPress | None:
    """`pg:<kind>:<page>[:<arg>…]` → its parts; None for anything malformed."""
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != PAGER_PREFIX or not parts[1]:
        return None
    if not parts[2].isdigit() or len(parts[2]) > 6:
        return None
    return PagerPress(parts[1], int(parts[2]), tuple(parts[3:]))


def arrows(page: int, pages: int, data: Callable[[int], str]) -> list[tuple[str, str]]:
    """(label, data) of ◀ and ▶ where there is a page that way; none for a single page.
    `data(n)` is the button data of page n."""
    buttons = []
    if page > 0:
        buttons.append((PREVIOUS, data(page - 1)))
    if page < pages - 1:
        buttons.append((NEXT, data(page + 1)))
    return buttons


def pager_buttons(kind: str, page: int, pages: int, *args: str) -> list[tuple[str, str]]:
    """◀ ▶ of page `page` of the list `kind` (data `pg:<kind>:<page>[:<arg>…]`)."""
    return arrows(page, pages, lambda n: pager_data(kind, n, *args))


def clamp(page: int, pages: int) -> int:
    """A page number that exists (the list may have shrunk since the button was made)."""
    return max(0, min(page, pages - 1))
