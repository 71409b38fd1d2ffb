"""Linking an account (/start with an invite code, or a shared contact), /help, /lang,
/invite and /linkgroup."""

from __future__ import annotations

import dataclasses
import logging
import re

from telegram import (
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError

from bot.access import MenuCommand, menu_for
from bot.buttons import LANGUAGE
from bot.context import DondocContext
from bot.formats import echo, format_date
from bot.models import AccountLink, Person, Unit
from bot.onboarding import invite_link, start_line
from bot.services import accounts
from bot.texts import CATALOGUES, LANGUAGES, Html, language, plain, t
from handlers.access import ensure_menu, notify_admins, reply

log = logging.getLogger(__name__)


def _office(context: DondocContext) -> str:
    return context.settings.organization.office


# --- /start and invite codes --------------------------------------------------------------


async def start(update: Update, context: DondocContext) -> None:
    if context.args:
        await redeem(update, context, context.args[0])
    elif context.person is not None:
        await reply(update, context.t("onboarding.already_linked", name=context.person.name))
    else:
        button = KeyboardButton(context.t("onboarding.share_button"), request_contact=True)
        keyboard = ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
        await reply(
            update,
            context.t("onboarding.ask_contact", office=_office(context)),
            reply_markup=keyboard,
        )


async def redeem(update: Update, context: DondocContext, code: str) -> None:
    """`/start <code>`: link the sender to the invite's person, or say why not."""
    assert update.effective_user is not None
    outcome = await accounts.redeem(
        context.store, code, telegram_id=update.effective_user.id, sender=context.person,
        now=context.clock.now(),
    )  # fmt: skip
    office = _office(context)
    if outcome.link is not None:
        await after_link(update, context, outcome.link)
    elif outcome.already_linked:
        assert context.person is not None
        await reply(update, context.t("onboarding.already_linked", name=context.person.name))
    elif outcome.locked_minutes is not None:
        await reply(
            update, context.t("onboarding.locked", minutes=outcome.locked_minutes, office=office)
        )
    else:
        assert outcome.refused is not None
        await reply(update, context.t(f"onboarding.code_{outcome.refused.value}", office=office))


# --- a shared contact -----------------------------------------------------------------------


async def on_contact(update: Update, context: DondocContext) -> None:
    message, user = update.message, update.effective_user
    assert message is not None and message.contact is not None and user is not None
    contact = message.contact
    if message.forward_origin is not None or contact.user_id != user.id:
        await reply(update, context.t("onboarding.contact_not_own"))
        return
    match = await accounts.link_by_phone(
        context.store, contact.phone_number, telegram_id=user.id, now=context.clock.now()
    )
    if match.person is None:
        key = "onboarding.phone_unknown" if not match.found else "onboarding.phone_ambiguous"
        await reply(
            update,
            context.t(key, phone=contact.phone_number, office=_office(context)),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    if match.link is None:
        text = context.t("onboarding.already_linked", name=match.person.name)
        await reply(update, text, reply_markup=ReplyKeyboardRemove())
        return
    await after_link(update, context, match.link)


# --- after linking --------------------------------------------------------------------------


def _who(person: Person, unit: Unit | None, lang: str) -> tuple[Html, Html]:
    """The person's role and ", <unit>" (empty without a unit), in `lang`."""
    role = t(lang, f"access.role.{person.role.value}")
    return role, (Html("") if unit is None else t(lang, "onboarding.unit", unit=unit.name))


async def after_link(update: Update, context: DondocContext, link: AccountLink) -> None:
    """Welcome the newly linked person, set their menu, and tell whoever lost the link."""
    found = await accounts.linked(context.store, link)
    person, previous = found.person, found.previous
    context.person = person
    lang = language(person.language)
    role, unit = _who(person, found.unit, lang)
    lines: list[str] = [t(lang, "onboarding.welcome", name=person.name, role=role, unit=unit)]
    if previous is not None:
        lines.append(t(lang, "onboarding.was_other", name=previous.name))
    await reply(update, "\n\n".join(lines), reply_markup=ReplyKeyboardRemove())
    await ensure_menu(context, person, force=True)
    office = _office(context)
    old = link.previous_telegram_id
    if old is not None and old != link.telegram_id:
        text = t(lang, "onboarding.moved_away", name=person.name, office=office)
        try:
            await context.bot.send_message(old, text)
            await context.bot.delete_my_commands(scope=BotCommandScopeChat(old))
        except TelegramError as exc:
            log.warning("could not tell account %s that its link moved: %s", old, exc)
        await notify_admins(
            context,
            "onboarding.moved_admin",
            name=person.name,
            code=person.code,
            old=old,
            new=link.telegram_id,
        )
    if previous is not None:
        await notify_admins(
            context,
            "onboarding.switched_admin",
            new=link.telegram_id,
            old_name=previous.name,
            old_code=previous.code,
            name=person.name,
            code=person.code,
        )


# --- /help, /lang ----------------------------------------------------------------------------


async def help_command(update: Update, context: DondocContext) -> None:
    person = context.person
    assert person is not None
    lang = context.lang
    role, unit = _who(person, await accounts.unit_by_id(context.store, person.unit_id), lang)
    lines: list[str] = [t(lang, "help.header", name=person.name, role=role, unit=unit)]
    for command in menu_for(context.bot_data.commands, person.role):
        lines.append(help_line(lang, command))
    lines += ["", t(lang, "help.footer", office=_office(context))]
    await reply(update, "\n".join(lines))


def help_line(lang: str, command: MenuCommand) -> str:
    """`/name — what it does`; a help text that starts with its command is shown as it is."""
    key = command.help_key if command.help_key in CATALOGUES["vi"] else command.description_key
    text = t(lang, key)
    if re.match(rf"(<code>)?/{re.escape(command.name)}\b", text):
        return text
    return t(lang, "help.line", command=command.name, text=text)


async def lang_command(update: Update, context: DondocContext) -> None:
    if context.args:
        await set_language(update, context, context.args[0])
        return
    row = [
        InlineKeyboardButton(
            plain(context.lang, f"lang.button_{code}"), callback_data=LANGUAGE.make(code)
        )
        for code in LANGUAGES
    ]
    await reply(update, context.t("lang.choose"), reply_markup=InlineKeyboardMarkup([row]))


async def lang_pressed(update: Update, context: DondocContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await set_language(update, context, LANGUAGE.parse(query.data or "") or "")


async def set_language(update: Update, context: DondocContext, value: str) -> None:
    person = context.person
    assert person is not None
    code = value.strip().lower()
    if code not in LANGUAGES:
        await reply(update, context.t("lang.unknown", value=echo(value)))
        return
    await accounts.set_language(context.store, person.id, code)
    context.person = person = dataclasses.replace(person, language=code)
    await ensure_menu(context, person)
    await reply(update, context.t("lang.set"))


# --- the Office's commands --------------------------------------------------------------------


async def invite_command(update: Update, context: DondocContext) -> None:
    if len(context.args or ()) != 1:
        await reply(update, context.t("invite.usage"))
        return
    code = (context.args or [""])[0]
    settings = context.settings
    issued = await accounts.invite(
        context.store, code, ttl_days=settings.telegram.invite_ttl_days, now=context.clock.now()
    )
    if issued is None:
        await reply(update, context.t("invite.unknown_person", code=echo(code)))
        return
    person, invite = issued
    expires = format_date(invite.expires_at.astimezone(context.clock.tz).date())
    link = invite_link(context.bot.username or settings.telegram.bot_username, invite.code)
    values = {"name": person.name, "code": person.code, "expires": expires}
    if link is not None:
        text = context.t("invite.link", link=link, **values)
    else:
        text = context.t("invite.start", start=start_line(invite.code), **values)
    if person.telegram_id is not None:
        text = Html(text + "\n\n" + context.t("invite.relink_note", name=person.name))
    await reply(update, text, link_preview_options=LinkPreviewOptions(is_disabled=True))


async def link_group(update: Update, context: DondocContext) -> None:
    chat, person = update.effective_chat, context.person
    assert chat is not None and person is not None
    if chat.type == chat.PRIVATE:
        await reply(update, context.t("group.private_only"))
        return
    added = await accounts.link_group(
        context.store, chat.id, title=chat.title or "", person_id=person.id,
        now=context.clock.now(),
    )  # fmt: skip
    title = chat.title or ""
    await reply(update, context.t("group.linked" if added else "group.already", title=title))
