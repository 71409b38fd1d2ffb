"""Phone numbers as people type them: +84 912.345.678, 0912 345 678, 84912345678."""

from __future__ import annotations


def phone_key(raw: str) -> str:
    """The number without country code or trunk prefix, digits only ('' when none)."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.strip().startswith("+") and digits.startswith("84"):
        return digits[2:]
    if digits.startswith("84") and len(digits) >= 11:
        return digits[2:]
    if digits.startswith("0"):
        return digits.lstrip("0")
    return digits
