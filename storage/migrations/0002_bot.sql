-- The bot: invite codes, wrong-code lockouts, linked groups, command menus and the
-- messages that speak about one task. Timestamps are ISO text with offset.

-- One-time invite codes. Only a SHA-256 digest of the code is kept.
CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    digest      TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER,                    -- the Telegram user id that redeemed it
    revoked_at  TEXT
);
CREATE INDEX invites_person ON invites(person_id) WHERE used_at IS NULL AND revoked_at IS NULL;

-- Wrong invite codes per Telegram account: five within an hour lock it for an hour.
CREATE TABLE access_failures (
    id          INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX access_failures_user ON access_failures(telegram_id, id);

-- Group chats an admin registered with /linkgroup: only there do group commands answer.
CREATE TABLE linked_groups (
    chat_id     INTEGER PRIMARY KEY,
    title       TEXT NOT NULL DEFAULT '',
    linked_by   INTEGER REFERENCES people(id),
    linked_at   TEXT NOT NULL
);

-- The command menu last set for a private chat, so it is set again when role or language change.
CREATE TABLE command_menus (
    telegram_id INTEGER PRIMARY KEY,
    signature   TEXT NOT NULL,
    set_at      TEXT NOT NULL
);

-- Bot messages about one task (cards, reminders, reviews): a reply to one finds its task.
CREATE TABLE bot_messages (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    task_id     INTEGER NOT NULL REFERENCES tasks(id),
    sent_at     TEXT,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
