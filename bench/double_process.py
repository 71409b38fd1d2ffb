"""The Bot API test double in a process of its own, so that what a benchmark measures in its
own process (the sender) does not share a core with the double.

`python -m bench.double_process --token T --rate R --users N` prints one line `PORT CONTROL`
when ready: the Bot API on PORT, and on CONTROL `GET /report` (the double's counters and the
arrival times of its sendMessage calls, in seconds from the first) and `POST /stop`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError, ClientSession, web

from bench.double import TimedDouble, limits


def report(double: TimedDouble) -> dict[str, Any]:
    calls = double.timed_calls("sendMessage")
    stamps = [at for at, _ in calls]
    first = stamps[0] if stamps else 0.0
    return {
        "sent": [round(at - first, 6) for at in stamps],
        "paid": sum(1 for _, call in calls if call.params.get("allow_paid_broadcast")),
        "too_many_requests": double.stats.too_many_requests,
        "refused": [str(r) for r in double.refused],
        "requests": double.stats.requests,
    }


async def serve(args: argparse.Namespace) -> None:
    double = TimedDouble(token=args.token, **limits(args.rate))
    await double.start()
    for telegram_id in range(args.first_user, args.first_user + args.users):
        double.user(telegram_id, f"Cán bộ {telegram_id}", started=True)
    stopped = asyncio.Event()

    async def get_report(request: web.Request) -> web.Response:
        return web.json_response(report(double))

    async def stop(request: web.Request) -> web.Response:
        stopped.set()
        return web.json_response({"ok": True})

    control = web.Application()
    control.router.add_get("/report", get_report)
    control.router.add_post("/stop", stop)
    runner = web.AppRunner(control, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(double.port, runner.addresses[0][1], flush=True)
    await stopped.wait()
    await runner.cleanup()
    await double.stop()


@dataclass
class DoubleProcess:
    """The double's process as the benchmark sees it."""

    process: asyncio.subprocess.Process
    port: int
    control: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @classmethod
    async def start(cls, *, token: str, rate: float, first_user: int, users: int) -> DoubleProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.double_process", "--token", token, "--rate", str(rate),
            "--first-user", str(first_user), "--users", str(users),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        if not line:
            raise RuntimeError("the double's process did not start")
        port, control = (int(part) for part in line.split())
        return cls(process, port, control)

    async def report(self) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.control}/report"
        async with ClientSession() as session, session.get(url) as response:
            return dict(json.loads(await response.text()))

    async def stop(self) -> None:
        if self.process.returncode is None:
            try:
                async with ClientSession() as session:
                    await session.post(f"http://127.0.0.1:{self.control}/stop")
                await asyncio.wait_for(self.process.wait(), 10)
            except (ClientError, OSError, TimeoutError):
                self.process.kill()
                await self.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.double_process")
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--first-user", type=int, default=100_001)
    parser.add_argument("--users", type=int, default=0)
    asyncio.run(serve(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
