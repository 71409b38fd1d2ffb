"""The access guard, and how a handler states the roles it needs.

The guard (a TypeHandler in group -1) resolves the sender to a person of the register once
per update (`context.person`) and turns strangers away: they get one polite message on how
to get access, and nothing else. Only `/start` (with or without an invite code) and a
shared contact pass through for them, to the onboarding handlers. In group chats only
`/linkgroup` passes in groups nobody linked; in linked groups, handlers declared with
`groups=True` answer registered people, and everything else stays silent.

The commands and buttons are declared in one table (handlers/__init__.py), a line each:

    Command("done", workflow.done_command, (Role.OFFICER, Role.HEAD))   # menu + /help
    Command("linkgroup", onboarding.link_group, (Role.ADMIN,), groups=True)
    Button("done", workflow.done_button, (Role.OFFICER, Role.HEAD))      # "done:…"

and any other callback is wrapped with `@requires(Role.ADMIN)`.

This is the one glue module the handler modules share (the layering test allows it and no
other): the guard and `requires` need the same turning away, refusing and menu, and every
handler needs `requires`, `me`, `reply` and `edit`. A wrong role gets a short "not for your
role" answer; the callback only ever runs for a registered person with one of the roles
(all roles when none are named), in a private chat unless `groups=True`. Texts for the
menu and /help: `cmd.<name>` and `help.<name>` in both catalogues.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
)

from bot.access import ALL_ROLES, MenuCommand, menu_for, menu_signature
from bot.context import DondocContext
from bot.models import Person, Role
from bot.services import accounts
from bot.texts import plain, t

log = logging.getLogger(__name__)

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply
Callback = Callable[[Update, DondocContext], Coroutine[Any, Any, None]]
# A stranger hears the access message at most this often, however much they type.
TURN_AWAY_EVERY = timedelta(minutes=5)
TURNED_AWAY_KEPT = 10_000
_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@\w+)?(?:\s|$)")


def command_of(update: Update) -> str | None:
    """The command a message starts with (`/start@dondoc_bot x` → "start"), if any."""
    message = update.message
    text = message.text if message is not None else None
    match = _COMMAND.match(text or "")
    return match.group(1).lower() if match else None


def in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type != ChatType.PRIVATE


async def guard(update: Update, context: DondocContext) -> None:
    """Group -1: resolve the sender once; strangers and unlinked groups stop here."""
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    context.telegram_language = user.language_code
    person = await accounts.person_for_telegram(context.store, user.id)
    context.person = person
    if update.edited_message is not None:
        await edited(update, context, person)
        raise ApplicationHandlerStop
    if in_group(update):
        await _guard_group(update, context, person)
        return
    if person is not None:
        await ensure_menu(context, person)
        return
    message = update.message
    if message is not None and (command_of(update) == "start" or message.contact is not None):
        return  # onboarding: handlers.onboarding decides
    await turn_away(update, context)
    raise ApplicationHandlerStop


async def edited(update: Update, context: DondocContext, person: Person | None) -> None:
    """An edited message is never handled again (PTB would run an edited command twice, and
    an edited answer would count as a second one): a registered person is told, in a private
    chat, to send a new message; groups and strangers hear nothing."""
    if person is not None and not in_group(update) and update.effective_chat is not None:
        await update.effective_chat.send_message(context.t("edit.ignored"))


async def _guard_group(update: Update, context: DondocContext, person: Person | None) -> None:
    chat = update.effective_chat
    assert chat is not None
    if command_of(update) == "linkgroup":
        return  # its handler wants an admin
    if person is not None and await accounts.is_linked_group(context.store, chat.id):
        return
    query = update.callback_query
    if query is not None:
        await query.answer(
            _stranger_text(context, "access.stranger_short") if person is None else None
        )
    raise ApplicationHandlerStop


def _stranger_text(context: DondocContext, key: str) -> str:
    """Strangers hear the organisation's language (Vietnamese by default), as plain text."""
    return plain(context.settings.organization.language, key)


async def turn_away(update: Update, context: DondocContext) -> None:
    """The one polite message for a stranger (callback presses get a short answer)."""
    query = update.callback_query
    if query is not None:
        await query.answer(_stranger_text(context, "access.stranger_short"))
        return
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE or update.message is None:
        return
    now = context.clock.now()
    seen = context.bot_data.turned_away
    last = seen.get(user.id)
    if last is not None and now - last < TURN_AWAY_EVERY:
        return
    if len(seen) > TURNED_AWAY_KEPT:  # many strangers: forget those told long ago
        for old in [uid for uid, when in seen.items() if now - when >= TURN_AWAY_EVERY]:
            del seen[old]
    seen[user.id] = now
    organization = context.settings.organization
    await chat.send_message(t(organization.language, "access.stranger", office=organization.office))


def requires(
    *roles: Role, groups: bool = False, strangers: bool = False
) -> Callable[[Callback], Callback]:
    """Declare the roles a handler needs (all roles when none are named).

    In private chats a wrong role gets a short answer; in group chats only handlers with
    `groups=True` run (the guard has let through linked groups only), others stay silent.
    `strangers=True` is for onboarding only: the callback then runs with `context.person`
    None too (the guard lets strangers reach /start and shared contacts, nothing else).
    """
    allowed = frozenset(roles) or ALL_ROLES

    def decorate(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def guarded(update: Update, context: DondocContext) -> None:
            context.handled = True
            person = context.person
            grouped = in_group(update)
            if strangers and person is None and not grouped:
                await callback(update, context)
                return
            if (grouped and not groups) or person is None:
                if person is None and not grouped:
                    await turn_away(update, context)
                elif update.callback_query is not None:
                    await update.callback_query.answer()
                return
            if person.role not in allowed:
                await refuse(update, context, grouped=grouped)
                return
            await callback(update, context)

        return guarded

    return decorate


async def refuse(update: Update, context: DondocContext, *, grouped: bool = False) -> None:
    """'Not for your role': a toast on a button, a line in a private chat, silence in groups."""
    query = update.callback_query
    if query is not None:
        await query.answer(plain(context.lang, "access.not_for_role_short"))
    elif not grouped and update.effective_chat is not None:
        await update.effective_chat.send_message(context.t("access.not_for_role"))


def add_command(
    application: Application,
    name: str,
    callback: Callback,
    *roles: Role,
    groups: bool = False,
    strangers: bool = False,
    menu: bool = True,
    group: int = 0,
) -> None:
    """Add `/name` for these roles: its handler, and its line in the menu and in /help."""
    guarded = requires(*roles, groups=groups, strangers=strangers)(callback)
    application.add_handler(CommandHandler(name, guarded), group=group)
    if menu:
        commands: list[MenuCommand] = application.bot_data.commands
        commands.append(MenuCommand(name, frozenset(roles) or ALL_ROLES, groups))


def add_callback(
    application: Application,
    prefix: str,
    callback: Callback,
    *roles: Role,
    groups: bool = False,
    group: int = 0,
) -> None:
    """Handle button presses whose data starts with `prefix:`, for these roles."""
    application.add_handler(
        CallbackQueryHandler(
            requires(*roles, groups=groups)(callback), pattern=f"^{re.escape(prefix)}:"
        ),
        group=group,
    )


@dataclass(frozen=True, slots=True)
class Command:
    """A line of the commands' table (handlers/__init__.py): `/name` for these roles (all
    when none), in the menu and /help unless `menu=False`. `shown_to`: the roles whose menu
    shows it, when the handler itself answers others too (the figures point officers to
    /tasks)."""

    name: str
    callback: Callback
    roles: tuple[Role, ...] = ()
    groups: bool = False
    strangers: bool = False
    menu: bool = True
    shown_to: frozenset[Role] | None = None

    def add(self, application: Application) -> None:
        add_command(application, self.name, self.callback, *self.roles, groups=self.groups,
                    strangers=self.strangers, menu=self.menu and self.shown_to is None)  # fmt: skip
        if self.menu and self.shown_to is not None:  # shown to these roles, not `roles`
            commands: list[MenuCommand] = application.bot_data.commands
            commands.append(MenuCommand(self.name, self.shown_to, self.groups))


@dataclass(frozen=True, slots=True)
class Button:
    """A line of the buttons' table: presses whose data starts with `prefix:`."""

    prefix: str
    callback: Callback
    roles: tuple[Role, ...] = ()
    groups: bool = False

    def add(self, application: Application) -> None:
        add_callback(application, self.prefix, self.callback, *self.roles, groups=self.groups)


def menu_entries(context: DondocContext, person: Person) -> list[tuple[str, str]]:
    """The person's command menu in their language: (command, description)."""
    lang = context.lang
    return [
        (command.name, plain(lang, command.description_key))
        for command in menu_for(context.bot_data.commands, person.role)
    ]


async def ensure_menu(context: DondocContext, person: Person, *, force: bool = False) -> None:
    """Set the person's command menu (BotCommandScopeChat) when it changed: role, language
    or the bot's commands. A failure is logged; the update goes on."""
    if person.telegram_id is None:
        return
    entries = menu_entries(context, person)
    signature = menu_signature(entries)
    stored = await accounts.menu_signature(context.store, person.telegram_id)
    if stored == signature and not force:
        return
    try:
        await context.bot.set_my_commands(
            [BotCommand(name, description) for name, description in entries],
            scope=BotCommandScopeChat(person.telegram_id),
        )
    except TelegramError as exc:
        log.warning("could not set the command menu of person %s: %s", person.code, exc)
        return
    await accounts.remember_menu(
        context.store, person.telegram_id, signature, now=context.clock.now()
    )


def me(context: DondocContext) -> Person:
    """The sender of an update a handler declared with `requires` took."""
    person = context.person
    assert person is not None  # the access guard lets only registered people through
    return person


async def reply(
    update: Update,
    text: str,
    *,
    reply_markup: ReplyMarkup | None = None,
    link_preview_options: LinkPreviewOptions | None = None,
) -> None:
    """Send `text` to the chat the update came from.

    The request `send_message` makes (through `Bot._post`: the rate limiter, the same
    errors; the parse mode of the application's Defaults, HTML), without making Telegram's
    answer into a Message that nobody here reads: PTB's parsing of it, keyboard included,
    was a tenth of the bot's own time on an answer (BENCHMARKS.md, the bot's own cost)."""
    chat = update.effective_chat
    if chat is None:
        return
    bot = chat.get_bot()
    defaults = getattr(bot, "defaults", None)  # an ExtBot's: the Application's Defaults
    request = {
        "chat_id": chat.id,
        "text": text,
        "parse_mode": None if defaults is None else defaults.parse_mode,
        "reply_markup": reply_markup,
        "link_preview_options": link_preview_options,
    }
    await bot._post("sendMessage", request)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the message of a pressed button; the same text and buttons again is no error."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def notify_admins(context: DondocContext, key: str, **values: Any) -> None:
    """Tell the Office's admins (those with a linked account), each in their language.
    A failure to reach one is logged and does not stop the others."""
    for admin in await accounts.reachable_admins(context.store):
        assert admin.telegram_id is not None
        try:
            await context.bot.send_message(admin.telegram_id, t(admin.language, key, **values))
        except TelegramError as exc:
            log.warning("could not tell admin %s (%s): %s", admin.code, key, exc)
