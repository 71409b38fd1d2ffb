"""A message as the practice room's page shows it: safe HTML from Telegram's text and entities.

Telegram sends a message as plain text plus entities (offsets in UTF-16 code units); its
clients draw them. `entities_html` does the same for the page: every character of the text
is escaped, and only the tags below are made, so the page can insert the result as it is.
"""

from __future__ import annotations

import html
from datetime import datetime, tzinfo
from typing import Any

from bot.sandbox.botapi.models import TgMessage

__all__ = ["entities_html", "message_json", "snippet"]

JsonDict = dict[str, Any]

_TAGS = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "expandable_blockquote": "blockquote",
    "spoiler": "span",
    "text_link": "a",
    "url": "a",
}
_SAFE_SCHEMES = ("http://", "https://", "tg://", "mailto:")
SNIPPET = 80


def _open_tag(entity: JsonDict, inner: str) -> str:
    kind = entity["type"]
    tag = _TAGS[kind]
    if kind == "spoiler":
        return '<span class="tg-spoiler">'
    if kind == "pre" and entity.get("language"):
        language = html.escape(str(entity["language"]), quote=True)
        return f'<pre data-language="{language}">'
    if tag == "a":
        href = entity.get("url") if kind == "text_link" else inner
        if not isinstance(href, str) or not href.lower().startswith(_SAFE_SCHEMES):
            return ""
        href = html.escape(href, quote=True)
        return f'<a href="{href}" target="_blank" rel="noopener noreferrer">'
    return f"<{tag}>"


def entities_html(text: str, entities: list[JsonDict] | None) -> str:
    """`text` escaped, with its formatting entities as HTML tags (nested as they nest)."""
    units = text.encode("utf-16-le")

    def piece(start: int, end: int) -> str:
        return units[2 * start : 2 * end].decode("utf-16-le", errors="replace")

    shown = [e for e in entities or () if e.get("type") in _TAGS and e.get("length", 0) > 0]
    if not shown:
        return html.escape(text, quote=False)
    shown.sort(key=lambda e: (e["offset"], -e["length"]))
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end, closing tag) of the open tags, innermost last
    position = 0

    def close_until(limit: int) -> None:
        nonlocal position
        while stack and stack[-1][0] <= limit:
            end, closing = stack.pop()
            out.append(html.escape(piece(position, end), quote=False))
            position = end
            out.append(closing)

    for entity in shown:
        start = entity["offset"]
        end = start + entity["length"]
        close_until(start)
        if stack and end > stack[-1][0]:
            end = stack[-1][0]  # overlapping, not nested: cut at the outer one's end
        out.append(html.escape(piece(position, start), quote=False))
        position = start
        opening = _open_tag(entity, piece(start, end))
        out.append(opening)
        closing = f"</{_TAGS[entity['type']]}>" if opening else ""
        stack.append((end, closing))
    close_until(len(units) // 2)
    out.append(html.escape(piece(position, len(units) // 2), quote=False))
    return "".join(out)


def snippet(data: JsonDict) -> str:
    """A short line of what a message (its JSON) says, for a reply's quote."""
    text = data.get("text") or data.get("caption") or ""
    if not text and "document" in data:
        text = data["document"].get("file_name", "")
    line = " ".join(text.split())
    return line if len(line) <= SNIPPET else line[: SNIPPET - 1] + "…"


def _keyboard(markup: Any) -> list[list[JsonDict]] | None:
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    rows = []
    for row in markup["inline_keyboard"]:
        buttons = []
        for button in row:
            shown: JsonDict = {"text": button.get("text", "")}
            if "callback_data" in button:
                shown["callback_data"] = button["callback_data"]
            elif "url" in button:
                shown["url"] = button["url"]
            buttons.append(shown)
        rows.append(buttons)
    return rows


def message_json(message: TgMessage, tz: tzinfo) -> JsonDict:
    """A message as the page's JSON gives it (the room's `/api` answers and event stream;
    bot/sandbox/static/app.js draws it)."""
    data = message.json
    text = data.get("text")
    if text is not None:
        body = entities_html(text, data.get("entities"))
    elif "contact" in data:
        contact = data["contact"]
        body = html.escape(f"📱 {contact.get('first_name', '')}: {contact['phone_number']}")
    else:
        body = ""
    reply = data.get("reply_to_message")
    photo = None
    if data.get("photo"):
        size = max(data["photo"], key=lambda p: p.get("width", 0) * p.get("height", 0))
        photo = {
            "url": f"/files/{size['file_id']}",
            "width": size.get("width"),
            "height": size.get("height"),
        }
    document = None
    if "document" in data:
        doc = data["document"]
        document = {
            "url": f"/files/{doc['file_id']}",
            "name": doc.get("file_name") or "file",
            "size": doc.get("file_size"),
        }
    caption = data.get("caption")
    return {
        "id": data["message_id"],
        "from": "bot" if message.from_bot else "user",
        "date": datetime.fromtimestamp(data["date"], tz).isoformat(),
        "html": body,
        "reply_to": None
        if reply is None
        else {"id": reply["message_id"], "snippet": snippet(reply)},
        "inline_keyboard": _keyboard(data.get("reply_markup")),
        "photo": photo,
        "document": document,
        "caption_html": None
        if caption is None
        else entities_html(caption, data.get("caption_entities")),
        "edited": "edit_date" in data,
    }
