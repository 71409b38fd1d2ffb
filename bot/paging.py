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


def _render(rows: Sequence[Row], continued: Callable[[str], str], first: Row | None) -> str:
    """A page's body; `first` is the row before the page, if its section goes on here."""
    parts: list[str] = []
    previous = first.section if first is not None else None
    for index, row in enumerate(rows):
        if index == 0 or row.section != previous:
            if parts:
                parts.append("")
            goes_on = index == 0 and previous == row.section
            parts.append(continued(row.section) if goes_on else row.section)
        parts.append(row.line)
        previous = row.section
    return "\n".join(parts)


def paginate(
    rows: Sequence[Row],
    *,
    budget: int,
    per_page: int,
    continued: Callable[[str], str] = lambda header: header,
) -> list[str]:
    """The bodies of the pages, each at most `budget` long and `per_page` rows (a row too
    long for any page gets a page of its own). No rows: no pages.

    A page's length is added up row by row (lengths add over joined text), so each page is
    rendered once: a list of hundreds of tasks pages in linear time."""
    pages: list[str] = []
    start = 0
    while start < len(rows):
        before = rows[start - 1] if start > 0 else None
        first = rows[start]
        goes_on = before is not None and before.section == first.section
        length = text_length(continued(first.section) if goes_on else first.section)
        length += 1 + text_length(first.line)
        end = start + 1
        while end < len(rows) and end - start < per_page:
            row = rows[end]
            extra = 1 + text_length(row.line)  # "\n" and the line
            if row.section != rows[end - 1].section:
                extra += 2 + text_length(row.section)  # "\n", a blank line, the header
            if length + extra > budget:
                break
            length, end = length + extra, end + 1
        pages.append(_render(rows[start:end], continued, before))
        start = end
    return pages


def pager_data(kind: str, page: int, *args: str) -> str:
    """The button data for page `page` (0-based) of the list `kind`."""
    data = ":".join((PAGER_PREFIX, kind, str(page), *args))
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"callback data longer than {CALLBACK_LIMIT} bytes: {data!r}")
    return data


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


def pager_buttons(kind: str, page: int, pages: int, *args: str) -> list[tuple[str, str]]:
    """(label, data) of ◀ and ▶ where there is a page that way; none for a single page."""
    buttons = []
    if page > 0:
        buttons.append((PREVIOUS, pager_data(kind, page - 1, *args)))
    if page < pages - 1:
        buttons.append((NEXT, pager_data(kind, page + 1, *args)))
    return buttons


def clamp(page: int, pages: int) -> int:
    """A page number that exists (the list may have shrunk since the button was made)."""
    return max(0, min(page, pages - 1))
