"""`dondoc run`: start the bot; long polling, or a webhook when `[telegram] webhook_url` is set.

Telegram or the network down at start or later: PTB retries with backoff (up to 30 s
between tries) and the bot waits; it never exits on a transient error. A wrong token stops
it with a hint (exit 2). Ctrl-C and SIGTERM stop it cleanly (PTB's stop signals).
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken

from bot.app import build_application
from bot.config import Settings

log = logging.getLogger(__name__)

# Retry forever at start: getMe, deleteWebhook/setWebhook (PTB's bootstrap retries).
BOOTSTRAP_RETRIES = -1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="start the bot (long polling, or a webhook when webhook_url is set)"
    )
    parser.set_defaults(handler=handle)


class _BootstrapRetries(logging.Filter):
    """PTB logs its start-up retries at DEBUG; an operator should see them: as warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        if "Bootstrap" in record.getMessage() and "Retrying" in record.getMessage():
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            return True
        return False


def surface_bootstrap_retries() -> None:
    logger = logging.getLogger("telegram.ext._utils.networkloop")
    if not any(isinstance(f, _BootstrapRetries) for f in logger.filters):
        logger.addFilter(_BootstrapRetries())
    if logger.getEffectiveLevel() > logging.DEBUG:
        logger.setLevel(logging.DEBUG)


def webhook_path(url: str) -> str:
    """The path the webhook server listens on: the path of the public URL (without '/')."""
    return urlsplit(url).path.strip("/")


def handle(args: argparse.Namespace, settings: Settings) -> int:
    application = build_application(settings)  # a missing token: ConfigError, exit 2
    surface_bootstrap_retries()
    telegram = settings.telegram
    try:
        if telegram.webhook_url:
            secret = (
                telegram.webhook_secret.get_secret_value()
                if telegram.webhook_secret is not None
                else secrets.token_urlsafe(32)  # new each start; setWebhook tells Telegram
            )
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
        print(  # noqa: T201
            "dondoc: Telegram refused the bot token (telegram.token): check it with @BotFather.",
            file=sys.stderr,
        )
        return 2
    return 0
