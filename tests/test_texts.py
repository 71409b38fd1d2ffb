"""The text catalogues: the same keys and placeholders in both languages, Vietnamese written
with its diacritics, and every text valid Telegram HTML once its values are filled in."""

from __future__ import annotations

import re
import string
import unicodedata

import pytest

from bot.texts import CATALOGUES, Html, en, t, vi
from tests.tgdouble.html import parse_html

# Words and phrases that Vietnamese always writes with diacritics: seen bare, a text lost
# its marks (bare forms that are words of their own, like "tin" or "giao", are left out).
BARE_WORDS = {
    "khong", "duoc", "nguoi", "nhiem", "dien", "thoai", "quyen", "viec", "chua", "cua",
    "hien", "truoc", "nhap", "chon", "gui", "nhung", "duyet",
}  # fmt: skip
BARE_PHRASES = (
    "nhiem vu", "don vi", "hoan thanh", "bao cao", "qua han", "gia han", "can bo",
    "tai khoan", "lien ket", "vui long", "xin loi", "chu tri", "phoi hop", "van ban",
    "thoi han", "het han", "ma moi", "hom nay", "trong han", "so dien thoai",
)  # fmt: skip
_TAGS = re.compile(r"<[^>]*>")
_CODE = re.compile(r"<code>.*?</code>", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_NOT_WORDS = re.compile(
    r"(dondoc(\s+[a-z]+)?|--[\w-]+|/\w+|https?://\S+|[A-Z]{2,}[\w/-]*|\d[\w/.-]*"
    r"|\w+[-/]\w[\w/-]*)"
)  # program and option names, commands, links, codes, numbers, document numbers


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def words(template: str) -> list[str]:
    """The words of a Vietnamese text, leaving out markup, values, commands and codes."""
    text = _PLACEHOLDER.sub(" ", _TAGS.sub(" ", _CODE.sub(" ", template)))
    text = _NOT_WORDS.sub(" ", text)
    return [w for w in re.findall(r"[^\W\d_]+", text)]


def has_marks(word: str) -> bool:
    return (
        word.lower()
        != "".join(
            ch for ch in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(ch)
        )
        or "đ" in word.lower()
    )


def test_both_catalogues_have_the_same_keys() -> None:
    assert sorted(set(vi.TEXTS) - set(en.TEXTS)) == []
    assert sorted(set(en.TEXTS) - set(vi.TEXTS)) == []


@pytest.mark.parametrize("key", sorted(vi.TEXTS))
def test_both_languages_fill_in_the_same_values(key: str) -> None:
    assert fields(vi.TEXTS[key]) == fields(en.TEXTS.get(key, vi.TEXTS[key])), key


def test_vietnamese_texts_keep_their_diacritics() -> None:
    bare = {}
    for key, text in vi.TEXTS.items():
        found = [w for w in words(text) if w.lower() in BARE_WORDS]
        joined = " ".join(words(text)).lower()
        found += [p for p in BARE_PHRASES if re.search(rf"\b{p}\b", joined)]
        bare[key] = sorted(set(found))
    assert {key: found for key, found in bare.items() if found} == {}
    unmarked = [
        key
        for key, text in vi.TEXTS.items()
        if len(words(text)) >= 3 and not any(has_marks(w) for w in words(text))
    ]
    assert unmarked == []


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_every_text_is_valid_telegram_html(lang: str) -> None:
    refused = {}
    for key, template in CATALOGUES[lang].items():
        values = {name: Html("x") for name in fields(template)}
        try:
            parse_html(t(lang, key, **values))
        except ValueError as exc:
            refused[key] = str(exc)
    assert refused == {}


def test_values_are_escaped_and_safe_fragments_are_not() -> None:
    text = t("vi", "task.not_found", code='<b>&"')
    assert text == 'Không tìm thấy nhiệm vụ mã <code>&lt;b&gt;&amp;"</code>.'
    assert parse_html(text).text == 'Không tìm thấy nhiệm vụ mã <b>&".'
