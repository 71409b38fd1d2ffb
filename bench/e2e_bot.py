"""The bot under bench.e2e, in a process of its own: `python -m bench.e2e_bot CONFIG --at T`.

Exactly what `dondoc run` polls with (`build_application` and `run_polling`), except that
the clock stands at T, so that the register's day, quiet hours and reminder rounds are the
same on every run. Each error that reaches the error handlers is printed to standard error
as one line starting with BENCH-ERROR, for the benchmark to count.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import signal
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.clock import FixedClock
from bot.config import load_settings

ERROR_MARK = "BENCH-ERROR"
READY_MARK = "BENCH-READY"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.e2e_bot")
    parser.add_argument("config", type=Path)
    parser.add_argument("--at", type=datetime.fromisoformat, required=True)
    parser.add_argument("--profile", type=Path, help="write a CPU profile (cProfile) here")
    args = parser.parse_args(argv)
    if args.profile is None:
        return run(args)
    profile = cProfile.Profile(time.process_time)
    try:
        return int(profile.runcall(run, args))
    finally:
        profile.dump_stats(args.profile)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # fmt: skip
    settings = load_settings(args.config, required=True)
    application = build_application(settings, clock=FixedClock(args.at))

    async def report_error(update: object, context: Any) -> None:
        print(f"{ERROR_MARK} {context.error!r}", file=sys.stderr, flush=True)

    application.add_error_handler(report_error)
    opened = application.post_init

    async def ready(app: Any) -> None:
        if opened is not None:
            await opened(app)
        print(READY_MARK, file=sys.stderr, flush=True)

    application.post_init = ready
    application.run_polling(
        poll_interval=0, timeout=10, stop_signals=(signal.SIGTERM, signal.SIGINT)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
