"""`dondoc run`: start the bot; long polling, or a webhook when `[telegram] webhook_url` is set.

Telegram or the network down at start: the bot says so in the log and tries again, waiting
longer each time (up to 30 s); later on, PTB's polling loop retries the same way and the
error handler logs it. It never exits on a transient error. A token Telegram refuses stops
it with a hint (exit 2). Ctrl-C and SIGTERM stop it cleanly.
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
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings
from bot.texts import plain
from storage.db import DatabaseInUse, exclusive

if TYPE_CHECKING:
    from bot.app import DondocApplication

# Telegram and the application are imported when the bot starts, not by every `dondoc` command.

log = logging.getLogger(__name__)

# After the first contact, PTB's own bootstrap (deleteWebhook/setWebhook) retries forever too.
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


async def initialize_patiently(application: DondocApplication) -> None:
    """Meet Telegram (getMe) however long it takes; only a refused token is final."""
    from telegram.error import InvalidToken, TelegramError

    delay = FIRST_DELAY
    while True:
        try:
            await application.initialize()
            return
        except InvalidToken:
            raise
        except TelegramError as exc:
            log.warning("Telegram is not reachable (%s); trying again in %.0f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(MAX_DELAY, delay * 2)


def _meet_telegram(application: DondocApplication) -> bool:
    """Run `initialize_patiently` in the loop PTB will run in; False if stopped meanwhile."""
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    task = loop.create_task(initialize_patiently(application))
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    for sig in stop_signals:
        loop.add_signal_handler(sig, task.cancel)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        log.info("stopped before Telegram could be reached")
        with contextlib.suppress(Exception):
            loop.run_until_complete(application.shutdown())
        return False
    finally:
        for sig in stop_signals:
            loop.remove_signal_handler(sig)
    return True


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

    application = build_application(settings)  # a missing token: ConfigError, exit 2
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
            log.info("serving a webhook at %s", telegram.webhook_url)
            application.run_webhook(
                listen=telegram.webhook_listen,
                port=telegram.webhook_port,
                url_path=webhook_path(telegram.webhook_url),
                webhook_url=telegram.webhook_url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            log.info("long polling Telegram at %s", telegram.api_base_url)
            application.run_polling(
                allowed_updates=Update.ALL_TYPES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
    except InvalidToken:
        message = plain(settings.organization.language, "run.cli.token_refused")
        print(message, file=sys.stderr)  # noqa: T201
        return 2
    return 0
