"""/tasks (a person's open tasks, paged) and /task CODE (one task in full, with the buttons
this viewer may use)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application

from bot.access import UNIT_ROLES, may_report, may_view
from bot.context import DondocContext
from bot.formats import echo
from bot.models import Task
from bot.paging import CALLBACK_LIMIT, Page, pager_buttons, parse_pager, shown_text
from bot.texts import plain
from bot.views import CARD_EVENTS, TaskCard, task_card, task_list_page
from handlers.access import add_callback, add_command, edit, keyboard, reply
from storage import messages, task_lists
from storage.db import Database
from storage.register import get_person, get_task, get_unit, task_history

PAGER_KIND = "tasks"


def register(application: Application) -> None:
    add_command(application, "tasks", tasks_command)
    add_command(application, "task", task_command)
    add_callback(application, f"pg:{PAGER_KIND}", tasks_page_pressed)
    add_callback(application, "task", task_pressed)


# --- /tasks ----------------------------------------------------------------------------------


async def _tasks_page(context: DondocContext, page: int) -> Page:
    person = context.person
    assert person is not None
    today = context.clock.today()
    tasks = await task_lists.listed_open_tasks(context.store, person, today=today)
    soon = context.settings.workflow.due_soon_days
    return task_list_page(context.lang, person.name, tasks, today, soon, page)


def _pager(page: Page) -> InlineKeyboardMarkup | None:
    return keyboard([pager_buttons(PAGER_KIND, page.page, page.pages)])


async def tasks_command(update: Update, context: DondocContext) -> None:
    assert context.person is not None
    if context.person.role not in UNIT_ROLES:
        await reply(update, context.t("tasks.pointer"))
        return
    page = await _tasks_page(context, 0)
    await reply(update, page.text, reply_markup=_pager(page))


async def tasks_page_pressed(update: Update, context: DondocContext) -> None:
    """◀ ▶: the page asked for, of the list as it is now for whoever pressed."""
    query = update.callback_query
    assert query is not None and context.person is not None
    press = parse_pager(query.data or "")
    await query.answer()
    if press is None or context.person.role not in UNIT_ROLES:
        return
    page = await _tasks_page(context, press.page)
    shown, markup = query.message, _pager(page)
    if not isinstance(shown, Message):  # too old to edit: send it afresh
        await reply(update, page.text, reply_markup=markup)
        return
    if shown.text == shown_text(page.text) and shown.reply_markup == markup:
        return  # a second press of the same button: nothing to change
    await edit(query, page.text, markup)


# --- /task CODE -------------------------------------------------------------------------------


async def task_command(update: Update, context: DondocContext) -> None:
    if len(context.args or ()) != 1:
        await reply(update, context.t("task.usage"))
        return
    await show_card(update, context, (context.args or [""])[0])


async def task_pressed(update: Update, context: DondocContext) -> None:
    """The Details button ("task:<CODE>") on a list, a reminder or a review message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await show_card(update, context, (query.data or "").partition(":")[2])


async def find_task(db: Database, code: str) -> Task | None:
    """The task with this code, as typed or in capitals (`nv-2020-0345` finds it too)."""
    code = code.strip()
    task = await get_task(db, code=code)
    if task is None and code.upper() != code:
        task = await get_task(db, code=code.upper())
    return task


async def load_card(db: Database, task: Task) -> TaskCard:
    """The names a card shows: units, officer, assigner and the actors of the last events."""
    lead = await get_unit(db, id=task.lead_unit_id)
    cooperating = [await get_unit(db, id=unit_id) for unit_id in task.cooperating_unit_ids]
    officer = None if task.officer_id is None else await get_person(db, id=task.officer_id)
    assigner = task.assigner
    if task.assigner_id is not None:
        leader = await get_person(db, id=task.assigner_id)
        assigner = leader.name if leader is not None else assigner
    events = tuple(await task_history(db, task.id, limit=CARD_EVENTS))
    names: dict[int, str] = {}
    for actor_id in {e.actor_id for e in events if e.actor_id is not None}:
        actor = await get_person(db, id=actor_id)
        names[actor_id] = actor.name if actor is not None else ""
    return TaskCard(
        task=task,
        lead_unit=lead,
        cooperating=tuple(unit for unit in cooperating if unit is not None),
        officer=officer,
        assigner=assigner,
        events=events,
        names=names,
    )


def card_buttons(context: DondocContext, task: Task) -> InlineKeyboardMarkup | None:
    """Done and Extend, for those who may report on the task, while it is open."""
    person = context.person
    if person is None or task.completed_on is not None or not may_report(person, task):
        return None
    if len(f"done:{task.code}".encode()) > CALLBACK_LIMIT:
        return None  # a code too long for button data: /done CODE still works
    done = InlineKeyboardButton(
        plain(context.lang, "card.done_button"), callback_data=f"done:{task.code}"
    )
    extend = InlineKeyboardButton(
        plain(context.lang, "card.extend_button"), callback_data=f"ext:{task.code}"
    )
    return InlineKeyboardMarkup([[done, extend]])


async def show_card(update: Update, context: DondocContext, code: str) -> None:
    """Send the task's card (remembered, so that a reply to it finds the task)."""
    person = context.person
    assert person is not None
    task = await find_task(context.store, code)
    if task is None:
        await reply(update, context.t("task.not_found", code=echo(code)))
        return
    if not may_view(person, task):
        await reply(update, context.t("task.not_yours", code=task.code))
        return
    card = await load_card(context.store, task)
    text = task_card(context.lang, card, context.clock.today(), context.clock.tz)
    chat = update.effective_chat
    assert chat is not None
    sent = await chat.send_message(text, reply_markup=card_buttons(context, task))
    await messages.remember_message(
        context.store,
        chat_id=sent.chat_id,
        message_id=sent.message_id,
        task_id=task.id,
        at=context.clock.now(),
    )
