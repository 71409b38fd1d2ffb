"""Telegram glue only: parse the update, check access, call a use case, render, reply.

Everything the bot answers is registered here, in one place: the commands (the order of
the menu and of /help), the buttons (by the prefix of their data), the other updates and
the jobs. A handler module imports no other handler module; `handlers.access` is the one
shared glue module (the access guard, `requires`, and the helpers every handler uses).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.models import Role
from handlers import (
    access,
    changes,
    errors,
    fallback,
    figures,
    onboarding,
    reminders,
    sync,
    tasks,
    workflow,
)
from handlers.access import Button, Command, requires

ADMIN = (Role.ADMIN,)
REPORTERS = workflow.REPORTERS  # officers and heads
FIGURES = tuple(figures.FIGURE_ROLES)  # leaders, admins and heads
LEADERS = (Role.LEADER,)


def figure(name: str, callback: access.Callback, shown_to: frozenset[Role]) -> Command:
    """A figures' command: every registered person reaches it (officers get a pointer to
    /tasks, other roles a refusal); the menu and /help show it to `shown_to`."""
    only = figures.only(shown_to)(callback)
    return Command(name, only, groups=True, shown_to=shown_to)


# name, handler, roles (none: every registered person), options. The menu's and /help's order.
COMMANDS: tuple[Command, ...] = (
    Command("start", onboarding.start, strangers=True),
    Command("help", onboarding.help_command),
    Command("lang", onboarding.lang_command),
    Command("invite", onboarding.invite_command, ADMIN),
    Command("linkgroup", onboarding.link_group, ADMIN, groups=True),
    Command("tasks", tasks.tasks_command),
    Command("task", tasks.task_command),
    Command("done", workflow.done_command, REPORTERS),
    Command("extend", workflow.extend_command, REPORTERS),
    Command("review", workflow.review_command, ADMIN),
    Command("history", workflow.history_command),
    Command("cancel", workflow.cancel_command, menu=False),
    Command("reminders", reminders.reminders_command),
    Command("export", changes.export_command, ADMIN),
    figure("stats", figures.stats_command, figures.FIGURE_ROLES),
    figure("overdue", figures.overdue_command, figures.FIGURE_ROLES),
    figure("unit", figures.unit_command, figures.FIGURE_ROLES),
    figure("mine", figures.mine_command, frozenset(LEADERS)),
    figure("chart", figures.chart_command, figures.FIGURE_ROLES),
    figure("report", figures.report_command, figures.LEADERS),
)

# The prefix of the button data, its handler, the roles that may press.
BUTTONS: tuple[Button, ...] = (
    Button("lang", onboarding.lang_pressed),
    Button(f"pg:{tasks.PAGER_KIND}", tasks.tasks_page_pressed),
    Button("task", tasks.task_pressed),
    Button("done", workflow.done_button, REPORTERS),
    Button("ext", workflow.extend_button, REPORTERS),
    Button("rv", workflow.review_button, (Role.ADMIN, Role.LEADER)),
    Button(f"pg:{workflow.HISTORY_PAGER}", workflow.history_page_pressed),
    Button("rem", reminders.reminders_pressed),
    Button("ov", figures.overdue_pressed, FIGURES, groups=True),
    Button("unit", figures.unit_pressed, FIGURES, groups=True),
)


def register(application: Application) -> None:
    """Every handler of the bot, in its group (-1 the guard, 0 commands, buttons and
    dialogues, then the figures' questions, the fallback last) and the jobs."""
    application.add_error_handler(errors.on_error)
    application.add_handler(TypeHandler(Update, access.guard), group=-1)
    for command in COMMANDS:
        command.add(application)
    for button in BUTTONS:
        button.add(application)
    private = filters.ChatType.PRIVATE
    application.add_handler(
        MessageHandler(filters.CONTACT & private, requires(strangers=True)(onboarding.on_contact))
    )
    application.add_handler(
        MessageHandler(
            workflow.PRIVATE & workflow.FILES & workflow.DONE_CAPTION,
            requires(*REPORTERS)(workflow.done_command),
        )
    )
    application.add_handler(  # the answer to the bot's question, if one waits
        MessageHandler(
            workflow.PRIVATE & ((filters.TEXT & ~filters.COMMAND) | workflow.FILES),
            workflow.dialogue_message,
        )
    )
    # After onboarding's /start (group 0): a person who comes back is reachable again.
    application.add_handler(CommandHandler("start", reminders.came_back), group=1)
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, figures.question
        ),
        group=figures.QUESTION_GROUP,
    )
    application.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE, fallback.fallback),
        group=fallback.FALLBACK_GROUP,
    )
    application.add_handler(
        CallbackQueryHandler(fallback.stale_button), group=fallback.FALLBACK_GROUP
    )
    if application.job_queue is not None:
        application.job_queue.run_once(reminders.schedule, when=0, name="reminders.schedule")
        application.job_queue.run_once(sync.schedule, when=0, name="sync.schedule")
