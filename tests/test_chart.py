"""The /chart picture: a PNG a phone shows full width, bars in the four status colours."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from bot.chart import SEGMENTS, TOP_UNITS, WIDTH_PX, height_px, render_chart, top_units
from bot.figures import GroupFigures, year_figures


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
