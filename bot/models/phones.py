"""Phone numbers as people type them: +84 912.345.678, 0912 345 678, 84912345678.

A Vietnamese number's key is its national significant number (without +84, 0084, 84 or
the trunk 0), digits only, so that a number from the register and one from a Telegram
contact compare equal. Mobile numbers of the old 11-digit plan (before the 2018 change,
e.g. 0168 …) are mapped to their 10-digit successors (038 …): a register kept since 2020
may still hold them. Numbers of other countries keep their country code, marked with `+`.
"""

from __future__ import annotations

# The 2018 renumbering of mobile prefixes (Ministry of Information and Communications):
# old 01xx → new 0xx, without the trunk 0.
_OLD_MOBILE_PREFIXES = {
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37",
    "168": "38", "169": "39",  # Viettel
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",  # MobiFone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",  # VinaPhone
    "186": "56", "188": "58",  # Vietnamobile
    "199": "59",  # Gmobile
}  # fmt: skip
_COUNTRY = "84"


def phone_key(raw: str) -> str:
    """The number without country code or trunk prefix, digits only ('' when none)."""
    text = raw.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return ""
    international = text.startswith("+") or digits.startswith("00")
    if international:
        digits = digits.removeprefix("00")
        if not digits.startswith(_COUNTRY):
            return "+" + digits
        national = digits[len(_COUNTRY) :]
    elif digits.startswith("0"):
        national = digits[1:]
    elif digits.startswith(_COUNTRY) and len(digits) >= 11:
        national = digits[len(_COUNTRY) :]  # Telegram sends contacts as 84912345678
    else:
        national = digits
    national = national.removeprefix("0")  # +84 0912 …: a trunk 0 typed after the code
    if len(national) == 10 and national[:3] in _OLD_MOBILE_PREFIXES:
        national = _OLD_MOBILE_PREFIXES[national[:3]] + national[3:]
    return national
