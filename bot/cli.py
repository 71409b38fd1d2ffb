"""The `dondoc` command line. Each subcommand lives in its own module under `bot/commands/`.

A command module has `register(subparsers)`, which adds its parser and sets `handler` to a
function `(args, settings) -> int` (the exit code).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.commands import (
    backup,
    health,
    invite,
    register,
    reminders,
    report,
    restore,
    run,
    sandbox,
    stats,
    sync,
)
from bot.config import ConfigError, config_path, load_settings

# Subcommand modules, in the order `dondoc --help` lists them.
COMMAND_MODULES = (
    run,
    sandbox,
    register,
    sync,
    stats,
    backup,
    restore,
    health,
    invite,
    reminders,
    report,
)

log = logging.getLogger("dondoc")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dondoc",
        description="dondoc: the register of assigned tasks, its Telegram bot and its reports.",
    )
    parser.add_argument("--config", metavar="PATH", help="the TOML file (default: ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    path = config_path(args.config)
    try:
        settings = load_settings(path, required=args.config is not None)
        code: int = args.handler(args, settings)
    except ConfigError as exc:
        print(f"dondoc: config: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        return 130
    return code
