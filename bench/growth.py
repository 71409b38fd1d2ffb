"""How the figures grow with the register: `python -m bench.growth RUN.json …`.

Reads the `--json` outputs of benchmarks run on registers of several sizes (bench.answers,
bench.sync, bench.e2e record the register's task count as the figure `register`; for an
older output give the count after the path: `RUN.json=1000000`). For each figure it prints
the value at each size, the growth from the smallest to the largest size (the ratio, and the
exponent b of a power law y = a·x^b fitted over all points by least squares on log-log;
"flat" when |b| < 0.1, under ×1.26 for a tenfold register), and for each judged figure the
register size at which the fitted curve reaches its bound, and where a straight line
y = c + m·x fitted the same way does (a fixed cost plus one per task, such as a command's
start and its rows, looks flatter as a power law than it is): extrapolations from the
measured sizes, on the machine and at the load they were measured at.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAT = 0.1  # |exponent| below this: under ×1.26 over a tenfold register
HORIZON = 100_000_000  # crossings past this many tasks are said "beyond 100M"
TIMING = re.compile(r"\bp(50|95|99) (-?[\d.]+) ms")
LEADING = re.compile(r"^(-?[\d,]*\.?\d+) ?(ms|s|min|bytes|MB)\b")


@dataclass(frozen=True)
class PowerLaw:
    """y = scale · x ** exponent."""

    scale: float
    exponent: float

    def __call__(self, x: float) -> float:
        return self.scale * x**self.exponent

    @property
    def flat(self) -> bool:
        return abs(self.exponent) < FLAT


def fit_power_law(points: list[tuple[float, float]]) -> PowerLaw | None:
    """Least squares on (ln x, ln y); None when it cannot be fitted: fewer than two sizes,
    or a value ≤ 0 among values that are not all equal. Equal values fit a flat line."""
    values = {y for _, y in points}
    if len(values) == 1:
        return PowerLaw(values.pop(), 0.0)
    if len({x for x, _ in points}) < 2 or min(values) <= 0 or min(x for x, _ in points) <= 0:
        return None
    fitted = statistics.linear_regression(
        [math.log(x) for x, _ in points], [math.log(y) for _, y in points]
    )
    return PowerLaw(math.exp(fitted.intercept), fitted.slope)


@dataclass(frozen=True)
class Line:
    """y = intercept + slope · x: a fixed cost (a process's start) plus one per task, which
    a power law over 100k–1M reads as a small exponent and so extrapolates too kindly."""

    intercept: float
    slope: float

    def __call__(self, x: float) -> float:
        return self.intercept + self.slope * x


def fit_line(points: list[tuple[float, float]]) -> Line | None:
    """Least squares on (x, y); None with fewer than two sizes."""
    if len({x for x, _ in points}) < 2:
        return None
    fitted = statistics.linear_regression([x for x, _ in points], [y for _, y in points])
    return Line(fitted.intercept, fitted.slope)


def crossing(fit: PowerLaw | Line, bound: float, *, at_most: bool = True) -> float | None:
    """The size at which the fitted curve reaches `bound` from the side it starts on; None
    when it never does: flat (a power law's |b| < 0.1), or moving away from the bound
    (shrinking towards an upper bound, growing away from a lower one), or a bound a power
    law cannot reach (≤ 0)."""
    if isinstance(fit, Line):
        if not (fit.slope > 0 if at_most else fit.slope < 0):
            return None
        size = (bound - fit.intercept) / fit.slope
        return size if size > 0 else None
    towards = fit.exponent >= FLAT if at_most else fit.exponent <= -FLAT
    if not towards or bound <= 0:
        return None
    return float((bound / fit.scale) ** (1 / fit.exponent))


def break_size(
    fit: PowerLaw | Line | None, bound: float, *, at_most: bool, largest: float,
    measured: float,
) -> str:  # fmt: skip
    """Where the bound breaks, in words: already (the value `measured` at the `largest` size
    is past it), at N tasks (extrapolated), beyond 100M, or never."""
    if not (measured <= bound if at_most else measured >= bound):
        return f"already past at {_tasks(largest)}"
    if fit is None:
        return "no fit (a value ≤ 0)"
    size = crossing(fit, bound, at_most=at_most)
    if size is None:
        return "never (flat or shrinking)" if at_most else "never (flat or growing)"
    if size <= largest:
        return f"~{_tasks(size)} tasks (the fit, within the measured sizes)"
    if size > HORIZON:
        return "beyond 100M"
    return f"~{_tasks(size)} tasks (extrapolated)"


def _tasks(size: float) -> str:
    if size >= 1e6:
        return f"{size / 1e6:.3g}M"
    return f"{size / 1e3:.3g}k"


# --- reading the runs ------------------------------------------------------------------------


@dataclass
class Figure:
    """One figure across the runs: its points (register size, value), its bound if judged."""

    name: str
    unit: str = ""
    bound: float | None = None
    at_most: bool = True
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Run:
    path: Path
    size: int
    load: float | None
    result: dict[str, Any]


def read_run(argument: str) -> Run:
    """A benchmark's JSON output; its register size from the figure `register` or from a
    `=TASKS` after the path."""
    path_text, _, size_text = argument.rpartition("=")
    if not path_text or not size_text.replace(",", "").replace("_", "").isdigit():
        path_text, size_text = argument, ""
    path = Path(path_text)
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    figures = result.get("figures", {})
    if size_text:
        size = int(size_text.replace(",", "").replace("_", ""))
    elif isinstance(figures.get("register"), dict) and "tasks" in figures["register"]:
        size = int(figures["register"]["tasks"])
    else:
        raise ValueError(f"{path}: no register size recorded; give it as {path}=TASKS")
    load = figures.get("machine", {}).get("load_1m")
    return Run(path, size, load, result)


def numbers(name: str, value: Any) -> list[tuple[str, float, str]]:
    """The numbers a plain figure holds: a latency line's p50/p95/p99, a leading number with
    its unit ("5.35 s, exit 0"), a number, or a flat dict of numbers."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [(name, float(value), "")]
    if isinstance(value, dict):
        return [
            (f"{name}: {key}", float(v), "")
            for key, v in value.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        ]
    if not isinstance(value, str):
        return []
    timings = TIMING.findall(value)
    if timings:
        return [(f"{name} p{q}", float(ms), " ms") for q, ms in timings]
    leading = LEADING.match(value)
    if leading:
        return [(name, float(leading.group(1).replace(",", "")), f" {leading.group(2)}")]
    return []


def collect(runs: list[Run]) -> list[Figure]:
    """Every judged figure (with its bound) and every plain figure holding a number, each
    with a point per run that has it; in the order the runs first name them."""
    found: dict[str, Figure] = {}
    for run in runs:
        for judged in run.result.get("judged", []):
            if judged.get("value") is None:
                continue
            figure = found.setdefault(judged["name"], Figure(judged["name"]))
            figure.unit = judged.get("unit", "")
            figure.bound, figure.at_most = float(judged["bound"]), bool(judged["at_most"])
            figure.points.append((run.size, float(judged["value"])))
        for name, value in run.result.get("figures", {}).items():
            if name in ("machine", "register"):
                continue
            for label, number, unit in numbers(name, value):
                if label in found and found[label].bound is not None:
                    continue  # the same figure judged: taken from there
                figure = found.setdefault(label, Figure(label, unit))
                figure.points.append((run.size, number))
    return list(found.values())


# --- the table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    by_size: dict[int, float]  # the median of the runs at each size
    growth: float | None  # largest size ÷ smallest
    law: PowerLaw | None
    bound: str
    breaks: str  # where the power law reaches the bound
    breaks_line: str  # where the straight line does


def row(figure: Figure) -> Row:
    """The figure's median at each size, its growth, its fit and where its bound breaks."""
    by_size_lists: dict[int, list[float]] = defaultdict(list)
    for size, value in figure.points:
        by_size_lists[int(size)].append(value)
    by_size = {s: statistics.median(v) for s, v in sorted(by_size_lists.items())}
    first, last = by_size[min(by_size)], by_size[max(by_size)]
    growth = last / first if len(by_size) > 1 and first > 0 and last >= 0 else None
    law = fit_power_law(figure.points) if len(by_size) > 1 else None
    bound, breaks, breaks_line = "", "", ""
    if figure.bound is not None:
        sign = "≤" if figure.at_most else "≥"
        bound = f"{sign} {_number(figure.bound)}{figure.unit}"
        breaks = breaks_line = "one size only"
        if len(by_size) > 1:
            breaks, breaks_line = (
                break_size(fit, figure.bound, at_most=figure.at_most, largest=max(by_size),
                           measured=last)
                # Flatness is the power law's to say; a line through noise would cross anywhere.
                for fit in (law, law if law is not None and law.flat else fit_line(figure.points))
            )  # fmt: skip
    return Row(figure.name, by_size, growth, law, bound, breaks, breaks_line)


def _number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}"


def _exponent(law: PowerLaw | None) -> str:
    if law is None:
        return "-"
    return f"{law.exponent:+.2f}" + (" flat" if law.flat else "")


def table(runs: list[Run], *, markdown: bool = False) -> str:
    sizes = sorted({run.size for run in runs})
    loads: dict[int, list[str]] = defaultdict(list)
    for run in runs:
        if run.load is not None:
            loads[run.size].append(f"{run.load:g}")
    head = ["figure", *(f"{_tasks(s)} tasks" for s in sizes), "growth", "exponent", "bound",
            "breaks at (power law)", "(straight line)"]  # fmt: skip
    lines = [head]
    lines.append(["load (1 min) at start", *(", ".join(loads[s]) or "-" for s in sizes),
                  "", "", "", "", ""])  # fmt: skip
    for figure in collect(runs):
        found = row(figure)
        cells = [f"{_number(found.by_size[s])}" if s in found.by_size else "" for s in sizes]
        growth = f"×{found.growth:.2f}" if found.growth is not None else "-"
        lines.append([found.name, *cells, growth, _exponent(found.law), found.bound,
                      found.breaks, found.breaks_line])  # fmt: skip
    if markdown:
        out = ["| " + " | ".join(line) + " |" for line in lines]
        out.insert(1, "|" + " --- |" * len(head))
        return "\n".join(out)
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.growth",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("runs", nargs="+", metavar="RUN.json[=TASKS]")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    try:
        runs = [read_run(argument) for argument in args.runs]
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    print(table(runs, markdown=args.markdown))
    sizes = sorted({run.size for run in runs})
    if len(sizes) < 2:
        print("only one register size: no growth to fit")
    print(
        "growth: a figure at its largest size ÷ at its smallest; exponent: b of"
        f" y = a·x^b over all {len(runs)} runs (flat: |b| < {FLAT}); breaks at: where the"
        " fitted power law, and a straight line y = c + m·x fitted the same way, reach the"
        " bound, extrapolated from these sizes on this machine"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
