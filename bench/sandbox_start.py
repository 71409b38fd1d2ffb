"""How long the practice room takes to start: `python -m bench.sandbox_start [--runs 3]`.

`dondoc sandbox --port 0` runs as a user runs it (a new process, the installed package) on
a new data folder: the first start fills the register from the sample (500 tasks), the next
ones open it as it is. Measured for each start: from the process's start to the page
answering (the address printed, then GET / and /api/people answered), and to the bot's first
answer (a stranger's /start, answered on the page's event stream). Judged: the median start
on a filled register ≤ 5 s, and the first start ≤ 5 s (the issue's bound).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.common import Bench

STRANGER = 7_000_000
BOUND = 5.0
_URL = re.compile(r"http://127\.0\.0\.1:\d+/")


async def one_start(data: Path, cwd: Path) -> tuple[float, float]:
    """Seconds to the page answering, and to the bot's first answer."""
    began = time.perf_counter()
    env = dict(os.environ, DONDOC_CONFIG=str(cwd / "absent.toml"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--port", "0", "--data", str(data),
        cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        url = None
        while url is None:
            line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
            if not line:
                raise RuntimeError("dondoc sandbox stopped before printing its address")
            found = _URL.search(line)
            url = found.group(0) if found else None
        async with aiohttp.ClientSession() as session:
            for path in ("", "api/people"):
                async with session.get(url + path) as response:
                    assert response.status == 200, await response.text()
            ready = time.perf_counter() - began
            async with session.get(f"{url}api/events/{STRANGER}") as stream:
                body = {"text": "/start"}
                async with session.post(f"{url}api/send/{STRANGER}", json=body) as sent:
                    assert sent.status == 200
                while True:
                    line = (await asyncio.wait_for(stream.content.readline(), 60)).decode()
                    if line.startswith("data: ") and json.loads(line[6:]).get("from") == "bot":
                        break
            answered = time.perf_counter() - began
        return ready, answered
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
        if process.returncode != 0:
            raise RuntimeError(f"dondoc sandbox exited with {process.returncode}")


async def measure(runs: int, bench: Bench) -> None:
    with tempfile.TemporaryDirectory(prefix="dondoc-sandbox-bench-") as folder:
        cwd = Path(folder)
        first_ready, first_answer = await one_start(cwd / "data", cwd)
        bench.figure("first start (register filled from the sample): page / first answer",
                     f"{first_ready:.2f} s / {first_answer:.2f} s")  # fmt: skip
        later = [await one_start(cwd / "data", cwd) for _ in range(runs)]
        ready = statistics.median(r for r, _ in later)
        answer = statistics.median(a for _, a in later)
        bench.figure(f"later starts (median of {runs}): page / first answer",
                     f"{ready:.2f} s / {answer:.2f} s")  # fmt: skip
        bench.judge("start on a filled register, page answering", ready, BOUND, unit=" s")
        bench.judge("first start, register filled from the sample", first_ready, BOUND, unit=" s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="starts on a filled register")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    bench = Bench("dondoc sandbox: start")
    bench.header(runs=args.runs)
    asyncio.run(measure(args.runs, bench))
    return bench.finish(json_out=args.json)


if __name__ == "__main__":
    sys.exit(main())
