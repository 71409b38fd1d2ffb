"""Plain questions to commands, by keywords, without a language model.

"bao nhiêu nhiệm vụ quá hạn?" → /overdue, "Sở Y tế thế nào" → /unit Sở Y tế,
"tổng số tháng 3" → /stats 03/<year>. The text is folded first (lower case, no diacritics,
đ as d), so "qua han", "Quá hạn" and "QUÁ HẠN" are the same. Anything not understood is
"help": the caller shows what can be asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.models import fold

# Keywords per command, folded; the first command whose keyword appears wins, in this order.
CHART = ("bieu do", "do thi", "chart", "graph")
REPORT = ("bao cao thang", "file bao cao", "tai bao cao", "xuat bao cao", "report")
MINE = ("toi giao", "toi da giao", "minh giao", "cua toi", "mine", "i assigned")
OVERDUE = ("qua han", "tre han", "cham tien do", "overdue", "late")
STATS = (
    "tong so",
    "tong hop",
    "thong ke",
    "so lieu",
    "bao nhieu",
    "tien do",
    "ket qua",
    "stats",
    "figures",
    "how many",
    "total",
)
# A unit is named after one of these words ("Sở Y tế", "UBND huyện Cao Lộc", "đơn vị SYT").
UNIT_WORDS = (
    "so",
    "ban",
    "ubnd",
    "uy ban",
    "huyen",
    "thanh pho",
    "tp",
    "thi xa",
    "cong an",
    "bo chi huy",
    "chi cuc",
    "cuc",
    "truong",
    "trung tam",
    "van phong",
    "don vi",
)
# …and ends before one of these ("Sở Y tế thế nào", "tình hình Sở Y tế ra sao").
ASKING = (
    "the nao",
    "nhu the nao",
    "ra sao",
    "nhu nao",
    "tinh hinh",
    "hien nay",
    "bao nhieu",
    "co",
    "con",
    "da",
    "duoc",
    "nhiem vu",
    "qua han",
    "thang",
    "nam nay",
    "how",
    "doing",
)
# "số liệu", "số nhiệm vụ", "bạn ơi" fold like "sở …", "ban …": the word after tells them apart.
NOT_NAME = frozenset(
    {
        "lieu",
        "luong",
        "nhiem",
        "ngay",
        "thang",
        "nam",
        "viec",
        "co",
        "da",
        "nao",
        "toi",
        "minh",
        "la",
        "bao",
        "qua",
        "can",
        "hay",
        "oi",
        "giup",
        "xem",
        "cho",
        "hop",
        "ve",
    }
)
_UNIT = re.compile(r"\b((?:" + "|".join(w.replace(" ", r"\s") for w in UNIT_WORDS) + r")\b.*)$")
_STOP = re.compile(r"\s\b(?:" + "|".join(w.replace(" ", r"\s") for w in ASKING) + r")\b")
_HOW = re.compile(r"^(?:tinh hinh\s+)?(.+?)\s+(?:the nao|nhu the nao|ra sao|nhu nao)$")
_MONTH = re.compile(r"\bthang\s+(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?\b")
_THIS_MONTH = re.compile(r"\bthang\s+nay\b|\bthis month\b")
_LAST_MONTH = re.compile(r"\bthang\s+truoc\b|\blast month\b")


@dataclass(frozen=True, slots=True)
class Question:
    """A command and its arguments, as if the user had typed `/command args…`."""

    command: str  # stats, overdue, unit, mine, chart, report, help
    args: tuple[str, ...] = ()


def interpret(text: str, *, today: date) -> Question:
    """What a plain question asks for, as a command; "help" when it is not understood."""
    folded = " ".join(re.sub(r"[^\w/]+", " ", fold(text)).split())
    if not folded:
        return Question("help")
    month = _month(folded, today)
    args = (month,) if month else ()
    if _has(folded, CHART):
        return Question("chart", args)
    if _has(folded, REPORT):
        return Question("report", args)
    if _has(folded, MINE):
        return Question("mine")
    unit = unit_phrase(folded)
    if unit:
        return Question("unit", (unit,))
    if _has(folded, OVERDUE):
        return Question("overdue")
    if _has(folded, STATS) or month:
        return Question("stats", args)
    return Question("help")


def _has(folded: str, keywords: tuple[str, ...]) -> bool:
    return any(re.search(rf"\b{re.escape(word)}\b", folded) for word in keywords)


def _month(folded: str, today: date) -> str | None:
    """`MM/YYYY` for "tháng 3" (this year, or last year when March is still to come),
    "tháng 3/2020", "tháng 3 năm 2020", "tháng này", "tháng trước"."""
    if _THIS_MONTH.search(folded):
        return f"{today.month:02d}/{today.year}"
    if _LAST_MONTH.search(folded):
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return f"{month:02d}/{year}"
    match = _MONTH.search(folded)
    if match is None:
        return None
    month = int(match.group(1))
    if not 1 <= month <= 12:
        return None
    if match.group(2):
        year = int(match.group(2))
    else:
        year = today.year if month <= today.month else today.year - 1
    return f"{month:02d}/{year}"


def unit_phrase(folded: str) -> str | None:
    """The unit a folded question names: "so y te the nao" → "so y te"; else None."""
    match = _UNIT.search(folded)
    if match is not None:
        phrase = match.group(1)
        stop = _STOP.search(phrase)
        if stop is not None:
            phrase = phrase[: stop.start()]
        words = phrase.split()
        if words[:2] == ["don", "vi"]:  # "đơn vị SYT": the code or name follows
            words = words[2:]
            named = bool(words) and words[0] not in NOT_NAME
        else:
            named = len(words) >= 2 and words[1] not in NOT_NAME
        if named:
            return " ".join(words)
    how = _HOW.match(folded)
    if how is not None and not _has(how.group(1), OVERDUE + STATS):
        return how.group(1).strip()
    return None
