"""What every benchmark shares: timings, the machine, judged figures and the exit code.

A benchmark collects plain figures (`Bench.figure`) and judged ones (`Bench.judge`, a value
beside its bound). It prints them, then the verdict; the exit code is 0 when every judged
figure holds, 1 when one fails, 3 when a subject (the code it measures) is not there yet.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_MISSING = 0, 1, 3


class SubjectMissing(Exception):
    """The module or function a benchmark measures does not exist (yet)."""


def subject(module: str, *names: str) -> Any:
    """`module.name` (or the module itself), or SubjectMissing saying which is absent."""
    try:
        found: Any = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            raise SubjectMissing(f"module {module} is missing") from exc
        raise
    values = []
    for name in names:
        if not hasattr(found, name):
            raise SubjectMissing(f"{module}.{name} is missing")
        values.append(getattr(found, name))
    if not names:
        return found
    return values[0] if len(values) == 1 else tuple(values)


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Timing:
    """Latencies in milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ms = [s * 1000 for s in seconds]
        return cls(
            count=len(ms),
            p50=percentile(ms, 50),
            p95=percentile(ms, 95),
            p99=percentile(ms, 99),
            mean=statistics.fmean(ms),
            max=max(ms),
        )

    def __str__(self) -> str:
        return (
            f"p50 {self.p50:.2f} ms  p95 {self.p95:.2f} ms  p99 {self.p99:.2f} ms  (n={self.count})"
        )


def machine() -> dict[str, Any]:
    """Where the figures came from: cores, CPU model, RAM, Python, load when measured."""
    model = platform.processor() or platform.machine()
    ram_gb = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(ram_gb, 1),
        "python": platform.python_version(),
        "sqlite": __import__("sqlite3").sqlite_version,
        "load_1m": round(load[0], 2),
    }


@dataclass
class Judged:
    """A figure beside its bound: `value ≤ bound` (at_most) or `value ≥ bound`."""

    name: str
    value: float | None
    bound: float
    unit: str = ""
    at_most: bool = True
    note: str = ""

    @property
    def passed(self) -> bool:
        if self.value is None:
            return False
        return self.value <= self.bound if self.at_most else self.value >= self.bound

    def line(self) -> str:
        sign = "≤" if self.at_most else "≥"
        if self.value is None:
            return f"  MISSING {self.name}: {self.note}"
        verdict = "ok  " if self.passed else "FAIL"
        note = f"  ({self.note})" if self.note else ""
        value, bound = f"{_num(self.value)}{self.unit}", f"{_num(self.bound)}{self.unit}"
        return f"  {verdict}    {self.name}: {value} {sign} {bound}{note}"


def _num(value: float) -> str:
    if value == int(value) and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


@dataclass
class Bench:
    """One benchmark run: figures, judged figures, subjects found missing."""

    title: str
    figures: dict[str, Any] = field(default_factory=dict)
    judged: list[Judged] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def figure(self, name: str, value: Any) -> None:
        self.figures[name] = value
        print(f"  {name}: {value}", flush=True)

    def judge(
        self, name: str, value: float, bound: float, *, unit: str = "", at_most: bool = True,
        note: str = "",
    ) -> Judged:  # fmt: skip
        judged = Judged(name, value, bound, unit, at_most, note)
        self.judged.append(judged)
        print(judged.line(), flush=True)
        return judged

    def subject_missing(self, name: str, exc: SubjectMissing) -> None:
        """A benchmark part that cannot run because what it measures is not built yet."""
        self.missing.append(f"{name}: {exc}")
        self.judged.append(Judged(name, None, 0, note=f"subject missing ({exc})"))
        print(f"  MISSING {name}: subject missing ({exc})", flush=True)

    def header(self, **conditions: Any) -> None:
        print(f"== {self.title}", flush=True)
        info = machine() | conditions
        self.figures["machine"] = info
        print("  " + "  ".join(f"{k}={v}" for k, v in info.items()), flush=True)

    def exit_code(self) -> int:
        if any(j.value is not None and not j.passed for j in self.judged):
            return EXIT_FAILED
        if self.missing:
            return EXIT_MISSING
        return EXIT_OK

    def finish(self, *, json_out: Path | None = None) -> int:
        """Print the verdict (and write the figures as JSON when asked); the exit code."""
        code = self.exit_code()
        seconds = time.perf_counter() - self.started
        verdict = {EXIT_OK: "PASS", EXIT_FAILED: "FAIL", EXIT_MISSING: "INCOMPLETE"}[code]
        failed = [j.name for j in self.judged if j.value is not None and not j.passed]
        print(f"== {self.title}: {verdict} in {seconds:.1f} s", flush=True)
        if failed:
            print("   failed: " + ", ".join(failed), flush=True)
        for line in self.missing:
            print(f"   subject missing: {line}", flush=True)
        if json_out is not None:
            payload = {
                "title": self.title,
                "verdict": verdict,
                "figures": self.figures,
                "judged": [asdict(j) | {"passed": j.passed} for j in self.judged],
                "missing": self.missing,
            }
            json_out.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
        sys.stdout.flush()
        return code
