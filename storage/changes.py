"""The decisions made in the bot, for the e-office (`dondoc export changes`, /export):
completions accepted, reports returned, extensions granted and refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from storage.db import Database
from storage.encoding import day, local_days, parse_stamp

# Kinds of change, in the words of bot/texts (changes.what.<kind>).
COMPLETED, EXTENDED, RETURNED, REFUSED = "completed", "extended", "returned", "refused"


@dataclass(frozen=True, slots=True)
class BotChange:
    """One decision: the task, what changed, the new values, the text, who and when."""

    what: str
    code: str
    doc_number: str
    completed_on: date | None
    reply_doc: str
    old_deadline: date | None
    new_deadline: date | None
    text: str  # the result reported, or the reason given
    decided_by: str  # the person's name ('' when nobody is recorded)
    decided_at: datetime


# Each branch: what, code, doc number, completion, reply doc, old and new deadline, text,
# who decided, when. A report accepted without review was decided by its reporter.
_CHANGES = f"""
SELECT '{COMPLETED}', t.code, t.doc_number, r.reported_on, r.reply_doc, NULL, NULL, r.result,
       p.name, r.decided_at
  FROM completion_reports r JOIN tasks t ON t.id = r.task_id
  LEFT JOIN people p ON p.id = COALESCE(r.decided_by, r.person_id)
 WHERE r.state = 'accepted' AND r.decided_at >= ? AND r.decided_at < ?
UNION ALL
SELECT '{RETURNED}', t.code, t.doc_number, NULL, r.reply_doc, NULL, NULL, r.decision_note,
       p.name, r.decided_at
  FROM completion_reports r JOIN tasks t ON t.id = r.task_id
  LEFT JOIN people p ON p.id = r.decided_by
 WHERE r.state = 'returned' AND r.decided_at >= ? AND r.decided_at < ?
UNION ALL
SELECT CASE e.state WHEN 'granted' THEN '{EXTENDED}' ELSE '{REFUSED}' END, t.code,
       t.doc_number, NULL, '', e.old_deadline,
       CASE e.state WHEN 'granted' THEN e.granted_deadline ELSE e.new_deadline END,
       CASE WHEN e.decision_note <> '' THEN e.decision_note ELSE e.reason END,
       p.name, e.decided_at
  FROM extension_requests e JOIN tasks t ON t.id = e.task_id
  LEFT JOIN people p ON p.id = e.decided_by
 WHERE e.state IN ('granted', 'refused') AND e.decided_at >= ? AND e.decided_at < ?
"""


async def bot_changes(db: Database, *, first: date, last: date, tz: tzinfo) -> list[BotChange]:
    """The decisions made on the local days `first` to `last` (both included) in `tz`,
    oldest first."""
    rows = await db.fetchall(_CHANGES, local_days(first, last, tz) * 3)
    changes = [
        BotChange(
            row[0], row[1], row[2], day(row[3]), row[4], day(row[5]), day(row[6]), row[7],
            row[8] or "", parse_stamp(row[9]),
        )
        for row in rows
    ]  # fmt: skip
    changes.sort(key=lambda change: (change.decided_at, change.code))
    return changes
