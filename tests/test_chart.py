"""The /chart picture: a PNG a phone shows full width, bars in the four status colours."""

from __future__ import annotations

import io
import itertools
from datetime import date

from PIL import Image

from bot.chart import (
    DPI,
    NUMBER_PT,
    SEGMENTS,
    SMALL_PT,
    TEXT_PT,
    TOP_UNITS,
    WIDTH_PX,
    height_px,
    render_chart,
    segment_labels,
    text_px,
    top_units,
)
from bot.models import GroupFigures, year_figures


def unit(code: str, name: str, on_time: int, late: int, in_time: int, overdue: int) -> GroupFigures:
    figures = year_figures(on_time=on_time, late=late, open_in_time=in_time, open_overdue=overdue)
    return GroupFigures(code, name, figures)


def colours(png: bytes) -> set[object]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return {rgb for _, rgb in image.getcolors(maxcolors=1_000_000) or []}


def hex_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def test_chart_is_a_png_of_the_expected_size_with_the_four_colours() -> None:
    units = [
        unit("SYT", "Sở Y tế", 40, 5, 10, 3),
        unit("STNMT", "Sở Tài nguyên và Môi trường", 30, 4, 8, 6),
        unit("UBCL", "UBND huyện Cao Lộc", 20, 2, 6, 1),
    ]
    png = render_chart(units, year_start=date(2020, 1, 1), as_of=date(2020, 3, 31))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (WIDTH_PX, height_px(3))
    found = colours(png)
    for _, _, colour in SEGMENTS:
        assert hex_rgb(colour) in found


def test_many_units_show_the_top_ones_only() -> None:
    units = [unit(f"U{i:02d}", f"Đơn vị {i}", i, 0, 1, 0) for i in range(1, 31)]
    shown = top_units(units)
    assert len(shown) == TOP_UNITS
    assert [u.code for u in shown[:3]] == ["U30", "U29", "U28"]
    png = render_chart(units, year_start=date(2020, 1, 1), as_of=date(2020, 3, 31))
    assert Image.open(io.BytesIO(png)).size == (WIDTH_PX, height_px(TOP_UNITS))


def test_units_without_tasks_are_left_out() -> None:
    units = [unit("A", "Sở A", 1, 0, 0, 0), unit("B", "Sở B", 0, 0, 0, 0)]
    assert [u.code for u in top_units(units)] == ["A"]


# --- on a phone, for every reader (issue 14) -------------------------------------------------

PHONE_PX = 390  # how wide a phone shows the picture
# Machado, Oliveira & Fernandes (2009), severity 1: what a reader with deuteranopia or
# protanopia sees, as a matrix over linear RGB.
DEUTERANOPIA = (
    (0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
    (-0.011820, 0.042940, 0.968881),
)  # fmt: skip
PROTANOPIA = (
    (0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
    (-0.003882, -0.048116, 1.051998),
)  # fmt: skip


def seen_with(matrix: tuple[tuple[float, ...], ...], colour: str) -> tuple[float, ...]:
    def linear(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    def srgb(x: float) -> float:
        x = min(max(x, 0.0), 1.0)
        return 255 * (12.92 * x if x <= 0.0031308 else 1.055 * x ** (1 / 2.4) - 0.055)

    rgb = [linear(c) for c in hex_rgb(colour)]
    return tuple(srgb(sum(row[k] * rgb[k] for k in range(3))) for row in matrix)


def test_the_four_colours_stay_apart_for_colour_blind_readers() -> None:
    palette = [colour for _, _, colour in SEGMENTS]
    for matrix in (DEUTERANOPIA, PROTANOPIA):
        seen = [seen_with(matrix, colour) for colour in palette]
        closest = min(
            sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5
            for a, b in itertools.combinations(seen, 2)
        )
        assert closest >= 50  # the former green beside red: 28 in deuteranopia


def test_text_reads_on_a_phone_as_chat_text_does() -> None:
    """The picture is shown about 390 px wide: a label of TEXT_PT must be at least 14 px
    there (chat text is 15–17 px), a number under a bar at least 11 px."""
    scale = PHONE_PX / WIDTH_PX
    assert TEXT_PT * DPI / 72 * scale >= 14
    assert min(SMALL_PT, NUMBER_PT) * DPI / 72 * scale >= 11


def test_every_segment_has_its_number_even_a_small_one() -> None:
    values = [600, 3, 2, 280, 0, 1]
    labels = segment_labels(values, px_per_task=1.0)
    assert [label.text for label in labels] == ["600", "3", "2", "280", "1"]
    assert [label.inside for label in labels] == [True, False, False, True, False]
    outside = [label for label in labels if not label.inside]
    for before, after in itertools.pairwise(outside):  # side by side, never on each other
        assert (
            after.x - before.x
            >= (text_px(before.text, SMALL_PT) + text_px(after.text, SMALL_PT)) / 2
        )
    # A number under the bar points at its own segment.
    assert outside[0].anchor == 600 + 3 / 2


def test_thousands_are_written_the_vietnamese_way() -> None:
    labels = segment_labels([1140, 5], px_per_task=0.5)
    assert [label.text for label in labels] == ["1.140", "5"]
