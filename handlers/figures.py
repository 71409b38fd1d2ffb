"""Leaders' figures in the chat: /stats, /overdue, /unit, /mine, /chart, /report, and plain
questions ("bao nhiêu nhiệm vụ quá hạn?") matched to them.

Leaders and admins see everything; a unit head sees their own unit only; officers are
pointed to /tasks. The commands answer in linked groups too. Button data ("ov:…",
"unit:…", bot/buttons.py) carries no authority: every press is checked again for whoever pressed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update

from bot.buttons import OVERDUE, UNIT
from bot.chart import render_chart, top_units
from bot.context import DondocContext
from bot.figure_views import (
    mine_text,
    overdue_text,
    stats_text,
    unit_overdue_text,
    unit_stats_text,
    unit_text,
)
from bot.figures import default_as_of, month_period, parse_period
from bot.formats import echo, format_date
from bot.keyboards import keyboard
from bot.models import GroupFigures, Period, Role, Unit
from bot.paging import arrows
from bot.questions import interpret
from bot.report_docx import build_docx
from bot.report_xlsx import APPENDIX_ROWS as XLSX_ROWS
from bot.report_xlsx import build_xlsx
from bot.services.accounts import unit_by_id
from bot.services.figures import (
    find_units,
    head_unit_year,
    kept_figures,
    leader_figures,
    monthly_report,
    overdue_page,
    unit_figures,
    unit_overdue,
)
from bot.texts import Html, plain
from handlers.access import edit, in_group, me, refuse, reply

Callback = Callable[[Update, DondocContext], Coroutine[Any, Any, None]]
LEADERS = frozenset({Role.LEADER, Role.ADMIN})
FIGURE_ROLES = frozenset({Role.LEADER, Role.ADMIN, Role.HEAD})
# After every feature's handlers (their commands and dialogues win), before the fallback.
QUESTION_GROUP = 90
UNIT_CHOICES = 10  # buttons when a name matches several units


def only(roles: frozenset[Role]) -> Callable[[Callback], Callback]:
    """Run for these roles; point officers to /tasks; refuse the others politely."""

    def decorate(callback: Callback) -> Callback:
        async def run(update: Update, context: DondocContext) -> None:
            person = me(context)
            if person.role in roles:
                await callback(update, context)
            elif person.role is Role.OFFICER and not in_group(update):
                await reply(update, context.t("fig.officer_pointer"))
            else:
                await refuse(update, context, grouped=in_group(update))

        return run

    return decorate


async def show(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Answer a command with a new message, a button press by editing its message."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await reply(update, text, reply_markup=markup)
        return
    await edit(query, text, markup)


async def own_unit(context: DondocContext) -> Unit:
    person = me(context)
    unit = await unit_by_id(context.store, person.unit_id)
    assert unit is not None  # a head always belongs to a unit (schema CHECK)
    return unit


# --- /stats [MM/YYYY] --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Asked:
    """The period a command asks about and the day its figures are as of."""

    period: Period
    as_of: date


async def asked_period(update: Update, context: DondocContext, usage: str) -> Asked | None:
    """The month in the command (`03/2020`, default: this month) and its as-of day; None
    after telling the user what is wrong."""
    today = context.clock.today()
    text = " ".join(context.args or [])
    if not text:
        period = month_period(today.year, today.month)
    else:
        try:
            period = parse_period(month_text(text))
        except ValueError:
            await reply(update, context.t("fig.bad_period", text=echo(text), usage=Html(usage)))
            return None
    if period.start > today:
        await reply(update, context.t("fig.future_period", today=format_date(today)))
        return None
    return Asked(period, default_as_of(period, today))


def month_text(text: str) -> str:
    """`03/2020` or `3/2020` as `2020-03`, for `parse_period` (which also takes `2020-03`)."""
    month, slash, year = text.strip().partition("/")
    if slash and month.isdigit() and year.isdigit() and len(month) <= 2:
        return f"{year}-{int(month):02d}"
    return text


async def stats_command(update: Update, context: DondocContext) -> None:
    asked = await asked_period(update, context, "/stats 03/2020")
    if asked is None:
        return
    person = me(context)
    if person.role is Role.HEAD:
        year_start = date(asked.period.start.year, 1, 1)
        unit, figures = await head_unit_year(
            context.store, person, year_start=year_start, as_of=asked.as_of
        )
        text = unit_stats_text(
            unit, figures, year_start=year_start, as_of=asked.as_of, lang=context.lang
        )
        await reply(update, text)
        return
    figures_all = await kept_figures(
        context.store, period=asked.period, as_of=asked.as_of, groups=False
    )
    await reply(update, stats_text(figures_all, lang=context.lang))


# --- /overdue ----------------------------------------------------------------------------------


async def overdue_command(update: Update, context: DondocContext) -> None:
    if me(context).role is Role.HEAD:
        await show_unit_overdue(update, context, (await own_unit(context)).id, 0)
        return
    await show_overdue(update, context, 0)


async def show_overdue(update: Update, context: DondocContext, page: int) -> None:
    today = context.clock.today()
    found = await overdue_page(context.store, today=today, page=page)
    shown, page, count = found.first.lines, found.page, found.count
    text = overdue_text(
        shown, total=found.first.tasks, units=found.first.total, page=page, today=today,
        lang=context.lang,
    )  # fmt: skip
    buttons = [[(f"{u.name} ({u.overdue})", OVERDUE.make(u.unit_id, 0))] for u in shown]
    await show(
        update, text, keyboard([*buttons, arrows(page, count, lambda n: OVERDUE.make(None, n))])
    )


async def show_unit_overdue(
    update: Update, context: DondocContext, unit_id: int, page: int
) -> None:
    today = context.clock.today()
    found = await unit_overdue(context.store, unit_id, today=today, page=page)
    if found is None:
        await show(update, context.t("fig.unit_gone"), None)
        return
    unit, first, page, count = found.unit, found.shown.first, found.shown.page, found.shown.count
    text = unit_overdue_text(
        unit, first.tasks, total=first.total, page=page, today=today, lang=context.lang
    )
    back = (
        []
        if me(context).role is Role.HEAD
        else [(plain(context.lang, "fig.back"), OVERDUE.make(None, 0))]
    )
    await show(
        update, text, keyboard([arrows(page, count, lambda n: OVERDUE.make(unit.id, n)), back])
    )


async def overdue_pressed(update: Update, context: DondocContext) -> None:
    """ "ov:p:<page>" (the list of units), "ov:u:<unit id>:<page>" (one unit's tasks)."""
    query = update.callback_query
    assert query is not None
    press = OVERDUE.parse(query.data or "")
    if press is not None and press.unit_id is None:
        if me(context).role is Role.HEAD:
            await refuse(update, context)
            return
        await query.answer()
        await show_overdue(update, context, press.page)
    elif press is not None and press.unit_id is not None:
        if not await may_see_unit(update, context, press.unit_id):
            return
        await query.answer()
        await show_unit_overdue(update, context, press.unit_id, press.page)
    else:
        await query.answer(plain(context.lang, "fig.stale_button"))


async def may_see_unit(update: Update, context: DondocContext, unit_id: int) -> bool:
    """Heads see their own unit only: another one is refused, politely."""
    person = me(context)
    if person.role is not Role.HEAD or person.unit_id == unit_id:
        return True
    query = update.callback_query
    if query is not None:
        await query.answer(plain(context.lang, "fig.not_your_unit_short"))
    else:
        await reply(update, context.t("fig.not_your_unit"))
    return False


# --- /unit CODE|name ---------------------------------------------------------------------------


async def unit_command(update: Update, context: DondocContext) -> None:
    query = " ".join(context.args or []).strip()
    person = me(context)
    if not query:
        if person.role is Role.HEAD:
            await show_unit(update, context, (await own_unit(context)).id, 0)
        else:
            await reply(update, context.t("fig.unit_usage"))
        return
    found = await find_units(context.store, query, limit=UNIT_CHOICES + 1)
    if person.role is Role.HEAD:
        mine = [unit for unit in found if unit.id == person.unit_id]
        if found and not mine:
            await reply(update, context.t("fig.not_your_unit"))
            return
        found = mine
    if not found:
        await reply(update, context.t("fig.unit_not_found", query=echo(query)))
    elif len(found) == 1:
        await show_unit(update, context, found[0].id, 0)
    else:
        shown = found[:UNIT_CHOICES]
        text = context.t(
            "fig.unit_choose" if len(found) <= UNIT_CHOICES else "fig.unit_choose_more",
            query=echo(query),
            count=len(shown),
        )
        buttons = [[(f"{u.name} ({u.code})", UNIT.make(u.id, 0))] for u in shown]
        await reply(update, text, reply_markup=keyboard(buttons))


async def show_unit(update: Update, context: DondocContext, unit_id: int, page: int) -> None:
    today = context.clock.today()
    found = await unit_figures(context.store, unit_id, today=today, page=page)
    if found is None:
        await show(update, context.t("fig.unit_gone"), None)
        return
    unit, open_page, page, count = found.unit, found.open.first, found.open.page, found.open.count
    text = unit_text(
        unit,
        found.figures,
        open_page.tasks,
        open_total=open_page.total,
        page=page,
        year_start=found.year_start,
        as_of=today,
        lang=context.lang,
    )
    await show(update, text, keyboard([arrows(page, count, lambda n: UNIT.make(unit.id, n))]))


async def unit_pressed(update: Update, context: DondocContext) -> None:
    """ "unit:<unit id>:<page>": a unit chosen among several, or a page of its tasks."""
    query = update.callback_query
    assert query is not None
    press = UNIT.parse(query.data or "")
    if press is None or press.unit_id is None:
        await query.answer(plain(context.lang, "fig.stale_button"))
        return
    if not await may_see_unit(update, context, press.unit_id):
        return
    await query.answer()
    await show_unit(update, context, press.unit_id, press.page)


# --- /mine -------------------------------------------------------------------------------------


async def mine_command(update: Update, context: DondocContext) -> None:
    person = me(context)
    today = context.clock.today()
    year_start = date(today.year, 1, 1)
    found = await leader_figures(context.store, person, today=today)
    text = mine_text(
        person.name,
        found.figures,
        found.overdue.tasks,
        found.in_time.tasks,
        overdue_total=found.overdue.total,
        in_time_total=found.in_time.total,
        year_start=year_start,
        as_of=today,
        lang=context.lang,
    )
    await reply(update, text)


# --- /chart and /report --------------------------------------------------------------------------


async def chart_command(update: Update, context: DondocContext) -> None:
    asked = await asked_period(update, context, "/chart 03/2020")
    if asked is None:
        return
    year_start = date(asked.period.start.year, 1, 1)
    person = me(context)
    if person.role is Role.HEAD:
        unit, year = await head_unit_year(
            context.store, person, year_start=year_start, as_of=asked.as_of
        )
        units = [GroupFigures(code=unit.code, name=unit.name, figures=year)]
    else:
        units = (await kept_figures(context.store, period=asked.period, as_of=asked.as_of)).units
    if not top_units(units):
        await reply(update, context.t("chart.none"))
        return
    # Drawn in a worker thread: the bot keeps answering others meanwhile.
    png = await asyncio.to_thread(
        render_chart, units, year_start=year_start, as_of=asked.as_of, lang=context.lang
    )
    caption = context.t("chart.caption", end=format_date(asked.as_of))
    chat = update.effective_chat
    assert chat is not None
    await chat.send_photo(png, caption=caption)


async def report_command(update: Update, context: DondocContext) -> None:
    asked = await asked_period(update, context, "/report 03/2020")
    if asked is None:
        return
    chat = update.effective_chat
    assert chat is not None
    await reply(update, context.t("report.preparing"))
    report = await monthly_report(
        context.store,
        period=asked.period,
        as_of=asked.as_of,
        tz=context.settings.organization.tz,
        limit=XLSX_ROWS,  # the longer of the two documents' lists
    )
    now = context.clock.now()
    # The formal report is the Office's document: Vietnamese, whoever asks.
    docx = await asyncio.to_thread(build_docx, report, context.settings, today=now.date(), now=now)
    xlsx = await asyncio.to_thread(build_xlsx, report)
    stem = f"bao-cao-{asked.period.start.year}-{asked.period.start.month:02d}"
    caption = context.t("report.caption", as_of=format_date(asked.as_of))
    await chat.send_document(docx, filename=f"{stem}.docx", caption=caption)
    await chat.send_document(xlsx, filename=f"{stem}.xlsx")


# --- plain questions ---------------------------------------------------------------------------

QUESTIONS: dict[str, tuple[Callback, frozenset[Role]]] = {
    "stats": (stats_command, FIGURE_ROLES),
    "overdue": (overdue_command, FIGURE_ROLES),
    "unit": (unit_command, FIGURE_ROLES),
    "mine": (mine_command, frozenset({Role.LEADER})),
    "chart": (chart_command, FIGURE_ROLES),
    "report": (report_command, LEADERS),
}


async def question(update: Update, context: DondocContext) -> None:
    """A message no other feature took: a question, answered as the command it asks for."""
    message = update.message
    person = context.person
    if context.handled or person is None or message is None or not message.text:
        return
    grouped = in_group(update)
    if grouped and not addressed_to_bot(message, context):
        return  # people talking among themselves in a linked group
    asked = interpret(strip_mention(message.text, context), today=context.clock.today())
    if asked.command == "help":
        if person.role is Role.OFFICER and not grouped:
            return  # the fallback points officers to /help
        context.handled = True
        await reply(update, context.t("fig.help"))
        return
    context.handled = True
    callback, roles = QUESTIONS[asked.command]
    context.args = list(asked.args)
    await only(roles)(callback)(update, context)


def addressed_to_bot(message: Message, context: DondocContext) -> bool:
    """In a group: a reply to the bot, or a message that mentions it."""
    bot_id = context.bot.id
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    username = context.bot.username or ""
    return bool(username) and f"@{username.lower()}" in (message.text or "").lower()


def strip_mention(text: str, context: DondocContext) -> str:
    username = context.bot.username or ""
    return (
        re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE) if username else text
    )
