-- The workflow: completion reports (table of 0001), extension requests, the messages sent to
-- reviewers (edited on every decision), and guided dialogues that survive a restart.

-- At most one report waits for review per task: the second insert fails, atomically.
CREATE UNIQUE INDEX completion_reports_one_pending ON completion_reports(task_id)
    WHERE state = 'pending';

CREATE TABLE extension_requests (
    id               INTEGER PRIMARY KEY,
    task_id          INTEGER NOT NULL REFERENCES tasks(id),
    person_id        INTEGER REFERENCES people(id),
    requested_at     TEXT NOT NULL,
    requested_on     TEXT NOT NULL,          -- local date
    old_deadline     TEXT,                   -- the deadline in force when asked
    new_deadline     TEXT NOT NULL,          -- the date asked for
    reason           TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'granted', 'refused', 'withdrawn')),
    granted_deadline TEXT,                   -- as asked, or the reviewer's other date
    decided_by       INTEGER REFERENCES people(id),
    decided_at       TEXT,
    decision_note    TEXT NOT NULL DEFAULT ''
);
-- One open request per task at a time.
CREATE UNIQUE INDEX extension_requests_one_pending ON extension_requests(task_id)
    WHERE state = 'pending';
CREATE INDEX extension_requests_task ON extension_requests(task_id, id);
CREATE INDEX extension_requests_pending ON extension_requests(requested_at)
    WHERE state = 'pending';

-- The grant that moved the deadline (NULL for changes made by import or registration).
ALTER TABLE deadline_changes ADD COLUMN request_id INTEGER REFERENCES extension_requests(id);

-- Every message that put a report or a request before a reviewer, so that a decision
-- edits them all (two reviewers must not act twice).
CREATE TABLE review_messages (
    item_kind  TEXT NOT NULL CHECK (item_kind IN ('report', 'extension')),
    item_id    INTEGER NOT NULL,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (item_kind, item_id, chat_id, message_id)
) WITHOUT ROWID;

-- A guided dialogue in progress: one per person; what the bot waits for next.
CREATE TABLE dialogues (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id),
    chat_id    INTEGER NOT NULL,
    step       TEXT NOT NULL,
    task_id    INTEGER REFERENCES tasks(id),
    item_id    INTEGER,                      -- the report or request a reviewer decides
    data       TEXT NOT NULL DEFAULT '{}',   -- JSON: what was gathered so far
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
