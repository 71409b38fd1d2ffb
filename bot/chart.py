"""The /chart picture: per lead unit, its tasks of the year to date as one horizontal bar of
completed on time, completed late, open in time and overdue (green, orange, blue, red).

1080 px wide, as tall as the bars need: a phone shows it full width and every label reads.
matplotlib is imported when a chart is drawn, not when the bot starts, and only through
its object API (no pyplot state shared between threads).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.figures import GroupFigures
from bot.formats import format_date, format_int
from bot.texts import plain

WIDTH_PX = 1080
DPI = 150
TOP_UNITS = 15
# (YearFigures attribute, catalogue key of its legend label, colour)
SEGMENTS = (
    ("on_time", "chart.on_time", "#2e7d32"),
    ("late", "chart.late", "#ef6c00"),
    ("open_in_time", "chart.open_in_time", "#1565c0"),
    ("open_overdue", "chart.open_overdue", "#c62828"),
)
_HEAD_PX = 215  # title, subtitle and legend
_BAR_PX = 78
_FOOT_PX = 90


def top_units(units: Sequence[GroupFigures], limit: int = TOP_UNITS) -> list[GroupFigures]:
    """The units with the most tasks (then by code), at most `limit`, none without tasks."""
    with_tasks = [unit for unit in units if unit.figures.assigned > 0]
    with_tasks.sort(key=lambda unit: (-unit.figures.assigned, unit.code))
    return with_tasks[:limit]


def height_px(bars: int) -> int:
    return _HEAD_PX + _BAR_PX * max(bars, 1) + _FOOT_PX


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
    from matplotlib.ticker import MaxNLocator

    shown = top_units(units, limit)
    total_units = sum(1 for unit in units if unit.figures.assigned > 0)
    width_in = WIDTH_PX / DPI
    height_in = height_px(len(shown)) / DPI
    figure = Figure(figsize=(width_in, height_in), dpi=DPI)
    FigureCanvasAgg(figure)
    head, foot = _HEAD_PX / height_px(len(shown)), _FOOT_PX / height_px(len(shown))
    axes = figure.add_axes((0.36, foot, 0.58, 1 - head - foot))
    figure.text(
        0.5,
        1 - 40 / height_px(len(shown)),
        plain(lang, "chart.title"),
        ha="center",
        va="center",
        fontsize=15,
        fontweight="bold",
    )
    figure.text(
        0.5,
        1 - 82 / height_px(len(shown)),
        plain(lang, "chart.subtitle", start=format_date(year_start), end=format_date(as_of)),
        ha="center",
        va="center",
        fontsize=11,
    )
    if not shown:
        axes.set_axis_off()
        axes.text(0.5, 0.5, plain(lang, "chart.empty"), ha="center", va="center", fontsize=13)
        return _png(figure)
    names = [_label(unit.name) for unit in shown]
    rows = list(range(len(shown)))
    lefts = [0] * len(shown)
    largest = max(unit.figures.assigned for unit in shown)
    for attr, key, colour in SEGMENTS:
        values = [getattr(unit.figures, attr) for unit in shown]
        axes.barh(rows, values, left=lefts, color=colour, height=0.7, label=plain(lang, key))
        for row, (left, value) in enumerate(zip(lefts, values, strict=True)):
            if value and value >= largest * 0.07:  # a number only where it fits in its piece
                axes.text(
                    left + value / 2,
                    row,
                    format_int(value, lang),
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=9,
                    fontweight="bold",
                )
        lefts = [left + value for left, value in zip(lefts, values, strict=True)]
    for row, total in enumerate(lefts):
        axes.text(total + largest * 0.01, row, format_int(total, lang), va="center", fontsize=10)
    axes.set_yticks(rows, names, fontsize=10)
    axes.invert_yaxis()
    axes.set_xlim(0, largest * 1.12)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # tasks are whole
    axes.xaxis.set_major_formatter(lambda x, _: format_int(int(x), lang))
    axes.tick_params(axis="x", labelsize=9)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    handles, labels = axes.get_legend_handles_labels()
    figure.legend(
        handles,
        labels,
        loc="upper center",
        ncol=2,
        fontsize=10,
        frameon=False,
        bbox_to_anchor=(0.5, 1 - 105 / height_px(len(shown))),
    )
    if total_units > len(shown):
        figure.text(
            0.5,
            18 / height_px(len(shown)),
            plain(lang, "chart.top", shown=len(shown), total=format_int(total_units, lang)),
            ha="center",
            va="bottom",
            fontsize=9,
            style="italic",
        )
    return _png(figure)


def _label(name: str, width: int = 24) -> str:
    """A unit's name on at most two lines, shortened with "…" when longer."""
    lines = textwrap.wrap(name, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder=" …")]
    return "\n".join(lines)


def _png(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
