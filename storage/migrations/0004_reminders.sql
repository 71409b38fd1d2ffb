-- Reminders: the outbox of notices to send, the daily rounds, what people paused, and the
-- people Telegram refused (403) until they come back. Timestamps are ISO text in UTC.

-- One row per notice to one person. The unique key makes planning twice plan nothing new:
-- subject is 'task:<id>' or a digest's ('unit:<id>', 'office', 'week', 'round', ...).
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    subject     TEXT NOT NULL,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    kind        TEXT NOT NULL,
    day         TEXT NOT NULL,                  -- the local day it was planned for
    task_id     INTEGER REFERENCES tasks(id),
    deadline    TEXT,                           -- the task's deadline when planned
    detail      TEXT NOT NULL DEFAULT '{}',     -- JSON: what the message says
    not_before  TEXT NOT NULL,                  -- quiet hours push this to the morning
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    retry_at    TEXT,                           -- parked after many failures: not before this
    last_error  TEXT NOT NULL DEFAULT '',
    chat_id     INTEGER,
    message_id  INTEGER,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (day, person_id, kind, subject)      -- day first: a day's rows, in one range
);
-- The queue in order; the rows in flight (stale after a crash).
CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox(id) WHERE state = 'sending';

-- One row per day whose round was planned: a restart plans a missed round once.
CREATE TABLE reminder_rounds (
    day         TEXT PRIMARY KEY,
    planned_at  TEXT NOT NULL,
    added       INTEGER NOT NULL DEFAULT 0       -- outbox rows the round added
);

-- Non-essential notices a person paused (weekly summaries); deadline reminders cannot be.
CREATE TABLE reminder_preferences (
    person_id     INTEGER PRIMARY KEY REFERENCES people(id),
    weekly_paused INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
);

-- People Telegram refused (blocked the bot, or never started it): nothing is tried until
-- their next /start. Their rows wait in the outbox.
CREATE TABLE unreachable_people (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id),
    since       TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT ''
);
