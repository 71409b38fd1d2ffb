"""/tasks (a person's open tasks, paged) and /task CODE (one task in full, with the buttons
this viewer may use)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from bot.access import UNIT_ROLES, may_report, may_view
from bot.buttons import DONE, EXTEND, TASK
from bot.context import DondocContext
from bot.formats import echo
from bot.keyboards import keyboard
from bot.models import Task
from bot.paging import Page, pager_buttons, parse_pager, shown_text
from bot.services.tasks import find_task, listed_open_tasks, load_card, remember_message
from bot.texts import plain
from bot.views import task_card, task_list_page
from handlers.access import edit, reply

PAGER_KIND = "tasks"


# --- /tasks ----------------------------------------------------------------------------------


async def _tasks_page(context: DondocContext, page: int) -> Page:
    person = context.person
    assert person is not None
    today = context.clock.today()
    tasks = await listed_open_tasks(context.store, person, today=today)
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
    await show_card(update, context, TASK.parse(query.data or "") or "")


def card_buttons(context: DondocContext, task: Task) -> InlineKeyboardMarkup | None:
    """Done and Extend, for those who may report on the task, while it is open."""
    person = context.person
    if person is None or task.completed_on is not None or not may_report(person, task):
        return None
    done, extend = DONE.make(task.code), EXTEND.make(task.code)
    if done is None or extend is None:
        return None  # a code too long for button data: /done CODE still works
    return keyboard(
        [[(plain(context.lang, "card.done_button"), done),
          (plain(context.lang, "card.extend_button"), extend)]]
    )  # fmt: skip


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
    await remember_message(
        context.store,
        chat_id=sent.chat_id,
        message_id=sent.message_id,
        task_id=task.id,
        at=context.clock.now(),
    )
