"""The bot's messages that speak about tasks: a reply to one of them finds its task."""

from __future__ import annotations

import json
from datetime import datetime

from bot.models import Task
from storage.db import Database
from storage.encoding import utc_stamp
from storage.register import get_task


async def remember_message(
    db: Database, *, chat_id: int, message_id: int, task_id: int, at: datetime | None = None
) -> None:
    """Remember that a bot message is about one task, so a reply to it finds the task."""
    await db.execute(
        "INSERT INTO bot_messages (chat_id, message_id, task_id, sent_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id, message_id) DO UPDATE SET task_id = excluded.task_id",
        (chat_id, message_id, task_id, None if at is None else utc_stamp(at)),
    )


async def task_for_message(db: Database, *, chat_id: int, message_id: int) -> Task | None:
    """The task a bot message is about (a /task card, a reminder, a review), if any."""
    task_id = await db.fetchval(
        "SELECT task_id FROM bot_messages WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return None if task_id is None else await get_task(db, id=task_id)


async def tasks_of_digest(db: Database, *, chat_id: int, message_id: int) -> list[Task]:
    """The tasks a bot message lists (a morning message, an escalation), in its order, of
    those still in the register; [] when the message lists none."""
    listed = await db.fetchval(
        "SELECT task_ids FROM digest_messages WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    found = [await get_task(db, id=task_id) for task_id in json.loads(listed or "[]")]
    return [task for task in found if task is not None]


async def prune_messages(db: Database, *, before: datetime) -> int:
    """Forget the messages about tasks sent before `before` (a reply to one of them then
    needs the task's code); returns how many. Those without a time are kept."""
    async with db.transaction() as conn:
        at = utc_stamp(before)
        cursor = await conn.execute("DELETE FROM bot_messages WHERE sent_at < ?", (at,))
        await conn.execute("DELETE FROM digest_messages WHERE sent_at < ?", (at,))
        return cursor.rowcount
