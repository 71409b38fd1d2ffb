-- What the last import of each row brought, column by column: the base of the import's
-- three-way merge (bot/merge.py). A field the file did not change since keeps what the bot
-- made of it; a field nobody changed here takes the file's value.
--
-- One table for units, people and tasks, keyed by the code the file names a row by, holding
-- the row's cells as the file gave them (JSON: column key -> value, dates ISO, units and
-- people by code). Kept apart from the register's tables: their columns keep one meaning
-- (what is in force), the base is in the file's terms, and an import reads all of it at once.
-- Rows imported before this table have none; their first import takes the register's values
-- as the base, so nothing changes on upgrade.
CREATE TABLE import_base (
    kind TEXT NOT NULL CHECK (kind IN ('units', 'people', 'tasks')),
    code TEXT NOT NULL,
    cells TEXT NOT NULL,
    PRIMARY KEY (kind, code)
) WITHOUT ROWID;

-- A file of 100,000 tasks on a register of a million reads only the tasks it names, found
-- by code in any case (as imports match codes) through this index.
CREATE INDEX tasks_code_lower ON tasks(lower(code));
