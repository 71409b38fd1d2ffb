"""`dondoc sandbox`: the practice room — the real bot, a Bot API server of its own and a web
chat on one port, with its own register (see bot/sandbox/room.py and the README's "Try it
without Telegram"). It never talks to api.telegram.org and never reads `[telegram] token`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import signal
import socket
import sys
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.formats import format_int
from bot.texts import plain

_CODE = re.compile(r"[A-Za-z0-9]{4,64}")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="the practice room: the bot in a web page, as any person of a sample province, "
        "without Telegram",
    )
    add_arguments(parser)
    parser.set_defaults(handler=handle)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8080, help="the port (default: 8080)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 opens "
        "it to the network, with a trainer code)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("data/sandbox"),
        help="the room's folder: its register, and import files to fill it with "
        "(default: data/sandbox)",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the room's first day (default: today)",
    )
    parser.add_argument("--fresh", action="store_true", help="start the room's register over")
    parser.add_argument(
        "--code", help="the trainer code (default: none on 127.0.0.1, a new one otherwise)"
    )


def _say(text: str, *, error: bool = False) -> None:
    print(text, file=sys.stderr if error else sys.stdout, flush=True)


def network_address() -> str | None:
    """This machine's address on its network (a UDP socket aimed outward sends nothing)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("10.255.255.255", 1))
        address: str = s.getsockname()[0]
        return address
    return None


def handle(args: argparse.Namespace, settings: Settings) -> int:
    lang = settings.organization.language
    if args.code is not None and not _CODE.fullmatch(args.code):
        _say(plain(lang, "sandbox.cli.bad_code"), error=True)
        return 2
    if not args.verbose:  # the room's own lines, not the scheduler's and migrations'
        for name in ("apscheduler", "storage.db", "telegram.ext"):
            logging.getLogger(name).setLevel(logging.WARNING)
    return asyncio.run(_serve(args, settings))


async def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.importer import FileProblem
    from bot.models import ImportKind
    from bot.sandbox.room import PracticeRoom, RoomOptions
    from bot.services.sandbox import database_path

    lang = settings.organization.language
    options = RoomOptions(
        host=args.host,
        port=args.port,
        data=args.data,
        today=args.today,
        fresh=args.fresh,
        code=None if args.code is None else args.code.lower(),
    )
    try:
        room = await PracticeRoom.start(settings, options)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        _say(plain(lang, "sandbox.cli.cannot_listen", host=args.host, port=args.port,
                   reason=reason), error=True)  # fmt: skip
        return 1
    except (FileProblem, ValueError) as exc:
        problem = exc.message(lang) if isinstance(exc, FileProblem) else str(exc)
        _say(plain(lang, "sandbox.cli.bad_files", problem=problem), error=True)
        return 1
    path = database_path(args.data)
    if room.filled is None:
        _say(plain(lang, "sandbox.cli.kept", path=path))
    else:
        counts = {
            kind.value: format_int(room.filled.counts.get(kind, 0), lang) for kind in ImportKind
        }
        _say(plain(lang, f"sandbox.cli.filled.{room.filled.source}", path=path, data=args.data,
                   **counts))  # fmt: skip
    _say(plain(lang, "sandbox.cli.open", url=room.url))
    if args.host in ("0.0.0.0", ""):
        address = network_address()
        if address is not None:
            _say(plain(lang, "sandbox.cli.network", url=f"http://{address}:{room.server.port}/"))
    if room.code is not None:
        _say(plain(lang, "sandbox.cli.code", code=room.code))
    _say(plain(lang, "sandbox.cli.not_real"))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await room.stop()
    return 0
