"""The benchmarks of bench/ on tiny sizes, so that they keep working (CI never runs the full
sizes). Each runs as its command, as a user runs it, and writes its figures as JSON.

Timings are not judged here (CI's machine is shared and small); everything else is: every
part measured (no subject missing), and the figures that are not timings hold — no errors,
no 429 answers, no reminder left unsent, every officer answered.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_bench(name: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *args, "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode in (0, 1), f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert out.exists(), done.stdout + done.stderr
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert result["missing"] == [], result["missing"]
    return result


def judged(result: dict[str, Any]) -> dict[str, Any]:
    return {j["name"]: j for j in result["judged"]}


@pytest.fixture(scope="module")
def small_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated register of 2,000 tasks (U0001 leads 200 of them)."""
    path = tmp_path_factory.mktemp("bench") / "register.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--tasks", "2000", "--units", "5",
         "--people", "100", "--big-unit", "200", str(path)],
        cwd=ROOT, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return path


def test_answers_measures_every_answer_the_report_the_import_and_the_planner(
    small_register: Path, tmp_path: Path
) -> None:
    result = run_bench(
        "answers", tmp_path, "--db", str(small_register), "--units", "5", "--people", "100",
        "--calls", "5", "--import-tasks", "50",
    )  # fmt: skip
    names = set(judged(result))
    for command in ("/overdue", "/stats", "/unit U0001", "/tasks (head of U0001)"):
        assert f"{command} p95" in names
        assert f"{command} p95 − bare SQL p95" in names
        assert f"{command} p99 − bare SQL p99" in names
        assert f"{command} p99" in names
        assert f"{command} errors" not in names  # only there when the handler failed
    assert {"`dondoc report` .docx", "`dondoc report` .xlsx", "planner for a day"} <= names
    assert "the round's messages" in names
    assert "`dondoc import tasks` of 50" in names
    assert judged(result)["rows of the file not in the register"]["value"] == 0


def test_reminders_sends_a_round_within_the_limit_and_leaves_nothing_unsent(
    tmp_path: Path,
) -> None:
    result = run_bench("reminders", tmp_path, "--reminders", "50", "--rate", "25")
    figures = judged(result)
    assert figures["429 answers"]["value"] == 0
    assert figures["outbox rows left unsent"]["value"] == 0
    assert figures["officers not reminded"]["value"] == 0
    assert figures["calls the double refused"]["value"] == 0
    assert figures["achieved rate ÷ limit"]["value"] > 0


# Each /done puts the report before every admin (10 in the generated register): a few
# officers over a few seconds, so that no admin's chat goes past Telegram's 1 message/s.
@pytest.mark.parametrize(("mode", "officers", "seconds"), [("press", 30, 2), ("command", 5, 5)])
def test_e2e_answers_every_officer_without_errors(
    small_register: Path, tmp_path: Path, mode: str, officers: int, seconds: int
) -> None:
    result = run_bench(
        "e2e", tmp_path, "--db", str(small_register), "--officers", str(officers),
        "--seconds", str(seconds), "--mode", mode,
    )  # fmt: skip
    figures = judged(result)
    assert figures["errors (bot exceptions + refused calls)"]["value"] == 0
    assert figures["updates never answered"]["value"] == 0
    assert figures["peak RSS of the bot"]["value"] > 0
    assert result["figures"]["answered"] == f"{officers} of {officers}"


def test_sandbox_start_measures_a_first_and_a_later_start(tmp_path: Path) -> None:
    result = run_bench("sandbox_start", tmp_path, "--runs", "1")
    figures = judged(result)
    assert figures["first start, register filled from the sample"]["value"] > 0
    assert figures["start on a filled register, page answering"]["value"] > 0


def test_sync_pulls_a_304_then_merges_the_changed_rows_and_the_figures_hold(
    small_register: Path, tmp_path: Path
) -> None:
    result = run_bench(
        "sync", tmp_path, "--db", str(small_register), "--units", "5", "--people", "100",
        "--export", "2000",
    )  # fmt: skip
    figures = judged(result)
    assert figures["requests of the unchanged pull"]["value"] == 1
    assert figures["answered 304"]["value"] == 1
    assert figures["rows updated"]["value"] == 1000
    assert figures["figures differing from compute_figures"]["value"] == 0
    assert "pull of the export with 1,000 rows changed" in figures


def test_growth_sets_runs_at_two_register_sizes_side_by_side(
    small_register: Path, tmp_path: Path
) -> None:
    smaller = tmp_path / "smaller.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--tasks", "1000", "--units", "5",
         "--people", "100", "--big-unit", "100", str(smaller)],
        cwd=ROOT, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    runs, messages = [], []
    for tasks, register in ((1000, smaller), (2000, small_register)):
        folder = tmp_path / str(tasks)
        folder.mkdir()
        result = run_bench(
            "answers", folder, "--db", str(register), "--units", "5", "--people", "100",
            "--only", "planner",
        )  # fmt: skip
        assert result["figures"]["register"] == {"tasks": tasks, "units": 5, "people": 100}
        runs.append(str(folder / "answers.json"))
        messages.append(int(judged(result)["the round's messages"]["value"]))
    done = subprocess.run(
        [sys.executable, "-m", "bench.growth", *runs],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    header, _load, *rows = done.stdout.splitlines()
    assert header.split()[:5] == ["figure", "1k", "tasks", "2k", "tasks"]
    [row] = [
        cells for line in rows if (cells := re.split(r"\s{2,}", line))[0] == "the round's messages"
    ]
    small, large = messages
    assert row[1:4] == [f"{small:,}", f"{large:,}", f"×{large / small:.2f}"]
    assert row[5] == "≤ 27,000"
    for breaks in row[6:8]:  # the power law's, the straight line's
        assert breaks.endswith(("(extrapolated)", "beyond 100M", "never (flat or shrinking)"))
    # An output from before the register was recorded needs its size given.
    old = tmp_path / "old.json"
    older = json.loads(Path(runs[0]).read_text(encoding="utf-8"))
    del older["figures"]["register"]
    old.write_text(json.dumps(older), encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "bench.growth", str(old), runs[1]],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "=TASKS" in refused.stderr
    given = subprocess.run(
        [sys.executable, "-m", "bench.growth", f"{old}=1000", runs[1]],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert given.stdout == done.stdout
