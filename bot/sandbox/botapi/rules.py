"""Telegram's limits beyond types: buttons, commands, text lengths, images."""

from __future__ import annotations

import re
import struct
from typing import Any

from bot.sandbox.botapi.html import EntityParseError, ParsedText, finish_text, parse_html
from bot.sandbox.botapi.spec import ApiError, Spec, bad_request

__all__ = [
    "MAX_CAPTION",
    "MAX_TEXT",
    "command_entities",
    "format_text",
    "image_size",
    "install_checks",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_INLINE_BUTTONS = 100
_NOT_ACTIONS = frozenset({"text", "icon_custom_emoji_id", "style"})
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON_URL = re.compile(r"(?:https?|tg)://\S+", re.IGNORECASE)
_LEADING_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_STYLES = frozenset({"danger", "success", "primary"})


def _check_inline_button(button: dict[str, Any], path: str) -> None:
    if not button["text"]:
        raise bad_request(f"{path}: inline keyboard button text must be non-empty")
    actions = [key for key in button if key not in _NOT_ACTIONS]
    if not actions:
        raise bad_request(
            f"can't parse inline keyboard button: Text buttons are unallowed in the inline "
            f"keyboard ({path})"
        )
    if len(actions) > 1:
        raise bad_request(
            f"can't parse inline keyboard button: exactly one action field must be used, "
            f"got {sorted(actions)} ({path})"
        )
    if "callback_data" in button:
        size = len(button["callback_data"].encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request(f"BUTTON_DATA_INVALID ({path}.callback_data is {size} bytes)")
    if "url" in button and not _BUTTON_URL.fullmatch(button["url"]):
        raise bad_request(
            f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
        )
    if "style" in button and button["style"] not in _STYLES:
        raise bad_request(f"{path}.style must be one of {sorted(_STYLES)}")


def _check_inline_markup(markup: dict[str, Any], path: str) -> None:
    count = sum(len(row) for row in markup["inline_keyboard"])
    if count > MAX_INLINE_BUTTONS:
        raise bad_request(f"reply markup is too long ({count} inline buttons, at most 100)")


def _check_reply_keyboard(markup: dict[str, Any], path: str) -> None:
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and not 1 <= len(placeholder) <= 64:
        raise bad_request(f"{path}.input_field_placeholder must be 1-64 characters")


def _check_bot_command(command: dict[str, Any], path: str) -> None:
    if not _COMMAND.fullmatch(command["command"]):
        raise bad_request(
            f"BOT_COMMAND_INVALID ({path}.command {command['command']!r}: 1-32 characters of "
            "lowercase a-z, 0-9 and _)"
        )
    description = command["description"].strip()
    if not 1 <= len(description) <= 256:
        raise bad_request(
            f"BOT_COMMAND_DESCRIPTION_INVALID ({path}.description must be 1-256 characters, "
            f"got {len(description)})"
        )


def install_checks(spec: Spec) -> None:
    """Attach the per-type rules to the compiled spec (idempotent)."""
    if spec.checks_installed:
        return
    spec.object_node("InlineKeyboardButton").check = _check_inline_button
    spec.object_node("InlineKeyboardMarkup").check = _check_inline_markup
    spec.object_node("ReplyKeyboardMarkup").check = _check_reply_keyboard
    spec.object_node("BotCommand").check = _check_bot_command
    spec.checks_installed = True


def format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> ParsedText:
    """Apply parse_mode (HTML only) or explicit entities, then trim like Telegram."""
    if entities is not None:
        return finish_text(ParsedText(text, entities))
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(text)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif mode == "":
        parsed = ParsedText(text)
    elif mode in ("markdown", "markdownv2"):
        raise ApiError(
            400, f"Bad Request: parse_mode {parse_mode} is not implemented here (use HTML)"
        )
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return finish_text(parsed)


def command_entities(text: str) -> list[dict[str, Any]]:
    """A bot_command entity for a leading ``/cmd`` or ``/cmd@bot``, like Telegram adds."""
    match = _LEADING_COMMAND.match(text)
    if match is None:
        return []
    rest = text[match.end() : match.end() + 1]
    if rest and (rest.isalnum() or rest in "_/<>"):
        return []
    return [{"type": "bot_command", "offset": 0, "length": match.end()}]


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG, GIF, BMP or WebP image; None if it is not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        is_sof = 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)
        if is_sof and i + 9 <= n:
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        i += 2 + length
    return None
