"""Telegram-HTML parser: validates like the Bot API and yields plain text plus entities.

Mirrors tdlib's ``parse_html`` (tags, attributes, error wording, UTF-16 entity offsets) with
one deliberate strictness: a bare ``&`` that does not start ``&lt;``, ``&gt;``, ``&amp;``,
``&quot;`` or a numeric reference is refused, as the Bot API documentation demands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "ParsedText",
    "finish_text",
    "parse_html",
    "utf16_len",
]

_SPACES = frozenset(" \t\r\n\v\f")
_SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
        "span", "tg-spoiler", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL = re.compile(r"[<&]")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")
_CONTAINERS = frozenset({"code", "pre"})


class EntityParseError(ValueError):
    """The text cannot be parsed; ``str(err)`` is the part after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    """Plain text and its entities (offsets and lengths in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    expandable: bool = False
    char_offset: int = 0


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as Telegram counts entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``source[pos] == '&'``; None if there is none."""
    end = source.find(";", pos + 1, pos + 12)
    if end == -1:
        return None
    body = source[pos + 1 : end]
    if body in _NAMED:
        return _NAMED[body], end + 1
    if len(body) < 2 or body[0] != "#":
        return None
    digits = body[1:]
    try:
        code = int(digits[1:], 16) if digits[0] in "xX" else int(digits, 10)
    except ValueError:
        return None
    if code == 0 or code >= 0x110000 or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), end + 1


def _skip_spaces(source: str, i: int) -> int:
    n = len(source)
    while i < n and source[i] in _SPACES:
        i += 1
    return i


def _parse_start_tag(source: str, begin: int) -> tuple[_Open, int, int]:
    """Parse ``<tag attr=...>`` starting at ``begin``; returns (tag, index after '>', offset)."""
    n = len(source)
    i = begin + 1
    tag_end = i
    while tag_end < n and source[tag_end] not in _SPACES and source[tag_end] != ">":
        tag_end += 1
    at = _byte_offset(source, begin)
    if tag_end >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {at}")
    tag = source[i:tag_end].lower()
    if tag not in _SUPPORTED_TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {at}')
    argument = ""
    expandable = False
    i = tag_end
    while True:
        i = _skip_spaces(source, i)
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
        if source[i] == ">":
            break
        name_begin = i
        while i < n and source[i] not in _SPACES and source[i] not in "=>":
            i += 1
        name = source[name_begin:i]
        if not name:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
        i = _skip_spaces(source, i)
        if i >= n or source[i] != "=":
            if tag == "blockquote" and name.lower() == "expandable":
                expandable = True
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {at}"
            )
        i = _skip_spaces(source, i + 1)
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
        if source[i] in "'\"":
            quote = source[i]
            i += 1
            chars: list[str] = []
            while i < n and source[i] != quote:
                if source[i] == "&":
                    decoded = _decode_entity(source, i)
                    if decoded is not None:
                        chars.append(decoded[0])
                        i = decoded[1]
                        continue
                chars.append(source[i])
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {at}")
            i += 1
            value = "".join(chars)
        else:
            match = _NAME_TOKEN.match(source, i)
            assert match is not None  # the pattern matches the empty string
            value = match.group().lower()
            i = match.end()
            if i < n and source[i] not in _SPACES and source[i] != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(source, i)}"
                )
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value
    if tag == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
    if tag == "tg-emoji" and not argument.isdigit():
        raise EntityParseError("Invalid custom emoji identifier specified")
    return _Open(tag, argument, 0, expandable), i + 1, at


def _make_entity(opened: _Open, length: int, text_inside: str) -> dict[str, Any]:
    entity: dict[str, Any] = {"offset": opened.offset, "length": length}
    tag = opened.tag
    if tag in _SIMPLE_ENTITY:
        entity["type"] = _SIMPLE_ENTITY[tag]
    elif tag == "a":
        entity["type"] = "text_link"
        entity["url"] = opened.argument or text_inside
    elif tag == "code":
        entity["type"] = "code"
        if opened.argument:
            entity["language"] = opened.argument  # kept only if a <pre> wraps it
    elif tag == "pre":
        entity["type"] = "pre"
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if opened.expandable else "blockquote"
    else:  # tg-emoji
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = opened.argument
    return entity


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML; raises EntityParseError with Telegram's wording on bad markup."""
    out: list[str] = []
    out_len = 0  # UTF-16 length of the text produced so far
    char_len = 0  # the same in Python characters
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    n = len(source)
    i = 0
    while i < n:
        match = _SPECIAL.search(source, i)
        stop = match.start() if match else n
        if stop > i:
            chunk = source[i:stop]
            out.append(chunk)
            out_len += utf16_len(chunk)
            char_len += len(chunk)
            i = stop
            if i >= n:
                break
        if source[i] == "&":
            decoded = _decode_entity(source, i)
            if decoded is None:
                raise EntityParseError(
                    f"Character '&' at byte offset {_byte_offset(source, i)} must be escaped "
                    "as &amp; (it does not start an HTML entity)"
                )
            out.append(decoded[0])
            out_len += utf16_len(decoded[0])
            char_len += 1
            i = decoded[1]
            continue
        begin = i
        if i + 1 < n and source[i + 1] == "/":
            at = _byte_offset(source, begin)
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {at}")
            j = i + 2
            while j < n and source[j] not in _SPACES and source[j] != ">":
                j += 1
            end_name = source[i + 2 : j]
            j = _skip_spaces(source, j)
            if j >= n or source[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {at}")
            opened = stack.pop()
            if end_name and end_name != opened.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {at}, expected "</{opened.tag}>", '
                    f'found "</{end_name}>"'
                )
            length = out_len - opened.offset
            if length > 0:
                needs_text = opened.tag == "a" and not opened.argument
                inside = "".join(out)[opened.char_offset :] if needs_text else ""
                entities.append(_make_entity(opened, length, inside))
            i = j + 1
            continue
        opened, i, _ = _parse_start_tag(source, begin)
        opened.offset = out_len
        opened.char_offset = char_len
        stack.append(opened)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return ParsedText("".join(out), _normalize(entities))


def _normalize(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort like Telegram, fold <pre><code class=...> into a pre with language, drop
    entities nested in code/pre (Telegram drops them silently too)."""
    # Entities are appended as tags close, so among equal spans the outer one came last.
    ordered = sorted(
        enumerate(entities), key=lambda pair: (pair[1]["offset"], -pair[1]["length"], -pair[0])
    )
    result: list[dict[str, Any]] = []
    for _, entity in ordered:
        parent = result[-1] if result else None
        inside_parent = (
            parent is not None and entity["offset"] < parent["offset"] + parent["length"]
        )
        if parent is not None and inside_parent and parent["type"] in _CONTAINERS:
            same_span = (
                entity["offset"] == parent["offset"] and entity["length"] == parent["length"]
            )
            folds = parent["type"] == "pre" and entity["type"] == "code" and same_span
            if folds and "language" in entity:
                parent["language"] = entity["language"]
            continue
        if entity["type"] == "code":
            entity.pop("language", None)
        result.append(entity)
    return result


def finish_text(parsed: ParsedText) -> ParsedText:
    """Trim surrounding whitespace like Telegram does, shifting and clipping entities."""
    text = parsed.text
    stripped = text.strip(" \t\r\n\v\f")
    if stripped == text:
        return parsed
    if not stripped:
        return ParsedText("", [])
    left = utf16_len(text[: len(text) - len(text.lstrip(" \t\r\n\v\f"))])
    total = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)
