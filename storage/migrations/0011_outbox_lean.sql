-- Reminders at scale: the outbox rebuilt for a day's round of 120.000 rows on a
-- register of a million tasks. Same columns, same rows, same ids; what changes:
-- - the state's CHECK is written as comparisons: SQLite checks `state IN (five values)` by
--   building a small table of the five for every row written (~3 µs a row, a quarter of the
--   round's writing);
-- - task_id is no longer checked against tasks: the check read the million-task table at
--   random, once a row (~2 µs a row). The ids come from the register (the planner, the
--   workflow), and tasks are never deleted; the sender already joins tasks with LEFT JOIN;
-- - the unique key is (day, person_id, kind, subject) everywhere, and the index on
--   (day, state) that registers made before 1069fa9 still have is gone (a day's rows are a
--   range of the unique key: `dondoc reminders status` and `prune` read them there).
CREATE TABLE outbox_lean (
    id          INTEGER PRIMARY KEY,
    subject     TEXT NOT NULL,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    kind        TEXT NOT NULL,
    day         TEXT NOT NULL,                  -- the local day it was planned for
    task_id     INTEGER,                        -- tasks(id), not checked (see above)
    deadline    TEXT,                           -- the task's deadline when planned
    detail      TEXT NOT NULL DEFAULT '{}',     -- JSON: what the message says
    not_before  TEXT NOT NULL,                  -- quiet hours push this to the morning
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state = 'pending' OR state = 'sending' OR state = 'sent'
                       OR state = 'failed' OR state = 'cancelled'),
    attempts    INTEGER NOT NULL DEFAULT 0,
    retry_at    TEXT,                           -- parked after many failures: not before this
    last_error  TEXT NOT NULL DEFAULT '',
    chat_id     INTEGER,
    message_id  INTEGER,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (day, person_id, kind, subject)      -- day first: a day's rows, in one range
);
INSERT INTO outbox_lean (id, subject, person_id, kind, day, task_id, deadline, detail,
                         not_before, state, attempts, retry_at, last_error, chat_id,
                         message_id, created_at, sent_at)
    SELECT id, subject, person_id, kind, day, task_id, deadline, detail, not_before, state,
           attempts, retry_at, last_error, chat_id, message_id, created_at, sent_at
    FROM outbox ORDER BY id;
DROP TABLE outbox;
ALTER TABLE outbox_lean RENAME TO outbox;
-- The queue in order; the rows in flight (stale after a crash).
CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox(id) WHERE state = 'sending';
