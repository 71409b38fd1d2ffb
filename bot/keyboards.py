"""Inline keyboards from rows of (label, data); the data is made by bot/buttons.py."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """Buttons from rows of (label, data); empty rows left out, None when no button is left."""
    rows = [row for row in rows if row]
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )
