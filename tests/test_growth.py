"""bench.growth's fit and crossings: known power laws give known break sizes; flat or
shrinking curves give none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.growth import (
    Figure,
    Line,
    PowerLaw,
    break_size,
    collect,
    crossing,
    fit_line,
    fit_power_law,
    numbers,
    read_run,
    row,
)

SIZES = (100_000, 300_000, 1_000_000)


def points(scale: float, exponent: float) -> list[tuple[float, float]]:
    return [(x, scale * x**exponent) for x in SIZES]


def test_a_linear_figure_fits_exponent_one_and_crosses_where_the_line_does() -> None:
    law = fit_power_law(points(2e-6, 1.0))  # 0.2 s at 100k, 2 s at 1M
    assert law is not None
    assert law.exponent == pytest.approx(1.0)
    assert law.scale == pytest.approx(2e-6)
    assert crossing(law, 3.0) == pytest.approx(1_500_000)


def test_a_square_root_figure_crosses_at_the_square_of_the_headroom() -> None:
    law = fit_power_law(points(0.01, 0.5))  # 10 ms at 1M
    assert law is not None
    assert law.exponent == pytest.approx(0.5)
    # 50 ms is 5× the value at 1M: a square root gets there at 25× the size.
    assert crossing(law, 50) == pytest.approx(25_000_000)


def test_the_fit_is_least_squares_over_noisy_points() -> None:
    noisy = [(1e5, 1.1), (3e5, 2.7), (1e6, 10.5), (1e6, 9.5)]
    law = fit_power_law(noisy)
    assert law is not None
    assert 0.9 < law.exponent < 1.05


def test_a_flat_figure_never_crosses_even_with_a_little_noise() -> None:
    law = fit_power_law([(1e5, 5.0), (3e5, 5.2), (1e6, 5.4)])
    assert law is not None and law.flat
    assert crossing(law, 6.0) is None
    assert break_size(law, 6.0, at_most=True, largest=1e6, measured=5.4) == (
        "never (flat or shrinking)"
    )


def test_equal_values_fit_a_flat_line_even_at_zero() -> None:
    law = fit_power_law([(1e5, 0.0), (1e6, 0.0)])
    assert law == PowerLaw(0.0, 0.0)
    assert break_size(law, 0, at_most=True, largest=1e6, measured=0.0) == (
        "never (flat or shrinking)"
    )


def test_a_shrinking_figure_never_reaches_an_upper_bound() -> None:
    law = fit_power_law(points(1e3, -0.5))
    assert law is not None
    assert crossing(law, 50, at_most=True) is None


def test_a_lower_bound_breaks_when_the_figure_falls_to_it() -> None:
    law = fit_power_law(points(1e6, -1.0))  # 10 at 100k, 1 at 1M
    assert law is not None
    assert crossing(law, 0.5, at_most=False) == pytest.approx(2_000_000)
    assert crossing(law, 0.5, at_most=True) is None


def test_break_size_says_extrapolated_beyond_100m_or_already() -> None:
    linear = PowerLaw(2e-6, 1.0)
    assert break_size(linear, 3.0, at_most=True, largest=1e6, measured=2.0) == (
        "~1.5M tasks (extrapolated)"
    )
    assert break_size(linear, 1000, at_most=True, largest=1e6, measured=2.0) == "beyond 100M"
    assert break_size(linear, 1.0, at_most=True, largest=1e6, measured=2.0) == (
        "already past at 1M"
    )


def test_a_value_at_or_below_zero_among_others_cannot_be_fitted() -> None:
    assert fit_power_law([(1e5, -0.4), (1e6, 0.3)]) is None
    assert break_size(None, 1.5, at_most=True, largest=1e6, measured=0.3) == (
        "no fit (a value ≤ 0)"
    )
    assert fit_power_law([(1e6, 1.0), (1e6, 2.0)]) is None  # one size only


def test_a_fixed_cost_plus_one_per_task_breaks_sooner_on_a_straight_line() -> None:
    # A command of 0.5 s to start plus 0.5 s a million tasks: 3 s at 5M tasks.
    start_and_rows = [(x, 0.5 + 0.5e-6 * x) for x in SIZES]
    line = fit_line(start_and_rows)
    assert line is not None
    assert line.intercept == pytest.approx(0.5)
    assert crossing(line, 3.0) == pytest.approx(5_000_000)
    law = fit_power_law(start_and_rows)
    assert law is not None and 0.1 < law.exponent < 0.4
    later = crossing(law, 3.0)
    assert later is not None and later > 20_000_000  # the power law is kinder than the line
    assert break_size(line, 3.0, at_most=True, largest=1e6, measured=1.0) == (
        "~5M tasks (extrapolated)"
    )


def test_a_straight_line_never_reaches_a_bound_it_moves_away_from() -> None:
    assert crossing(Line(5.0, 0.0), 6.0) is None
    assert crossing(Line(5.0, -1e-6), 6.0) is None
    assert crossing(Line(10.0, -1e-6), 0.5, at_most=False) == pytest.approx(9_500_000)
    assert fit_line([(1e6, 1.0), (1e6, 2.0)]) is None


def test_numbers_reads_latencies_leading_numbers_and_dicts() -> None:
    line = "p50 6.42 ms  p95 9.58 ms  p99 12.00 ms  (n=200)"
    assert numbers("/overdue bare SQL", line) == [
        ("/overdue bare SQL p50", 6.42, " ms"),
        ("/overdue bare SQL p95", 9.58, " ms"),
        ("/overdue bare SQL p99", 12.0, " ms"),
    ]
    assert numbers("again", "5.35 s, exit 0") == [("again", 5.35, " s")]
    assert numbers("size", "207,123 bytes") == [("size", 207123.0, " bytes")]
    assert numbers("kinds", {"morning": 19970, "digest": 10}) == [
        ("kinds: morning", 19970.0, ""),
        ("kinds: digest", 10.0, ""),
    ]
    assert numbers("planner round", "RoundResult(planned=3)") == []


def write_run(path: Path, *, tasks: int | None, seconds: float) -> Path:
    figures: dict[str, object] = {"machine": {"load_1m": 1.5}}
    if tasks is not None:
        figures["register"] = {"tasks": tasks, "units": 10, "people": 100}
    judged = [{"name": "round", "value": seconds, "bound": 2, "unit": " s", "at_most": True}]
    path.write_text(json.dumps({"figures": figures, "judged": judged}), encoding="utf-8")
    return path


def test_a_run_reads_its_size_from_the_register_figure_or_after_the_path(tmp_path: Path) -> None:
    recorded = write_run(tmp_path / "a.json", tasks=300_000, seconds=0.6)
    older = write_run(tmp_path / "b.json", tasks=None, seconds=2.0)
    assert read_run(str(recorded)).size == 300_000
    assert read_run(f"{older}=1,000,000").size == 1_000_000
    with pytest.raises(ValueError, match="no register size"):
        read_run(str(older))
    [figure] = collect([read_run(str(recorded)), read_run(f"{older}=1000000")])
    assert figure.bound == 2
    assert figure.points == [(300_000, 0.6), (1_000_000, 2.0)]


def test_a_row_gives_medians_growth_and_both_break_sizes() -> None:
    report = Figure("report", " s", 3.0, True, [(x, 0.5 + 0.5e-6 * x) for x in SIZES])
    found = row(report)
    assert found.by_size == {100_000: 0.55, 300_000: 0.65, 1_000_000: 1.0}
    assert found.growth == pytest.approx(1.0 / 0.55)
    assert found.bound == "≤ 3 s"
    assert found.breaks_line == "~5M tasks (extrapolated)"
    # A flat figure stays flat on the line too: noise does not make a crossing.
    noisy = Figure("import", " s", 20.0, True, [(1e5, 7.6), (3e5, 9.1), (1e6, 8.4), (1e6, 8.9)])
    flat = row(noisy)
    assert flat.law is not None and flat.law.flat
    assert flat.breaks == flat.breaks_line == "never (flat or shrinking)"
    assert flat.by_size[1_000_000] == pytest.approx(8.65)
