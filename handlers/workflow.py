"""/done, /extend, /review, /history: completion reports, extension requests and the
Office's decisions, with their buttons ("done:<CODE>", "ext:<CODE>", "rv:<action>:<id>")
and the guided dialogues, kept in the database so that a restart keeps them.

Button data carries no authority: every press is checked again against who pressed and
the current state. A decision takes effect once (`Decision.taken`); every message that put
the item before a reviewer is then edited to show who decided, without buttons.

Filing and deciding are use cases (bot/services/workflow.py), as are who reviews, the
outbox rows of a new item or a decision and the reviewers' cards (bot/services/review.py):
this module parses, checks the sender, calls them and answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import filters

from bot import workflow_views as views
from bot.access import may_report, may_view
from bot.buttons import DONE as DONE_BUTTON
from bot.buttons import EXTEND as EXTEND_BUTTON
from bot.buttons import REVIEW, CodeButton
from bot.context import DondocContext
from bot.formats import DateInputError, echo, format_date, format_int, parse_user_date
from bot.keyboards import keyboard
from bot.models import (
    CompletionReport,
    Decision,
    Dialogue,
    ExtensionRequest,
    ItemKind,
    Refusal,
    ReportState,
    Role,
    Step,
    Task,
)
from bot.paging import pager_buttons, parse_pager
from bot.services import workflow
from bot.services.accounts import person_by_id
from bot.services.reminders import start_sender
from bot.services.review import (
    get_item,
    load_item,
    refresh_cards,
    send_card,
)
from bot.services.tasks import (
    find_task,
    open_tasks,
    remember_message,
    task_by_code,
    task_by_id,
    task_events,
    task_of_message,
    tasks_of_digest,
)
from bot.texts import Html, plain
from bot.workflow import (
    clean_text,
    extension_task_refusal,
    looks_like_code,
    may_review,
    new_deadline_refusal,
    report_refusal,
    split_word,
    text_refusal,
)
from bot.workflow_views import TITLE_CHARS, format_moment, short
from handlers.access import edit, me

REPORTERS = (Role.OFFICER, Role.HEAD)
PICK_LIMIT = 20  # task buttons offered by /done or /extend alone
REVIEW_LIMIT = 10  # items /review shows at once
HISTORY_PAGER = "history"
DONE_CAPTION = filters.CaptionRegex(r"^/done(?:@\w+)?(?:\s|$)")
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # not edits
FILES = filters.Document.ALL | filters.PHOTO
TASK_BUTTONS = {DONE_BUTTON.prefix: DONE_BUTTON, EXTEND_BUTTON.prefix: EXTEND_BUTTON}


# --- small helpers -------------------------------------------------------------------------


def shown(value: object, lang: str) -> object:
    """A value as a user reads it: dates dd/mm/yyyy, numbers the Vietnamese way."""
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_int(value, lang)
    return value


def refusal_values(context: DondocContext, refusal: Refusal) -> dict[str, object]:
    values = {name: shown(value, context.lang) for name, value in refusal.values.items()}
    return {"office": context.settings.organization.office, **values}


def command_rest(message: Message) -> str:
    """What follows the command in a message's text or caption, lines kept."""
    parts = (message.text or message.caption or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def attached_file(message: Message) -> tuple[str, str] | None:
    """(file_id, kind) of a document or photo (the largest size) sent with the message."""
    if message.document is not None:
        return message.document.file_id, "document"
    if message.photo:
        return message.photo[-1].file_id, "photo"
    return None


async def say(
    update: Update,
    context: DondocContext,
    text: str,
    *,
    task: Task | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Answer in the sender's chat; a message about a task is remembered (replies find it)."""
    chat = update.effective_chat
    assert chat is not None
    sent = await chat.send_message(text, reply_markup=markup)
    if task is not None:
        await remember_message(
            context.store, chat_id=chat.id, message_id=sent.message_id, task_id=task.id,
            at=context.clock.now(),
        )  # fmt: skip


async def say_refusal(update: Update, context: DondocContext, refusal: Refusal) -> None:
    await say(update, context, context.t(refusal.key, **refusal_values(context, refusal)))


def nudge(context: DondocContext) -> None:
    """Rows just stored leave at once (the sender holds them back in quiet hours)."""
    start_sender(context.application)


async def start_dialogue(
    context: DondocContext,
    update: Update,
    step: Step,
    *,
    task: Task | None = None,
    item_id: int | None = None,
    data: Mapping[str, object] | None = None,
) -> None:
    chat = update.effective_chat
    assert chat is not None
    now = context.clock.now()
    await workflow.save_dialogue(
        context.store,
        Dialogue(
            person_id=me(context).id,
            chat_id=chat.id,
            step=step,
            started_at=now,
            expires_at=now + timedelta(minutes=context.settings.workflow.dialog_ttl_minutes),
            task_id=None if task is None else task.id,
            item_id=item_id,
            data=data or {},
        ),
    )


# --- which task ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """The task a command is about (None: let the sender pick) and the rest of its text."""

    task: Task | None
    rest: str


def _replied_to_bot(update: Update, context: DondocContext) -> Message | None:
    """The bot's message the sender's message replies to, if any."""
    message = update.effective_message
    replied = None if message is None else message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return None
    return replied


async def replied_task(update: Update, context: DondocContext) -> Task | None:
    replied = _replied_to_bot(update, context)
    if replied is None:
        return None
    return await task_of_message(
        context.store, chat_id=replied.chat.id, message_id=replied.message_id
    )


async def replied_digest(update: Update, context: DondocContext) -> list[Task]:
    """The tasks listed by the bot's message replied to (a morning message, an
    escalation); [] when it lists none."""
    replied = _replied_to_bot(update, context)
    if replied is None:
        return []
    return await tasks_of_digest(
        context.store, chat_id=replied.chat.id, message_id=replied.message_id
    )


async def target_of(
    update: Update, context: DondocContext, text: str, usage_key: str, prefix: str
) -> Target | None:
    """`CODE rest`, or `rest` as a reply to a message about a task, or nothing (pick one).
    A reply to a message listing several tasks asks which of them. None when the sender
    was told what is wrong or asked which task."""
    word, rest = split_word(text)
    if word:
        task = await find_task(context.store, word)
        if task is not None:
            return Target(task, rest)
    replied = await replied_task(update, context)
    if replied is not None:
        return Target(replied, clean_text(text))
    listed = await replied_digest(update, context)
    if listed:
        await offer_listed(update, context, prefix, listed)
        return None
    if not word:
        return Target(None, "")
    if looks_like_code(word):
        await say(update, context, context.t("wf.unknown_code", code=echo(word)))
    else:
        await say(update, context, context.t(usage_key))
    return None


def _pickable(tasks: list[Task], prefix: str) -> list[Task]:
    """Of `tasks`, those `/done` (not waiting for review) or `/extend` (with a deadline)
    can be about, the earliest deadline first."""
    if prefix == "done":
        tasks = [task for task in tasks if task.report_state is not ReportState.PENDING]
    else:
        tasks = [task for task in tasks if task.deadline is not None]
    return sorted(tasks, key=lambda task: (task.deadline is None, task.deadline or date.min,
                                           task.code))  # fmt: skip


def _pick_buttons(tasks: list[Task], prefix: str) -> InlineKeyboardMarkup:
    button = TASK_BUTTONS[prefix]
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(short(f"{task.code} — {task.title}", 60), callback_data=data)]
            for task in tasks[:PICK_LIMIT]
            if (data := button.make(task.code)) is not None
        ]
    )


async def offer_tasks(update: Update, context: DondocContext, prefix: str) -> None:
    """`/done` or `/extend` alone: the sender's open tasks as buttons, earliest deadline first."""
    tasks = _pickable(await open_tasks(context.store, me(context)), prefix)
    name = "done" if prefix == "done" else "extend"
    if not tasks:
        await say(update, context, context.t(f"wf.{name}.none"))
        return
    text = context.t(f"wf.{name}.pick")
    if len(tasks) > PICK_LIMIT:
        more = context.t("wf.pick.more", shown=PICK_LIMIT, count=format_int(len(tasks)))
        text = Html(f"{text}\n{more}")
    await say(update, context, text, markup=_pick_buttons(tasks, prefix))


async def offer_listed(
    update: Update, context: DondocContext, prefix: str, listed: list[Task]
) -> None:
    """A reply to a message listing several tasks: which of them (its open ones the sender
    may report, as buttons and with their codes)? Nothing is guessed, nothing changes."""
    person = me(context)
    tasks = _pickable([t for t in listed if t.completed_on is None and may_report(person, t)],
                      prefix)  # fmt: skip
    name = "done" if prefix == "done" else "extend"
    if not tasks:
        await say(update, context, context.t(f"wf.{name}.none"))
        return
    lines = [context.t("wf.digest.pick.line", code=task.code, title=short(task.title, 60))
             for task in tasks[:PICK_LIMIT]]  # fmt: skip
    text = Html("\n".join([context.t(f"wf.digest.pick.{name}"), *lines]))
    await say(update, context, text, markup=_pick_buttons(tasks, prefix))


async def pressed_task(update: Update, context: DondocContext, button: CodeButton) -> Task | None:
    """The task of a "done:<CODE>"/"ext:<CODE>" press; a stale code gets a short answer."""
    query = update.callback_query
    assert query is not None
    code = button.parse(query.data or "")
    task = await task_by_code(context.store, code) if code else None
    await query.answer(None if task else plain(context.lang, "wf.answer.stale"))
    return task


# --- /done ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flow:
    """/done or /extend: its button prefix, its usage text, and what it does with a task."""

    prefix: str
    usage: str
    act: Callable[[Update, DondocContext, Task, str, tuple[str, str] | None], Awaitable[None]]


async def flow_command(update: Update, context: DondocContext, flow: Flow) -> None:
    """The three ways: `CODE rest`, `rest` as a reply, or alone (pick a task)."""
    message = update.effective_message
    assert message is not None
    target = await target_of(update, context, command_rest(message), flow.usage, flow.prefix)
    if target is None:
        return
    if target.task is None:
        await offer_tasks(update, context, flow.prefix)
        return
    await flow.act(update, context, target.task, target.rest, attached_file(message))


async def done_command(update: Update, context: DondocContext) -> None:
    await flow_command(update, context, DONE)


async def done_given(
    update: Update, context: DondocContext, task: Task, rest: str, file: tuple[str, str] | None
) -> None:
    if rest:
        await file_report(update, context, task, rest, file)
    else:
        await ask_result(update, context, task, file)


async def done_button(update: Update, context: DondocContext) -> None:
    task = await pressed_task(update, context, DONE_BUTTON)
    if task is not None:
        await ask_result(update, context, task, None)


async def ask_result(
    update: Update, context: DondocContext, task: Task, file: tuple[str, str] | None
) -> None:
    refusal = report_refusal(me(context), task)
    if refusal is not None:
        await say_refusal(update, context, refusal)
        return
    data = {} if file is None else {"file_id": file[0], "file_kind": file[1]}
    await start_dialogue(context, update, Step.DONE_RESULT, task=task, data=data)
    text = context.t("wf.done.ask", code=task.code, title=short(task.title, TITLE_CHARS))
    await say(update, context, text, task=task)


async def file_report(
    update: Update,
    context: DondocContext,
    task: Task,
    result: str,
    file: tuple[str, str] | None,
) -> Refusal | None:
    """File the report; with review on, put it before the Office's admins."""
    person = me(context)
    outcome = await workflow.submit_report(context.services, task, person, result, file)
    if isinstance(outcome, Refusal):
        await say_refusal(update, context, outcome)
        return outcome
    await workflow.end_dialogue(context.store, person.id)
    report, decision = outcome
    if decision is None:
        text = context.t("wf.done.sent", code=task.code)
    else:
        text = context.t("wf.done.completed", code=task.code, on=format_date(report.reported_on))
    docs = (
        context.t("wf.doc.found", numbers=report.reply_doc)
        if report.reply_doc
        else context.t("wf.doc.none")
    )
    await say(update, context, Html(f"{text}\n{docs}"), task=task)
    if decision is None:
        nudge(context)  # the cards stored with the report
    else:
        await refresh_cards(context.services, context.bot, ItemKind.EXTENSION, decision.withdrawn)
    return None


# --- /extend -------------------------------------------------------------------------------


async def extend_command(update: Update, context: DondocContext) -> None:
    await flow_command(update, context, EXTEND)


async def extend_given(
    update: Update, context: DondocContext, task: Task, rest: str, file: tuple[str, str] | None
) -> None:
    if rest:
        await extension_text(update, context, task, rest)
    else:
        await ask_date(update, context, task)


async def extend_button(update: Update, context: DondocContext) -> None:
    task = await pressed_task(update, context, EXTEND_BUTTON)
    if task is not None:
        await ask_date(update, context, task)


async def extension_task_check(
    update: Update, context: DondocContext, task: Task
) -> Refusal | None:
    """Whether the sender may ask for more time on `task` today; a refusal is said."""
    request = await workflow.open_request(context.store, task.id)
    refusal = extension_task_refusal(
        me(context), task, today=context.clock.today(), settings=context.settings.workflow,
        calendar=context.services.calendar, request_open=request is not None,
    )  # fmt: skip
    if refusal is not None:
        await say_refusal(update, context, refusal)
    return refusal


async def ask_date(update: Update, context: DondocContext, task: Task) -> None:
    if await extension_task_check(update, context, task) is not None:
        return
    assert task.deadline is not None
    await start_dialogue(context, update, Step.EXTEND_DATE, task=task)
    text = context.t(
        "wf.extend.ask", code=task.code, title=short(task.title, TITLE_CHARS),
        deadline=format_date(task.deadline),
    )  # fmt: skip
    await say(update, context, text, task=task)


async def parse_date(update: Update, context: DondocContext, text: str) -> date | None:
    """A date typed by the sender; what is wrong with it is said, and None returned."""
    try:
        return parse_user_date(
            text, today=context.clock.today(), calendar=context.services.calendar
        )
    except DateInputError as exc:
        await say(update, context, context.t(f"wf.date.{exc.reason}", text=echo(text)))
        return None


async def extension_text(
    update: Update, context: DondocContext, task: Task, text: str
) -> Refusal | None:
    """`DATE reason`: a complete request is filed; a date alone asks for the reason."""
    refusal = await extension_task_check(update, context, task)
    if refusal is not None:
        return refusal
    word, reason = split_word(text)
    new_deadline = await parse_date(update, context, word)
    if new_deadline is None:
        return None  # said; the sender may type the date again
    if reason:
        return await file_extension(update, context, task, new_deadline, reason)
    refusal = new_deadline_refusal(
        task.deadline, new_deadline, today=context.clock.today(),
        settings=context.settings.workflow,
    )  # fmt: skip
    if refusal is not None:
        await say_refusal(update, context, refusal)
        return refusal
    await start_dialogue(
        context, update, Step.EXTEND_REASON, task=task, data={"date": new_deadline.isoformat()}
    )
    text = context.t(
        "wf.extend.ask_reason", code=task.code, date=format_date(new_deadline),
        words=context.settings.workflow.min_reason_words,
    )  # fmt: skip
    await say(update, context, text, task=task)
    return None


async def file_extension(
    update: Update, context: DondocContext, task: Task, new_deadline: date, reason: str
) -> Refusal | None:
    person = me(context)
    outcome = await workflow.request_extension(context.services, task, person, new_deadline, reason)
    if isinstance(outcome, Refusal):
        await say_refusal(update, context, outcome)
        return outcome
    await workflow.end_dialogue(context.store, person.id)
    text = context.t("wf.extend.sent", code=task.code, date=format_date(new_deadline))
    await say(update, context, text, task=task)
    nudge(context)  # the cards stored with the request
    return None


DONE = Flow("done", "wf.done.usage", done_given)
EXTEND = Flow("ext", "wf.extend.usage", extend_given)


# --- the reviewers' cards ------------------------------------------------------------------


# --- the reviewers' buttons ----------------------------------------------------------------

ACTIONS: dict[str, ItemKind] = {
    "a": ItemKind.REPORT,  # accept
    "r": ItemKind.REPORT,  # return: asks the reason
    "g": ItemKind.EXTENSION,  # grant as asked
    "d": ItemKind.EXTENSION,  # grant to another date: asks the date
    "x": ItemKind.EXTENSION,  # refuse: asks the reason
}


async def already(
    update: Update, context: DondocContext, kind: ItemKind, item_id: int, decision: Decision
) -> None:
    """Tell the reviewer who came second who decided (the first one's decision has edited
    every card)."""
    decider = (
        await person_by_id(context.store, decision.decided_by) if decision.decided_by else None
    )
    key = f"wf.already.{decision.state}"
    values = {
        "by": decider.name if decider else "",
        "at": format_moment(decision.decided_at, context.clock.tz),
    }
    query = update.callback_query
    if query is not None:
        await query.answer(plain(context.lang, key, **values), show_alert=True)
    else:
        await say(update, context, context.t(key, **values))


async def review_button(update: Update, context: DondocContext) -> None:
    query = update.callback_query
    assert query is not None
    press = REVIEW.parse(query.data or "")
    kind = ACTIONS.get(press.action) if press else None
    item_id = press.item_id if press else None
    loaded = await load_item(context.store, kind, item_id) if kind and item_id else None
    if press is None or kind is None or loaded is None:
        await query.answer(plain(context.lang, "wf.answer.stale"))
        return
    item, task = loaded
    leaders = context.settings.workflow.leaders_review_extensions
    if not may_review(me(context), kind, task, leaders_review=leaders):
        await query.answer(plain(context.lang, "wf.answer.not_reviewer"))
        return
    if item.state != "pending":
        decision = Decision(False, item.state, item.decided_by, item.decided_at)
        await already(update, context, kind, item.id, decision)
        return
    await BUTTONS[press.action](update, context, item, task)


async def accept_pressed(
    update: Update, context: DondocContext, item: CompletionReport | ExtensionRequest, task: Task
) -> None:
    query = update.callback_query
    assert query is not None and isinstance(item, CompletionReport)
    on = format_date(item.reported_on)
    decision = await workflow.accept_report(context.services, item, task, by=me(context))
    if not decision.taken:
        await already(update, context, ItemKind.REPORT, item.id, decision)
        return
    nudge(context)
    await query.answer(plain(context.lang, "wf.answer.accepted", on=on))
    await refresh_cards(context.services, context.bot, ItemKind.REPORT, (item.id,))
    await refresh_cards(context.services, context.bot, ItemKind.EXTENSION, decision.withdrawn)


async def grant_pressed(
    update: Update, context: DondocContext, item: CompletionReport | ExtensionRequest, task: Task
) -> None:
    assert isinstance(item, ExtensionRequest)
    await grant(update, context, item, task, item.new_deadline)


async def ask_pressed(
    update: Update, context: DondocContext, item: CompletionReport | ExtensionRequest, task: Task
) -> None:
    """Return, refuse or another date: the reviewer is asked in a dialogue."""
    query = update.callback_query
    assert query is not None
    press = REVIEW.parse(query.data or "")
    assert press is not None  # review_button has read it
    step, key = {
        "r": (Step.RETURN_REASON, "wf.return.ask"),
        "d": (Step.GRANT_DATE, "wf.grant_other.ask"),
        "x": (Step.REFUSE_REASON, "wf.refuse.ask"),
    }[press.action]
    await query.answer(plain(context.lang, "wf.answer.ask"))
    await start_dialogue(context, update, step, task=task, item_id=item.id)
    asked = format_date(item.new_deadline) if isinstance(item, ExtensionRequest) else ""
    deadline = format_date(task.deadline) if task.deadline else ""
    await say(update, context, context.t(key, code=task.code, deadline=deadline, asked=asked))


Pressed = Callable[
    [Update, DondocContext, CompletionReport | ExtensionRequest, Task], Awaitable[None]
]
BUTTONS: dict[str, Pressed] = {
    "a": accept_pressed,
    "r": ask_pressed,
    "g": grant_pressed,
    "d": ask_pressed,
    "x": ask_pressed,
}


# --- decisions ------------------------------------------------------------------------------


async def grant(
    update: Update,
    context: DondocContext,
    request: ExtensionRequest,
    task: Task,
    new_deadline: date,
) -> Refusal | None:
    """Grant `request` (on `task`, as the caller read it) with `new_deadline`."""
    date_text = format_date(new_deadline)
    outcome = await workflow.grant_extension(
        context.services, request, task, by=me(context), new_deadline=new_deadline
    )
    query = update.callback_query
    if isinstance(outcome, Refusal):
        if query is not None:
            await query.answer()
        await say_refusal(update, context, outcome)
        return outcome
    await workflow.end_dialogue(context.store, me(context).id)
    if not outcome.taken:
        await already(update, context, ItemKind.EXTENSION, request.id, outcome)
        return None
    nudge(context)
    if query is not None:
        await query.answer(plain(context.lang, "wf.answer.granted", date=date_text))
    else:
        await say(update, context, context.t("wf.grant.done", code=task.code, date=date_text))
    await refresh_cards(context.services, context.bot, ItemKind.EXTENSION, (request.id,))
    return None


async def decide_with_reason(
    update: Update, context: DondocContext, dialogue: Dialogue, task: Task, text: str
) -> Refusal | None:
    """The reason of a return or a refusal of the dialogue's item (on `task`) has come:
    decide, once."""
    refusal = text_refusal(
        text, what="reason", max_length=context.settings.workflow.max_text_length
    )
    if refusal is not None:
        await say_refusal(update, context, refusal)
        return refusal
    reason, person = clean_text(text), me(context)
    assert dialogue.item_id is not None
    kind = ItemKind.REPORT if dialogue.step is Step.RETURN_REASON else ItemKind.EXTENSION
    item = await get_item(context.store, kind, dialogue.item_id)
    assert item is not None
    decision = await workflow.decide_with_reason(
        context.services, item, task, by=person, reason=reason
    )
    await workflow.end_dialogue(context.store, person.id)
    if not decision.taken:
        await already(update, context, kind, item.id, decision)
        return None
    nudge(context)
    done_key = "wf.return.done" if kind is ItemKind.REPORT else "wf.refuse.done"
    await say(update, context, context.t(done_key, code=task.code))
    await refresh_cards(context.services, context.bot, kind, (item.id,))
    return None


# --- dialogues ------------------------------------------------------------------------------


async def dialogue_message(update: Update, context: DondocContext) -> None:
    """A message that is not a command: the answer to the bot's question, if one waits."""
    person = context.person
    message = update.effective_message
    if person is None or message is None:
        return
    dialogue = await workflow.dialogue_of(context.store, person.id)
    if dialogue is None:
        return  # not ours: the fallback answers
    context.handled = True
    if dialogue.expired(context.clock.now()):
        await workflow.end_dialogue(context.store, person.id)
        minutes = context.settings.workflow.dialog_ttl_minutes
        await say(update, context, context.t("wf.dialog.expired", minutes=minutes))
        return
    task = None if dialogue.task_id is None else await task_by_id(context.store, dialogue.task_id)
    if task is None:
        await workflow.end_dialogue(context.store, person.id)
        return
    file = attached_file(message)
    text = message.text or message.caption or ""
    if dialogue.step is Step.DONE_RESULT:
        await result_given(update, context, dialogue, task, text, file)
        return
    if file is not None and not text:
        await say(update, context, context.t("wf.dialog.text_needed"))
        return
    refusal = await STEPS[dialogue.step](update, context, dialogue, task, text)
    if refusal is not None and not refusal.mendable:
        await workflow.end_dialogue(context.store, person.id)


async def result_given(
    update: Update,
    context: DondocContext,
    dialogue: Dialogue,
    task: Task,
    text: str,
    file: tuple[str, str] | None,
) -> None:
    kept = dialogue.data
    if file is None and kept.get("file_id"):
        file = (str(kept["file_id"]), str(kept["file_kind"]))
    if file is not None and not clean_text(text):
        data = {"file_id": file[0], "file_kind": file[1]}
        await start_dialogue(context, update, Step.DONE_RESULT, task=task, data=data)
        await say(update, context, context.t("wf.done.file_kept"))
        return
    refusal = await file_report(update, context, task, text, file)
    if refusal is not None and not refusal.mendable:
        await workflow.end_dialogue(context.store, dialogue.person_id)


async def date_given(
    update: Update, context: DondocContext, dialogue: Dialogue, task: Task, text: str
) -> Refusal | None:
    return await extension_text(update, context, task, text)


async def reason_given(
    update: Update, context: DondocContext, dialogue: Dialogue, task: Task, text: str
) -> Refusal | None:
    new_deadline = date.fromisoformat(str(dialogue.data["date"]))
    return await file_extension(update, context, task, new_deadline, text)


async def other_date_given(
    update: Update, context: DondocContext, dialogue: Dialogue, task: Task, text: str
) -> Refusal | None:
    assert dialogue.item_id is not None
    request = await workflow.request_by_id(context.store, dialogue.item_id)
    new_deadline = await parse_date(update, context, clean_text(text))
    if request is None or new_deadline is None:
        return None
    if not may_review(
        me(context), ItemKind.EXTENSION, task,
        leaders_review=context.settings.workflow.leaders_review_extensions,
    ):  # fmt: skip
        await workflow.end_dialogue(context.store, dialogue.person_id)
        await say(update, context, context.t("access.not_for_role"))
        return None
    return await grant(update, context, request, task, new_deadline)


async def reason_for_decision(
    update: Update, context: DondocContext, dialogue: Dialogue, task: Task, text: str
) -> Refusal | None:
    kind = ItemKind.REPORT if dialogue.step is Step.RETURN_REASON else ItemKind.EXTENSION
    leaders = context.settings.workflow.leaders_review_extensions
    if not may_review(me(context), kind, task, leaders_review=leaders):
        await workflow.end_dialogue(context.store, dialogue.person_id)
        await say(update, context, context.t("access.not_for_role"))
        return None
    return await decide_with_reason(update, context, dialogue, task, text)


StepHandler = Callable[[Update, DondocContext, Dialogue, Task, str], Awaitable[Refusal | None]]
STEPS: dict[Step, StepHandler] = {
    Step.EXTEND_DATE: date_given,
    Step.EXTEND_REASON: reason_given,
    Step.GRANT_DATE: other_date_given,
    Step.RETURN_REASON: reason_for_decision,
    Step.REFUSE_REASON: reason_for_decision,
}


async def cancel_command(update: Update, context: DondocContext) -> None:
    person = me(context)
    dialogue = await workflow.dialogue_of(context.store, person.id)
    await workflow.end_dialogue(context.store, person.id)
    key = "wf.dialog.nothing" if dialogue is None else "wf.dialog.cancelled"
    await say(update, context, context.t(key))


# --- /review and /history -------------------------------------------------------------------


async def review_command(update: Update, context: DondocContext) -> None:
    queue = await workflow.review_queue(context.store, limit=REVIEW_LIMIT)
    waiting, count = queue.waiting, queue.count
    if not waiting:
        await say(update, context, context.t("wf.review.none"))
        return
    await say(update, context, context.t("wf.review.head", count=format_int(count, context.lang)))
    chat = update.effective_chat
    assert chat is not None
    for kind, item_id in waiting:
        await send_card(context.services, context.bot, chat.id, context.lang, kind, item_id)
    if count > len(waiting):
        more = context.t(
            "wf.review.more", shown=len(waiting), count=format_int(count, context.lang)
        )
        await say(update, context, more)


async def history_command(update: Update, context: DondocContext) -> None:
    message = update.effective_message
    assert message is not None
    code, _ = split_word(command_rest(message))
    task = await find_task(context.store, code) if code else await replied_task(update, context)
    if task is None:
        if code:
            await say(update, context, context.t("wf.unknown_code", code=echo(code)))
        else:
            await say(update, context, context.t("wf.history.usage"))
        return
    if not may_view(me(context), task):
        await say(update, context, context.t("wf.history.not_yours"))
        return
    text, markup = await history_page(context, task, 0)
    await say(update, context, text, task=task, markup=markup)


async def history_page_pressed(update: Update, context: DondocContext) -> None:
    """◀ ▶ on a history: the page asked for, if the one who pressed may see the task."""
    query = update.callback_query
    assert query is not None
    press = parse_pager(query.data or "")
    task = await find_task(context.store, press.args[0]) if press and press.args else None
    if press is None or task is None or not may_view(me(context), task):
        await query.answer(plain(context.lang, "wf.answer.stale"))
        return
    await query.answer()
    text, markup = await history_page(context, task, press.page)
    await edit(query, text, markup)


async def history_page(
    context: DondocContext, task: Task, page: int
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """One page of a task's history, with ◀ ▶ when there are more."""
    events, names = await task_events(context.store, task)
    shown = views.history_page(context.lang, task, events, names, context.clock.tz, page)
    try:
        buttons = pager_buttons(HISTORY_PAGER, shown.page, shown.pages, task.code)
    except ValueError:  # a code too long for button data: the first page only
        buttons = []
    return shown.text, keyboard([buttons])
