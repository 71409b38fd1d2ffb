"""The /chart picture: per lead unit, its tasks of the year to date as one horizontal bar of
completed on time, completed late, open in time and overdue.

1080 px wide, as tall as the bars need, made for a phone that shows it about 390 px wide:
text of 18–26 pt at 150 dpi (about 14–20 px on the phone, as chat text), the unit's name
on its own line above its bar so the bar has the whole width, and every segment's number
shown: inside when it fits, else under the bar with a short leader line.
The palette is blue/orange from Okabe & Ito (2008), safe in deuteranopia and protanopia:
blue for in time (dark: completed, light: still open), orange for late (light: completed
late, dark vermilion: overdue), each pair told apart by lightness as well as hue.
matplotlib is imported when a chart is drawn, not when the bot starts, and only through
its object API (no pyplot state shared between threads).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.formats import format_date, format_int
from bot.models import GroupFigures
from bot.texts import plain

WIDTH_PX = 1080
DPI = 150
TOP_UNITS = 15
# (YearFigures attribute, catalogue key of its legend label, colour)
SEGMENTS = (
    ("on_time", "chart.on_time", "#0072b2"),  # Okabe–Ito blue
    ("late", "chart.late", "#e69f00"),  # orange
    ("open_in_time", "chart.open_in_time", "#56b4e9"),  # sky blue
    ("open_overdue", "chart.open_overdue", "#d55e00"),  # vermilion
)
# The colour of a number written inside a segment: white on the dark ones.
INK = {"#0072b2": "white", "#e69f00": "black", "#56b4e9": "black", "#d55e00": "white"}
TITLE_PT, TEXT_PT, NUMBER_PT, SMALL_PT = 24, 20, 18, 16
_HEAD_PX = 420  # the title (two lines), the subtitle and the legend (two rows)
_BAR_PX = 165  # a unit: its name, its bar, the numbers under it
_FOOT_PX = 110
_PLOT = (0.03, 0.94)  # the bars' left edge and width, as parts of the figure's width


def _px(pt: float) -> float:
    return pt * DPI / 72


def top_units(units: Sequence[GroupFigures], limit: int = TOP_UNITS) -> list[GroupFigures]:
    """The units with the most tasks (then by code), at most `limit`, none without tasks."""
    with_tasks = [unit for unit in units if unit.figures.assigned > 0]
    with_tasks.sort(key=lambda unit: (-unit.figures.assigned, unit.code))
    return with_tasks[:limit]


def height_px(bars: int) -> int:
    return _HEAD_PX + _BAR_PX * max(bars, 1) + _FOOT_PX


def text_px(text: str, pt: float) -> float:
    """About how wide `text` is drawn (DejaVu Sans digits: 0.64 em), in pixels."""
    return len(text) * 0.64 * _px(pt)


@dataclass(frozen=True, slots=True)
class Label:
    """Where a segment's number goes: its centre x in pixels from the bar's start, and
    whether it is inside the segment (else under the bar, at `x`, with a leader to
    `anchor`, the segment's centre)."""

    text: str
    x: float
    anchor: float
    inside: bool


def segment_labels(values: Sequence[int], px_per_task: float, lang: str = "vi") -> list[Label]:
    """A number for every segment that is not empty: inside when it fits with a margin,
    else under the bar, pushed right so that it does not overlap the one before."""
    labels: list[Label] = []
    left, free = 0.0, 0.0  # `free`: where the next number under the bar may start
    for value in values:
        width = value * px_per_task
        centre = left + width / 2
        left += width
        if not value:
            continue
        text = format_int(value, lang)
        if text_px(text, NUMBER_PT) + 12 <= width:
            labels.append(Label(text, centre, centre, inside=True))
            continue
        half = text_px(text, SMALL_PT) / 2
        x = max(centre, free + half + 10)
        labels.append(Label(text, x, centre, inside=False))
        free = x + half
    return labels


def render_chart(
    units: Sequence[GroupFigures],
    *,
    year_start: date,
    as_of: date,
    lang: str = "vi",
    limit: int = TOP_UNITS,
) -> bytes:
    """The chart as PNG bytes, WIDTH_PX wide and `height_px(bars)` high."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = top_units(units, limit)
    total_units = sum(1 for unit in units if unit.figures.assigned > 0)
    height = height_px(len(shown))
    figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    title = "\n".join(textwrap.wrap(plain(lang, "chart.title"), 34)[:2])
    figure.text(0.5, 1 - 30 / height, title, ha="center", va="top", fontsize=TITLE_PT,
                fontweight="bold", linespacing=1.15)  # fmt: skip
    figure.text(
        0.5,
        1 - 200 / height,
        plain(lang, "chart.subtitle", start=format_date(year_start), end=format_date(as_of)),
        ha="center",
        va="center",
        fontsize=SMALL_PT,
    )
    left, width = _PLOT
    axes = figure.add_axes((left, _FOOT_PX / height, width, 1 - (_HEAD_PX + _FOOT_PX) / height))
    axes.set_axis_off()
    if not shown:
        axes.text(0.5, 0.5, plain(lang, "chart.empty"), ha="center", va="center",
                  fontsize=TEXT_PT, wrap=True)  # fmt: skip
        return _png(figure)
    largest = max(unit.figures.assigned for unit in shown)
    axes.set_xlim(0, largest * 1.16)  # room for the total after the longest bar
    axes.set_ylim(len(shown) - 0.5, -0.62)  # the first unit on top
    px_per_task = width * WIDTH_PX / (largest * 1.16)
    handles: list[Any] = []
    for row, unit in enumerate(shown):
        values = [getattr(unit.figures, attr) for attr, _, _ in SEGMENTS]
        axes.text(0, row - 0.2, _label(unit.name), ha="left", va="bottom", fontsize=TEXT_PT)
        start = 0
        for value, (_, key, colour) in zip(values, SEGMENTS, strict=True):
            bar = axes.barh(row, value, left=start, height=0.36, color=colour,
                            label=plain(lang, key))  # fmt: skip
            if row == 0:
                handles.append(bar.patches[0])
            start += value
        axes.text(unit.figures.assigned + largest * 0.015, row,
                  format_int(unit.figures.assigned, lang), ha="left", va="center",
                  fontsize=TEXT_PT, fontweight="bold")  # fmt: skip
        for label, colour in _with_colours(segment_labels(values, px_per_task, lang), values):
            x, anchor = label.x / px_per_task, label.anchor / px_per_task
            if label.inside:
                axes.text(x, row, label.text, ha="center", va="center", fontsize=NUMBER_PT,
                          fontweight="bold", color=INK[colour])  # fmt: skip
            else:
                axes.plot([anchor, x], [row + 0.18, row + 0.27], color="#444444", lw=1.2)
                axes.text(x, row + 0.27, label.text, ha="center", va="top", fontsize=SMALL_PT,
                          color="#222222")  # fmt: skip
    figure.legend(
        handles,
        [plain(lang, key) for _, key, _ in SEGMENTS],
        loc="upper center",
        ncol=2,
        fontsize=SMALL_PT,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.0,
        bbox_to_anchor=(0.5, 1 - 235 / height),
    )
    if total_units > len(shown):
        figure.text(
            0.5,
            30 / height,
            plain(lang, "chart.top", shown=len(shown), total=format_int(total_units, lang)),
            ha="center",
            va="bottom",
            fontsize=SMALL_PT,
            style="italic",
        )
    return _png(figure)


def _with_colours(labels: list[Label], values: Sequence[int]) -> list[tuple[Label, str]]:
    """Each label with its segment's colour (labels are made for the non-empty ones)."""
    colours = [colour for value, (_, _, colour) in zip(values, SEGMENTS, strict=True) if value]
    return list(zip(labels, colours, strict=True))


def _label(name: str, width: int = 44) -> str:
    """A unit's name on one line above its bar, shortened with "…" when longer."""
    return textwrap.shorten(name, width, placeholder=" …")


def _png(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
