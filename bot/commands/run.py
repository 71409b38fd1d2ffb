"""`dondoc run`: start the bot; long polling, or a webhook when `[telegram] webhook_url` is set.

Telegram or the network down at start: the bot says so in the log and tries again, waiting
longer each time (up to 30 s), for getMe and, with a webhook, for setWebhook; later on, PTB's
polling loop retries the same way and the error handler logs it (a webhook just waits for
Telegram's POSTs, served on aiohttp by bot/webhook.py). It never exits on a transient
error. A token Telegram refuses stops it with a hint (exit 2). Ctrl-C and SIGTERM stop it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings, TelegramSettings
from bot.texts import plain
from storage.db import DatabaseInUse, exclusive

if TYPE_CHECKING:
    from bot.app import DondocApplication

# Telegram and the application are imported when the bot starts, not by every `dondoc` command.

log = logging.getLogger(__name__)

# After the first contact, PTB's own bootstrap of polling (deleteWebhook) retries forever too.
BOOTSTRAP_RETRIES = -1
FIRST_DELAY, MAX_DELAY = 1.0, 30.0
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="start the bot (long polling, or a webhook when webhook_url is set)"
    )
    parser.add_argument(
        "--sandbox-if-no-token",
        action="store_true",
        help="without a token, open the practice room (dondoc sandbox) instead of stopping "
        "(what `make run` does)",
    )
    parser.set_defaults(handler=handle)


def webhook_path(url: str) -> str:
    """The path the webhook server listens on: the path of the public URL (without '/')."""
    return urlsplit(url).path.strip("/")


async def patiently(action: Callable[[], Awaitable[object]], what: str) -> None:
    """Do `action` (a call to Telegram) however long it takes; only a refused token is final."""
    from telegram.error import InvalidToken, TelegramError

    delay = FIRST_DELAY
    while True:
        try:
            await action()
            return
        except InvalidToken:
            raise
        except TelegramError as exc:
            log.warning("%s (%s); trying again in %.0f s", what, exc, delay)
            await asyncio.sleep(delay)
            delay = min(MAX_DELAY, delay * 2)


async def initialize_patiently(application: DondocApplication) -> None:
    """Meet Telegram (getMe) however long it takes; only a refused token is final."""
    await patiently(application.initialize, "Telegram is not reachable")


def _event_loop() -> asyncio.AbstractEventLoop:
    """The loop PTB (and the webhook server) run in."""
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


def _until_stopped(main: Coroutine[object, object, None]) -> bool:
    """Run `main` until it ends or Ctrl-C/SIGTERM cancel it (then False; a second signal does
    not break the cleanup under way)."""
    loop = _event_loop()
    task = loop.create_task(main)
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    for sig in stop_signals:
        loop.add_signal_handler(sig, lambda: task.cancelling() or task.cancel())
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        return False
    finally:
        for sig in stop_signals:
            loop.remove_signal_handler(sig)
    return True


def _meet_telegram(application: DondocApplication) -> bool:
    """Run `initialize_patiently` in the loop PTB will run in; False if stopped meanwhile."""
    if _until_stopped(initialize_patiently(application)):
        return True
    log.info("stopped before Telegram could be reached")
    with contextlib.suppress(Exception):
        _event_loop().run_until_complete(application.shutdown())
    return False


class PortUnavailable(Exception):
    """The webhook's address could not be listened on (`[telegram] webhook_listen/_port`)."""

    def __init__(self, listen: str, port: int, cause: OSError) -> None:
        super().__init__(f"{listen}:{port}: {cause.strerror or cause}")
        self.listen, self.port, self.reason = listen, port, str(cause.strerror or cause)


async def serve_webhook(
    application: DondocApplication, telegram: TelegramSettings, secret: str
) -> None:
    """Serve the webhook on aiohttp (bot/webhook.py) and give Telegram its URL, until
    cancelled; then close the server (no more updates come in) and stop the bot (which first
    handles the updates already answered 200)."""
    from aiohttp import web
    from telegram import Update

    from bot.app import start_in_loop, stop_in_loop
    from bot.webhook import webhook_app

    url = telegram.webhook_url
    assert url is not None
    runner = web.AppRunner(
        webhook_app(application, path=webhook_path(url), secret=secret), access_log=None
    )
    await runner.setup()
    try:
        await start_in_loop(application)
        site = web.TCPSite(runner, telegram.webhook_listen, telegram.webhook_port)
        try:
            await site.start()
        except OSError as exc:  # the port is taken, or the address is not this machine's
            raise PortUnavailable(telegram.webhook_listen, telegram.webhook_port, exc) from exc
        log.info("serving a webhook at %s", url)
        await patiently(
            lambda: application.bot.set_webhook(
                url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            ),
            "Telegram did not take the webhook",
        )
        await asyncio.get_running_loop().create_future()  # until Ctrl-C or SIGTERM
    finally:
        await runner.cleanup()
        await stop_in_loop(application)


def webhook_secret(settings: Settings) -> str:
    """`[telegram] webhook_secret`, checked as Telegram wants it; a random one when unset."""
    secret = settings.telegram.webhook_secret
    if secret is None:
        return secrets.token_urlsafe(32)  # new at each start; setWebhook tells Telegram
    value = secret.get_secret_value()
    if not _SECRET.match(value):
        raise ConfigError(
            "telegram.webhook_secret: 1-256 characters of A-Z, a-z, 0-9, _ and - only"
        )
    return value


def sandbox_instead(args: argparse.Namespace, settings: Settings) -> int:
    """No token yet: say how to get one, then open the practice room with its defaults."""
    from bot.commands import sandbox

    try:
        settings.require_token()
    except ConfigError as hint:
        print(f"dondoc: config: {hint}", file=sys.stderr)  # noqa: T201
    print(plain(settings.organization.language, "sandbox.cli.no_token"), file=sys.stderr)  # noqa: T201
    parser = argparse.ArgumentParser(prog="dondoc sandbox")
    sandbox.add_arguments(parser)
    return sandbox.handle(
        parser.parse_args([], namespace=argparse.Namespace(**vars(args))), settings
    )


def handle(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram.token is None and getattr(args, "sandbox_if_no_token", False):
        return sandbox_instead(args, settings)
    from bot.app import build_application

    telegram = settings.telegram
    # a missing token: ConfigError, exit 2
    application = build_application(settings, updater=telegram.webhook_url is None)
    try:
        # Held while the bot runs: `dondoc restore` refuses to swap the file under it, and a
        # second `dondoc run` on the same database stops at once.
        with exclusive(settings.database.path):
            return serve(application, settings)
    except DatabaseInUse as busy:
        message = plain(settings.organization.language, "run.cli.locked",
                        database=settings.database.path, lock=busy.lock)  # fmt: skip
        print(message, file=sys.stderr)  # noqa: T201
        return 3


def serve(application: DondocApplication, settings: Settings) -> int:
    """Run the bot until it is stopped (polling, or a webhook when one is set)."""
    from telegram import Update
    from telegram.error import InvalidToken

    telegram = settings.telegram
    secret = webhook_secret(settings) if telegram.webhook_url else ""
    try:
        if not _meet_telegram(application):
            return 0
        if telegram.webhook_url:
            _until_stopped(serve_webhook(application, telegram, secret))
        else:
            log.info("long polling Telegram at %s", telegram.api_base_url)
            application.run_polling(
                allowed_updates=Update.ALL_TYPES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
    except InvalidToken:
        message = plain(settings.organization.language, "run.cli.token_refused")
        print(message, file=sys.stderr)  # noqa: T201
        return 2
    except PortUnavailable as busy:
        message = plain(settings.organization.language, "run.cli.port_unavailable",
                        listen=busy.listen, port=str(busy.port), reason=busy.reason)  # fmt: skip
        print(message, file=sys.stderr)  # noqa: T201
        return 2
    return 0
