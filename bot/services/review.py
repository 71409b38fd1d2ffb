"""The Office's review: who reviews what, the outbox rows of a new item and of a
decision, and the reviewers' cards (written from the register when they go out, whichever
process queued them; edited when a decision is taken).

A new report or request reaches its reviewers through the reminders' outbox: one row per
reviewer, stored in the item's own transaction, the card written when the sender takes it
(`OutboxCards`), so the sender's answer never waits on the reviewers' chats.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, TelegramError

from bot.context import Services
from bot.keyboards import keyboard
from bot.models import (
    CompletionReport,
    ExtensionRequest,
    ItemKind,
    Person,
    PlannedReminder,
    ReminderKind,
    Role,
    Task,
)
from bot.reminders.messenger import Attachment
from bot.reminders.messenger import Card as SenderCard
from bot.reminders.policy import Policy, send_time
from bot.texts import Html, language, t
from bot.workflow_views import review_card
from storage import Database
from storage import workflow as store
from storage.accounts import reachable_admins
from storage.messages import remember_message
from storage.outbox import OutboxItem
from storage.register import get_person, get_task, get_unit, people_with_role

log = logging.getLogger(__name__)


async def get_item(
    db: Database, kind: ItemKind, item_id: int
) -> CompletionReport | ExtensionRequest | None:
    if kind is ItemKind.REPORT:
        return await store.get_report(db, item_id)
    return await store.get_request(db, item_id)


async def load_item(
    db: Database, kind: ItemKind, item_id: int
) -> tuple[CompletionReport | ExtensionRequest, Task] | None:
    item = await get_item(db, kind, item_id)
    task = None if item is None else await get_task(db, id=item.task_id)
    return None if item is None or task is None else (item, task)


async def reviewers(services: Services, kind: ItemKind, task: Task) -> list[Person]:
    """The linked admins; for extensions, also the assigning leader when so configured."""
    found = await reachable_admins(services.db)
    if (
        kind is ItemKind.EXTENSION
        and services.settings.workflow.leaders_review_extensions
        and task.assigner_id is not None
    ):
        leader = await get_person(services.db, id=task.assigner_id)
        if leader is not None and leader.role is Role.LEADER and leader.telegram_id is not None:
            found.append(leader)
    return found


async def concerned(services: Services, person_id: int | None, task: Task) -> list[Person]:
    """The one who asked and the lead unit's heads, each once."""
    found = await people_with_role(services.db, Role.HEAD, unit_id=task.lead_unit_id)
    asker = await get_person(services.db, id=person_id) if person_id else None
    if asker is not None and all(p.id != asker.id for p in found):
        found.insert(0, asker)
    return found


def outbox_rows(
    services: Services,
    people: Iterable[Person | None],
    kind: ReminderKind,
    subject: str,
    *,
    task: Task,
    detail: Mapping[str, object],
) -> list[PlannedReminder]:
    """Messages to people other than the sender, stored with what they are about and sent by
    the reminders' sender (paced, retried, held in quiet hours, never lost). One row per
    person and subject: enqueueing again adds nothing."""
    now = services.clock.now()
    policy = Policy.from_settings(services.settings)
    day, not_before = policy.local(now).date(), send_time(now, policy)
    return [
        PlannedReminder(kind, person.id, subject, day, not_before, task.id, detail=detail)
        for person in people
        if person is not None and person.telegram_id is not None
    ]


def notices(
    services: Services,
    people: Iterable[Person | None],
    key: str,
    *,
    task: Task,
    item_id: int,
    **values: str,
) -> list[PlannedReminder]:
    """The notices of a decision. `values` are already as shown (dates formatted); the text
    is written in each person's language when sent."""
    detail = {"key": key, "values": values}
    return outbox_rows(
        services, people, ReminderKind.NOTICE, f"{key}:{item_id}", task=task, detail=detail
    )


async def review_cards(services: Services, kind: ItemKind, task: Task) -> store.ReviewCards:
    """The outbox rows that put a new report or request before each reviewer, made once its
    id is known, inside its own transaction: the cards are written when they go out."""
    people = await reviewers(services, kind, task)

    def rows(item_id: int) -> list[PlannedReminder]:
        detail = {"item": kind.value, "id": item_id}
        subject = f"{kind.value}:{item_id}"
        return outbox_rows(services, people, ReminderKind.REVIEW, subject, task=task, detail=detail)

    return rows


@dataclass(frozen=True, slots=True)
class Card:
    """A report or a request as a reviewer sees it now; buttons (label, data) one a row."""

    text: Html
    buttons: tuple[tuple[str, str], ...]
    task: Task
    waiting: bool
    file: tuple[str, str] | None = None

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        return keyboard([[button] for button in self.buttons])

    def caption(self, lang: str) -> Html:
        return t(lang, "wf.file.caption", code=self.task.code)


async def render_card(services: Services, lang: str, kind: ItemKind, item_id: int) -> Card | None:
    """A report or a request as a reviewer sees it now (see `bot.workflow_views`); None
    when there is no such item."""
    db = services.db
    loaded = await load_item(db, kind, item_id)
    if loaded is None:
        return None
    item, task = loaded
    unit = await get_unit(db, id=task.lead_unit_id)
    people = await store.people_by_id(
        db, [i for i in (item.person_id, item.decided_by) if i is not None]
    )
    card = review_card(
        lang, item, task, unit_name=unit.name if unit else "",
        names={i: p.name for i, p in people.items()}, tz=services.clock.tz,
        max_extensions=services.settings.workflow.max_extensions,
    )  # fmt: skip
    file = None
    if isinstance(item, CompletionReport) and item.file_id and item.file_kind:
        file = (item.file_id, item.file_kind)
    return Card(card.text, card.buttons, task, item.state == "pending", file)


async def remember_card(
    db: Database, kind: ItemKind, item_id: int, *, chat_id: int, message_id: int, task: int,
    at: datetime,
) -> None:  # fmt: skip
    """A decision edits every card of its item; a reply to a card finds its task."""
    await store.remember_review_message(
        db, kind=kind, item_id=item_id, chat_id=chat_id, message_id=message_id
    )
    await remember_message(db, chat_id=chat_id, message_id=message_id, task_id=task, at=at)


async def send_card(
    services: Services, bot: Bot, chat_id: int, lang: str, kind: ItemKind, item_id: int
) -> None:
    """Send a card (and the report's file under it) at once, as /review does."""
    card = await render_card(services, lang, kind, item_id)
    assert card is not None
    sent = await bot.send_message(chat_id, card.text, reply_markup=card.markup)
    await remember_card(
        services.db, kind, item_id, chat_id=chat_id, message_id=sent.message_id,
        task=card.task.id, at=services.clock.now(),
    )  # fmt: skip
    if card.file is None:
        return
    file_id, file_kind = card.file
    caption = card.caption(lang)
    under = ReplyParameters(message_id=sent.message_id)
    if file_kind == "photo":
        await bot.send_photo(chat_id, file_id, caption=caption, reply_parameters=under)
    else:
        await bot.send_document(chat_id, file_id, caption=caption, reply_parameters=under)


class OutboxCards:
    """The reviewers' cards the reminders' sender takes from the outbox (its `Cards`):
    written from the register when they go out, in the reviewer's language, and recorded
    as `send_card` records them."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def card(self, item: OutboxItem) -> SenderCard | None:
        lang = language(item.language)
        card = await render_card(
            self.services, lang, ItemKind(item.detail["item"]), int(item.detail["id"])
        )
        if card is None:
            return None
        file = None
        if card.file is not None:
            file = Attachment(card.file[0], card.file[1], card.caption(lang))
        buttons = [[button] for button in card.buttons]
        return SenderCard(card.text, buttons, waiting=card.waiting, file=file)

    async def sent(self, item: OutboxItem, message_id: int) -> None:
        assert item.chat_id is not None and item.task_id is not None
        services = self.services
        await remember_card(
            services.db, ItemKind(item.detail["item"]), int(item.detail["id"]),
            chat_id=item.chat_id, message_id=message_id, task=item.task_id,
            at=services.clock.now(),
        )  # fmt: skip


async def refresh_cards(
    services: Services, bot: Bot, kind: ItemKind, item_ids: tuple[int, ...]
) -> None:
    """Edit every reviewer's message about these items to show what was decided."""
    for item_id in item_ids:
        for chat_id, message_id in await store.review_messages(
            services.db, kind=kind, item_id=item_id
        ):
            person = await get_person(services.db, telegram_id=chat_id)
            lang = person.language if person else services.settings.organization.language
            card = await render_card(services, lang, kind, item_id)
            if card is None:
                continue
            try:
                await bot.edit_message_text(
                    card.text, chat_id=chat_id, message_id=message_id, reply_markup=card.markup
                )
            except BadRequest as exc:
                if "not modified" not in str(exc):
                    log.warning("could not edit review message %s/%s: %s", chat_id, message_id, exc)
            except TelegramError as exc:
                log.warning("could not edit review message %s/%s: %s", chat_id, message_id, exc)
