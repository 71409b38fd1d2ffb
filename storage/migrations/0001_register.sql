-- The register: units, people, tasks, their extensions, completion reports and history.
-- Dates are ISO text (YYYY-MM-DD), timestamps ISO text with offset (UTC).

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT '',
    name_folded TEXT NOT NULL DEFAULT ''   -- lower case, no diacritics: for name search
);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'head', 'officer')),
    unit_id     INTEGER REFERENCES units(id),
    phone       TEXT NOT NULL DEFAULT '',
    phone_key   TEXT NOT NULL DEFAULT '',   -- normalised phone number, for contact matching
    telegram_id INTEGER UNIQUE,
    language    TEXT NOT NULL DEFAULT 'vi',
    CHECK (role IN ('admin', 'leader') OR unit_id IS NOT NULL)
);
CREATE INDEX people_unit ON people(unit_id, role);
CREATE INDEX people_phone ON people(phone_key) WHERE phone_key <> '';

CREATE TABLE tasks (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    doc_number        TEXT NOT NULL DEFAULT '',
    doc_date          TEXT,
    title             TEXT NOT NULL,
    content           TEXT NOT NULL DEFAULT '',
    assigner          TEXT NOT NULL DEFAULT '',
    assigner_id       INTEGER REFERENCES people(id),
    lead_unit_id      INTEGER NOT NULL REFERENCES units(id),
    officer_id        INTEGER REFERENCES people(id),
    assigned_on       TEXT NOT NULL,
    original_deadline TEXT,
    deadline          TEXT,
    extended_on       TEXT,
    completed_on      TEXT,
    report_state      TEXT CHECK (report_state IN ('pending', 'returned')),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
-- Open tasks of a unit, by deadline; overdue on day T; tasks due between A and B.
CREATE INDEX tasks_open_unit ON tasks(lead_unit_id, deadline) WHERE completed_on IS NULL;
CREATE INDEX tasks_open_deadline ON tasks(deadline) WHERE completed_on IS NULL;
CREATE INDEX tasks_open_officer ON tasks(officer_id, deadline) WHERE completed_on IS NULL;
CREATE INDEX tasks_original_deadline ON tasks(original_deadline);
CREATE INDEX tasks_assigned_on ON tasks(assigned_on);
CREATE INDEX tasks_unit ON tasks(lead_unit_id, assigned_on);
CREATE INDEX tasks_assigner ON tasks(assigner_id) WHERE assigner_id IS NOT NULL;

CREATE TABLE task_cooperators (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (task_id, unit_id)
) WITHOUT ROWID;
CREATE INDEX task_cooperators_unit ON task_cooperators(unit_id);

-- Granted extensions; the task's original_deadline is never overwritten.
CREATE TABLE deadline_changes (
    id           INTEGER PRIMARY KEY,
    task_id      INTEGER NOT NULL REFERENCES tasks(id),
    old_deadline TEXT,
    new_deadline TEXT,
    granted_on   TEXT NOT NULL,
    decided_by   INTEGER REFERENCES people(id),
    decided_at   TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deadline_changes_task ON deadline_changes(task_id, granted_on);

CREATE TABLE completion_reports (
    id            INTEGER PRIMARY KEY,
    task_id       INTEGER NOT NULL REFERENCES tasks(id),
    person_id     INTEGER REFERENCES people(id),
    reported_at   TEXT NOT NULL,
    reported_on   TEXT NOT NULL,            -- local date: the completion date once accepted
    result        TEXT NOT NULL,
    reply_doc     TEXT NOT NULL DEFAULT '', -- số, ký hiệu văn bản trả lời
    file_id       TEXT,
    file_kind     TEXT,
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'accepted', 'returned')),
    decided_by    INTEGER REFERENCES people(id),
    decided_at    TEXT,
    decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX completion_reports_task ON completion_reports(task_id, id);
CREATE INDEX completion_reports_pending ON completion_reports(reported_at) WHERE state = 'pending';

-- The history of a task: who, what, when. Rows are only ever added.
CREATE TABLE task_events (
    id       INTEGER PRIMARY KEY,
    task_id  INTEGER NOT NULL REFERENCES tasks(id),
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL,
    actor_id INTEGER REFERENCES people(id),
    detail   TEXT NOT NULL DEFAULT '{}'     -- JSON
);
CREATE INDEX task_events_task ON task_events(task_id, id);
