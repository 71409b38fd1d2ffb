"""Finding a task as a person names it, and what its card shows."""

from __future__ import annotations

from bot.models import Task, TaskEvent
from bot.views import CARD_EVENTS, TaskCard
from storage import workflow
from storage.db import Database
from storage.register import get_person, get_task, get_unit, task_history


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


async def task_events(db: Database, task: Task) -> tuple[list[TaskEvent], dict[int, str]]:
    """A task's history, and the names of the people who acted in it (by id)."""
    events = await task_history(db, task.id)
    people = await workflow.people_by_id(db, [e.actor_id for e in events if e.actor_id is not None])
    return events, {i: p.name for i, p in people.items()}
