"""The texts and buttons of each kind of reminder, in the recipient's language. Pure: a
notice in, Telegram HTML and buttons out (every value escaped through `bot.texts.t`)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.buttons import DONE, EXTEND, PAUSE, TASK
from bot.formats import format_date, format_int
from bot.models import TASK_KINDS, ReminderKind, Role, TaskLine
from bot.paging import CALLBACK_LIMIT, MESSAGE_LIMIT, text_length
from bot.reminders.policy import Policy
from bot.texts import Html, plain, t
from bot.views import shorten

TITLE_LIMIT = 300  # characters of a title in a reminder about one task
LINE_TITLE_LIMIT = 70  # on a digest's line
FULL_TITLE_LIMIT = 160  # on a line of a morning message, which names its tasks in full
BUTTON_ROWS_LIMIT = 50  # ✅ and ⏳ a row: Telegram takes 100 buttons in a message

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)


@dataclass(frozen=True, slots=True)
class Notice:
    """What one message says: its kind, what the planner noted, and the task it is about."""

    kind: ReminderKind
    detail: Mapping[str, Any] = field(default_factory=dict)
    task_code: str | None = None
    task_title: str | None = None
    deadline: date | None = None
    lines: Mapping[int, TaskLine] = field(default_factory=dict)  # the tasks a digest lists


@dataclass(frozen=True, slots=True)
class Rendered:
    text: Html
    buttons: Buttons


def render(notice: Notice, lang: str, policy: Policy) -> Rendered:
    """The message for `notice` in `lang`, never longer than Telegram allows."""
    kind = notice.kind
    if kind in TASK_KINDS:
        return Rendered(_task_text(notice, lang, policy), task_buttons(lang, notice.task_code))
    if kind is ReminderKind.FOLDED and notice.detail.get("of") == "round":
        return _morning(notice, lang, policy)
    if kind is ReminderKind.FOLDED:
        head = t(lang, f"rem.folded.{notice.detail.get('of', 'round')}", count=_count(notice, lang))
        return Rendered(_listing(head, notice, lang, policy, t(lang, "rem.see_tasks"))[0], [])
    if kind is ReminderKind.ESCALATION:
        unit = notice.detail["unit"]
        head = t(
            lang,
            "rem.escalation",
            unit=f"{unit[0]} {unit[1]}".strip(),
            count=_count(notice, lang),
            days=policy.escalate_after,
        )
        text, shown = _listing(head, notice, lang, policy, t(lang, "rem.see_tasks"))
        return Rendered(text, listed_buttons(lang, notice.detail.get("tasks", [])[:shown], notice))
    if kind is ReminderKind.OFFICE:
        return Rendered(_office(notice.detail, lang), [])
    if kind is ReminderKind.WEEKLY_HEAD:
        return Rendered(_weekly_head(notice, lang, policy), [])
    if kind is ReminderKind.WEEKLY_LEADER:
        return Rendered(_weekly_leader(notice, lang, policy), [])
    if kind is ReminderKind.UNREACHABLE:
        return Rendered(_unreachable(notice.detail, lang), [])
    if kind is ReminderKind.NOTICE:  # the catalogue key and its values, written when decided
        return Rendered(t(lang, notice.detail["key"], **notice.detail.get("values", {})), [])
    raise ValueError(f"no text for a reminder of kind {kind}")


def task_buttons(lang: str, code: str | None) -> Buttons:
    """Done / Extend / Details, with exactly the data the workflow and the card expect."""
    if not code:
        return []
    buttons = [
        (plain(lang, "card.done_button"), DONE.make(code)),
        (plain(lang, "card.extend_button"), EXTEND.make(code)),
        (plain(lang, "rem.button.details"), TASK.make(code)),
    ]
    fitting = [(label, data) for label, data in buttons if data is not None]
    return [fitting] if fitting else []


def listed_buttons(lang: str, items: Sequence[Sequence[Any]], notice: Notice) -> Buttons:
    """✅ and ⏳ for each task a message lists, a row each, labelled with its code: the
    data of the task's own buttons (`done:CODE`, `ext:CODE`), so the same handlers answer."""
    rows: Buttons = []
    for item in items:
        line = notice.lines.get(item[0])
        if line is None:
            continue
        row = [
            (plain(lang, "rem.button.done_task", code=line.code), f"done:{line.code}"),
            (plain(lang, "rem.button.extend_task", code=line.code), f"ext:{line.code}"),
        ]
        fitting = [b for b in row if len(b[1].encode()) <= CALLBACK_LIMIT]
        if fitting:
            rows.append(fitting)
    return rows[:BUTTON_ROWS_LIMIT]


def plain_text(text: str) -> str:
    """A message as a terminal shows it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


# --- one task --------------------------------------------------------------------------------


def _deadline(lang: str, deadline: date | None) -> str:
    return format_date(deadline) if deadline is not None else plain(lang, "rem.no_deadline")


def _task_text(notice: Notice, lang: str, policy: Policy) -> Html:
    detail = notice.detail
    kind = notice.kind
    if kind is ReminderKind.BEFORE:
        key = "rem.head.before" if policy.working_days else "rem.head.before_calendar"
        head = t(lang, key, days=format_int(detail.get("days_left", 0), lang))
    elif kind is ReminderKind.DUE:
        deadline = notice.deadline
        day_off = deadline is not None and detail.get("calendar_days_left", 0) > 0
        head = (
            t(lang, "rem.head.due_day_off", weekday=weekday(lang, deadline))
            if day_off and deadline is not None
            else t(lang, "rem.head.due")
        )
    elif kind is ReminderKind.OVERDUE:
        head = t(lang, "rem.head.overdue", days=format_int(detail.get("days_overdue", 0), lang))
    else:
        head = t(lang, "rem.head.assigned")
    body = t(
        lang,
        "rem.task",
        code=notice.task_code or "",
        title=shorten(notice.task_title or "", TITLE_LIMIT),
        deadline=_deadline(lang, notice.deadline),
    )
    return Html(f"{head}\n{body}\n\n{t(lang, 'rem.hint')}")


def weekday(lang: str, day: date) -> str:
    return plain(lang, f"rem.weekday.{day.weekday()}")


# --- digests ---------------------------------------------------------------------------------


def _count(notice: Notice, lang: str) -> str:
    return format_int(int(notice.detail.get("count", 0)), lang)


def task_line(
    item: Sequence[Any],
    lines: Mapping[int, TaskLine],
    lang: str,
    policy: Policy,
    title_limit: int = LINE_TITLE_LIMIT,
) -> Html:
    """One task of a digest: [task id, deadline, kind, days] as the planner wrote it."""
    task_id, deadline, kind, days = item
    line = lines.get(task_id)
    key = f"rem.line.{kind}"
    if kind == ReminderKind.BEFORE and not policy.working_days:
        key = "rem.line.before_calendar"
    return t(
        lang,
        key,
        code=line.code if line else f"#{task_id}",
        title=shorten(line.title, title_limit) if line else "",
        deadline=_deadline(lang, None if deadline is None else date.fromisoformat(deadline)),
        days=format_int(days, lang),
    )


def _fit(head: str, lines: Sequence[str], tail: Sequence[str], lang: str, total: int) -> Html:
    """Head, lines, then the tail; lines that do not fit go into the "and N more" count."""
    return _fit_shown(head, lines, tail, lang, total)[0]


def _fit_shown(
    head: str, lines: Sequence[str], tail: Sequence[str], lang: str, total: int
) -> tuple[Html, int]:
    """`_fit`, and how many of the lines it shows."""
    shown = list(lines)
    while True:
        more = total - len(shown)
        extra = [t(lang, "rem.more", count=format_int(more, lang))] if more > 0 else []
        text = "\n".join([head, *shown, *extra, *tail])
        if not shown or text_length(plain_text(text)) <= MESSAGE_LIMIT:
            return Html(text), len(shown)
        shown.pop()


def _listing(
    head: Html,
    notice: Notice,
    lang: str,
    policy: Policy,
    footer: Html,
    title_limit: int = LINE_TITLE_LIMIT,
) -> tuple[Html, int]:
    """A digest's head, its tasks a line each, the footer; and how many lines it shows."""
    items = notice.detail.get("tasks", [])
    lines = [task_line(item, notice.lines, lang, policy, title_limit) for item in items]
    total = int(notice.detail.get("count", len(items)))
    return _fit_shown(head, lines, ["", footer], lang, total)


def _morning(notice: Notice, lang: str, policy: Policy) -> Rendered:
    """A person's reminders of the day in one message (docs/DOMAIN.md, "The workflow"): the
    most urgent first, named in full, each with its own ✅ and ⏳; the rest counted."""
    head = t(lang, "rem.morning", count=_count(notice, lang))
    footer = Html(f"{t(lang, 'rem.morning.hint')}\n{t(lang, 'rem.see_tasks')}")
    text, shown = _listing(head, notice, lang, policy, footer, FULL_TITLE_LIMIT)
    return Rendered(text, listed_buttons(lang, notice.detail.get("tasks", [])[:shown], notice))


def _office(detail: Mapping[str, Any], lang: str) -> Html:
    units = detail.get("units", [])
    head = t(
        lang,
        "rem.office",
        count=format_int(detail.get("count", 0), lang),
        units=format_int(detail.get("unit_count", len(units)), lang),
    )
    lines = [
        t(lang, "rem.office.line", code=code, name=name,
          count=format_int(count, lang), days=format_int(days, lang))
        for code, name, count, days in units
    ]  # fmt: skip
    rest = int(detail.get("unit_count", len(units))) - len(units)
    tail = [t(lang, "rem.office.more", count=format_int(rest, lang))] if rest > 0 else []
    return Html("\n".join([head, *lines, *tail]))


def _weekly_head(notice: Notice, lang: str, policy: Policy) -> Html:
    detail = notice.detail
    unit = detail["unit"]
    head = t(
        lang,
        "rem.weekly_head",
        unit=f"{unit[0]} {unit[1]}".strip(),
        open=format_int(detail.get("open", 0), lang),
        due=format_int(detail.get("due_this_week", 0), lang),
        overdue=format_int(detail.get("overdue", 0), lang),
    )
    items = detail.get("tasks", [])
    lines = [task_line(item, notice.lines, lang, policy) for item in items]
    tail = ["", t(lang, "rem.see_tasks"), t(lang, "rem.weekly.pause_hint")]
    return _fit(head, lines, tail, lang, int(detail.get("count", len(items))))


_TOTALS = ("assigned", "completed", "on_time", "late", "open", "open_in_time", "open_overdue")


def _weekly_leader(notice: Notice, lang: str, policy: Policy) -> Html:
    detail = notice.detail
    totals = detail.get("totals") or {}
    head = t(lang, "rem.weekly_leader", **{k: format_int(totals.get(k, 0), lang) for k in _TOTALS})
    count = int(detail.get("count", 0))
    if not count:
        return Html("\n".join([head, "", t(lang, "rem.weekly_leader.none"),
                               t(lang, "rem.weekly.pause_hint")]))  # fmt: skip
    items = detail.get("tasks", [])
    first = f"{head}\n\n{t(lang, 'rem.weekly_leader.tasks', count=format_int(count, lang))}"
    lines = [task_line(item, notice.lines, lang, policy) for item in items]
    return _fit(first, lines, ["", t(lang, "rem.weekly.pause_hint")], lang, count)


def _unreachable(detail: Mapping[str, Any], lang: str) -> Html:
    code, name, role = detail["person"]
    who = [code, plain(lang, f"access.role.{role}")]
    if detail.get("unit"):
        who.append(detail["unit"][1])
    return t(lang, "rem.unreachable", name=name, who=", ".join(who))


# --- /reminders ---------------------------------------------------------------------------------

UPCOMING_LIMIT = 10
WEEKLY_ROLES = frozenset({Role.HEAD, Role.LEADER})


@dataclass(frozen=True, slots=True)
class Upcoming:
    """A task reminder the person will get on `day`."""

    day: date
    kind: ReminderKind
    code: str
    days: int  # left, or overdue


def overview(
    lang: str,
    *,
    name: str,
    role: Role,
    policy: Policy,
    weekly_paused: bool,
    upcoming: Sequence[Upcoming],
    horizon_days: int,
) -> Rendered:
    """What this person gets, when, and what comes next; the pause button for summaries."""
    unit = plain(lang, "rem.cmd.unit_working" if policy.working_days else "rem.cmd.unit_calendar")
    lines: list[str] = [t(lang, "rem.cmd.title", name=name)]
    handles_tasks = role in (Role.OFFICER, Role.HEAD)
    if handles_tasks:
        days = ", ".join(str(d) for d in policy.days_before)
        lines.append(t(lang, "rem.cmd.deadlines", days=days, unit=unit, every=policy.overdue_every))
    if role is Role.HEAD:
        lines.append(t(lang, "rem.cmd.escalation", days=policy.escalate_after))
    if role is Role.ADMIN:
        lines.append(t(lang, "rem.cmd.office"))
    if role in WEEKLY_ROLES:
        state = plain(lang, "rem.cmd.weekly_off" if weekly_paused else "rem.cmd.weekly_on")
        day = plain(lang, f"rem.weekday.{policy.weekly_on}")
        lines.append(t(lang, "rem.cmd.weekly", weekday=day, state=state))
    lines.append("")
    clock = policy.daily_at.strftime("%H:%M")
    if policy.quiet is None:
        lines.append(t(lang, "rem.cmd.when_no_quiet", time=clock))
    else:
        start, end = (moment.strftime("%H:%M") for moment in policy.quiet)
        lines.append(t(lang, "rem.cmd.when", time=clock, quiet_start=start, quiet_end=end))
    if handles_tasks:
        lines.append(t(lang, "rem.cmd.max", max=policy.max_per_round))
        lines += ["", t(lang, "rem.cmd.upcoming")]
        lines += [_upcoming_line(u, lang, policy) for u in upcoming[:UPCOMING_LIMIT]]
        if len(upcoming) > UPCOMING_LIMIT:
            lines.append(
                t(lang, "rem.more", count=format_int(len(upcoming) - UPCOMING_LIMIT, lang))
            )
        if not upcoming:
            lines.append(t(lang, "rem.cmd.upcoming_none", days=horizon_days))
    buttons: Buttons = []
    if role in WEEKLY_ROLES:
        key = "resume_button" if weekly_paused else "pause_button"
        buttons = [[(plain(lang, f"rem.cmd.{key}"), PAUSE.make(not weekly_paused))]]
    return Rendered(_fit("\n".join(lines), [], [], lang, 0), buttons)


def _upcoming_line(item: Upcoming, lang: str, policy: Policy) -> Html:
    key = f"rem.cmd.what.{item.kind}"
    if item.kind is ReminderKind.BEFORE and not policy.working_days:
        key = "rem.cmd.what.before_calendar"
    what = plain(lang, key, days=format_int(item.days, lang))
    day = f"{weekday(lang, item.day)} {format_date(item.day)}"
    return t(lang, "rem.cmd.upcoming_line", date=day, code=item.code, what=what)
