"""What every handler gets: the services of the running bot and the sender, resolved once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.access import MenuCommand
from bot.clock import Clock
from bot.config import Settings
from bot.models import Person
from bot.texts import Html, language, t
from storage import Database

if TYPE_CHECKING:
    from bot.services.reminders import SenderSetup
    from bot.workdays import WorkCalendar


@dataclass
class Services:
    """The running bot's settings, database and clock (built in post_init)."""

    settings: Settings
    db: Database
    clock: Clock

    @property
    def calendar(self) -> WorkCalendar:
        from bot.workdays import vietnam_calendar

        return vietnam_calendar()


@dataclass
class BotData:
    """`application.bot_data`: typed, not a dict of string keys."""

    services: Services | None = None
    # The commands of the menu and of /help, in the order the handler modules declared them.
    commands: list[MenuCommand] = field(default_factory=list)
    # How this bot sends its outbox (bot.services.reminders.sender_setup; tests change it).
    sender_setup: SenderSetup | None = None
    # The running sender: one per bot, so rows are never sent twice.
    sender: asyncio.Task[Any] | None = None
    # When each stranger last heard the access message (handlers.access.turn_away).
    turned_away: dict[int, datetime] = field(default_factory=dict)
    # When the admins were last told of each kind of error (handlers.errors).
    error_notices: dict[str, datetime] = field(default_factory=dict)


class DondocContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The callback context: `context.store`, `context.settings`, `context.clock`,
    `context.person` (the registered sender, set by the access guard) and `context.lang`."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.person: Person | None = None
        self.telegram_language: str | None = None
        # Set by `handlers.access.requires` when a declared handler took the update, so the
        # fallback (last group) answers only what nothing else did.
        self.handled = False

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("the application has not been initialised")
        return services

    @property
    def store(self) -> Database:
        return self.services.db

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def lang(self) -> str:
        if self.person is not None:
            return language(self.person.language)
        if self.telegram_language:
            return language(self.telegram_language)
        return self.settings.organization.language

    def t(self, key: str, **values: Any) -> Html:
        """The text `key` in the sender's language, values escaped."""
        return t(self.lang, key, **values)
