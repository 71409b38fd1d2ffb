"""The one error handler: log with the traceback, tell the Office's admins briefly (at most
once a minute per kind of error), and give the user a short apology, never a traceback."""

from __future__ import annotations

import logging
import traceback
from datetime import datetime, timedelta
from pathlib import Path

from telegram import Update
from telegram.error import NetworkError, TelegramError

from bot.context import DondocContext
from bot.services.accounts import person_for_telegram
from bot.texts import language, t
from bot.views import shorten
from handlers.access import notify_admins

log = logging.getLogger(__name__)

NOTICE_EVERY = timedelta(minutes=1)
_ROOT = Path(__file__).resolve().parent.parent  # the project: handlers/, bot/, storage/
_OUR_PACKAGES = ("handlers", "bot", "storage")


def _ours(filename: str) -> str | None:
    """A file's path in the project (`bot/services/tasks.py`), or None if not ours."""
    path = Path(filename).resolve()
    if not path.is_relative_to(_ROOT):
        return None
    relative = path.relative_to(_ROOT)
    return relative.as_posix() if relative.parts[0] in _OUR_PACKAGES else None


def error_kind(error: BaseException) -> str:
    """The exception's type and where it was raised in our code: `KeyError at
    bot/services/tasks.py:task_by_code` (the deepest frame of ours, in any package of the
    project; else the deepest of all)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    ours = [(where, frame) for frame in frames if (where := _ours(frame.filename))]
    last = Path(frames[-1].filename)
    where, frame = ours[-1] if ours else (f"{last.parent.name}/{last.name}", frames[-1])
    return f"{type(error).__name__} at {where}:{frame.name}"


def should_notify(sent: dict[str, datetime], kind: str, now: datetime) -> bool:
    """At most one notice per kind of error per minute; remembers this one."""
    last = sent.get(kind)
    if last is not None and now - last < NOTICE_EVERY:
        return False
    sent[kind] = now
    return True


async def on_error(update: object, context: DondocContext) -> None:
    error = context.error
    if error is None:
        return
    if update is None and isinstance(error, NetworkError):
        # Telegram or the network is down while polling: PTB retries with backoff.
        log.warning("Telegram is not reachable, retrying: %s", error)
        return
    log.error("error while handling an update: %s", _describe(update), exc_info=error)
    if context.bot_data.services is None:
        return
    kind = error_kind(error)
    notices = context.bot_data.error_notices
    if should_notify(notices, kind, context.clock.now()):
        summary = shorten(str(error) or type(error).__name__, 300)
        await notify_admins(context, "error.admin_notice", kind=kind, summary=summary)
    if isinstance(update, Update):
        await _apologise(update, context)


async def _apologise(update: Update, context: DondocContext) -> None:
    lang: str = context.settings.organization.language
    user = update.effective_user
    try:
        if user is not None:
            person = await person_for_telegram(context.store, user.id)
            lang = language(person.language if person is not None else user.language_code)
        # A message, not a callback answer: the query may have been answered already.
        if update.effective_chat is not None:
            await update.effective_chat.send_message(t(lang, "error.apology"))
    except TelegramError as exc:
        log.warning("could not apologise: %s", exc)
    except Exception:
        log.exception("could not apologise")


def _describe(update: object) -> str:
    if not isinstance(update, Update):
        return repr(update)
    user = update.effective_user
    chat = update.effective_chat
    return f"update {update.update_id} from user {user and user.id} in chat {chat and chat.id}"
