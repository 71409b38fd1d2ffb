"""The one catalogue of user-facing texts per language: Vietnamese first, English second.

`t()` is for Telegram messages in HTML mode: every value put into a text is HTML-escaped
unless wrapped in `Html` (for pieces that are already safe HTML, built by `t()` themselves).
`plain()` is for the command line and documents: nothing is escaped.
"""

from __future__ import annotations

import html
from typing import Any

from bot.texts import en, vi

LANGUAGES = ("vi", "en")
CATALOGUES: dict[str, dict[str, str]] = {"vi": vi.TEXTS, "en": en.TEXTS}


class Html(str):
    """A string that is already valid Telegram HTML: `t()` inserts it as it is."""

    __slots__ = ()


def language(code: str | None) -> str:
    """A supported language for a person's or Telegram's language code (Vietnamese else)."""
    if code and code.split("-")[0].lower() in CATALOGUES:
        return code.split("-")[0].lower()
    return "vi"


def template(lang: str, key: str) -> str:
    catalogue = CATALOGUES.get(lang, vi.TEXTS)
    found = catalogue.get(key)
    if found is None:
        found = vi.TEXTS[key]  # a KeyError here is a bug: every key lives in vi.py
    return found


def t(lang: str, key: str, **values: Any) -> Html:
    """The text `key` in `lang`, values HTML-escaped (those of type Html excepted)."""
    escaped = {
        name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
        for name, value in values.items()
    }
    return Html(template(lang, key).format(**escaped))


def plain(lang: str, key: str, **values: Any) -> str:
    """The text `key` in `lang` with values as they are (not for HTML messages)."""
    return template(lang, key).format(**values)
