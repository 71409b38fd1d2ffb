"""Finding a task as a person names it (by code, by a message about it), the open tasks a
person answers for, and what a task's card shows."""

from __future__ import annotations

from datetime import date, datetime

from bot.models import ListedTask, Person, Task, TaskEvent
from bot.views import CARD_EVENTS, TaskCard
from storage import messages, task_lists, workflow
from storage.db import Database
from storage.register import get_person, get_task, get_unit, task_history


async def find_task(db: Database, code: str) -> Task | None:
    """The task with this code, as typed or in capitals (`nv-2020-0345` finds it too)."""
    code = code.strip()
    task = await get_task(db, code=code)
    if task is None and code.upper() != code:
        task = await get_task(db, code=code.upper())
    return task


async def task_by_code(db: Database, code: str) -> Task | None:
    """The task with exactly this code (button data carries it as stored)."""
    return await get_task(db, code=code)


async def task_by_id(db: Database, task_id: int) -> Task | None:
    return await get_task(db, id=task_id)


async def open_tasks(db: Database, person: Person) -> list[Task]:
    """The open tasks the person may report on (docs/DOMAIN.md, "Who acts on a task")."""
    return await task_lists.open_tasks_for(db, person)


async def listed_open_tasks(db: Database, person: Person, *, today: date) -> list[ListedTask]:
    """The person's open tasks as /tasks lists them, with their status on `today`."""
    return await task_lists.listed_open_tasks(db, person, today=today)


async def remember_message(
    db: Database, *, chat_id: int, message_id: int, task_id: int, at: datetime
) -> None:
    """Remember that this message is about this task: a reply to it finds the task."""
    await messages.remember_message(
        db, chat_id=chat_id, message_id=message_id, task_id=task_id, at=at
    )


async def task_of_message(db: Database, *, chat_id: int, message_id: int) -> Task | None:
    """The task a message of the bot is about, if one."""
    return await messages.task_for_message(db, chat_id=chat_id, message_id=message_id)


async def tasks_of_digest(db: Database, *, chat_id: int, message_id: int) -> list[Task]:
    """The tasks a message of the bot lists (a morning message, an escalation)."""
    return await messages.tasks_of_digest(db, chat_id=chat_id, message_id=message_id)


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


async def task_events(db: Database, task: Task) -> tuple[list[TaskEvent], dict[int, str]]:
    """A task's history, and the names of the people who acted in it (by id)."""
    events = await task_history(db, task.id)
    people = await workflow.people_by_id(db, [e.actor_id for e in events if e.actor_id is not None])
    return events, {i: p.name for i, p in people.items()}
