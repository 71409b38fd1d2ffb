-- Bot messages that list several tasks (a person's morning message, a head's escalation):
-- a reply to one asks which of its tasks it is about. `task_ids`: the tasks it lists, as a
-- JSON array of ids in its order. Forgotten with `bot_messages` (90 days).
CREATE TABLE digest_messages (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    task_ids    TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
CREATE INDEX digest_messages_sent ON digest_messages(sent_at);
