"""Finding a task as a person names it."""

from __future__ import annotations

from bot.models import Task
from storage.db import Database
from storage.register import get_task


async def find_task(db: Database, code: str) -> Task | None:
    """The task with this code, as typed or in capitals (`nv-2020-0345` finds it too)."""
    code = code.strip()
    task = await get_task(db, code=code)
    if task is None and code.upper() != code:
        task = await get_task(db, code=code.upper())
    return task
