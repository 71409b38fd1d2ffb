-- The report figures (docs/DOMAIN.md, "The report and its figures"), kept summed by
-- triggers so that they answer in milliseconds on a register of a million tasks.
-- storage/figures.py reads them; bot/figures.py is the rule.
--
-- Each task's counts, as functions of the as-of day T, are sums of steps on known days
-- (taking its deadline D as fixed; tasks extended after T are corrected by the reader):
--   assigned  +1 on the assigned day A
--   completed +1 on the completion day C
--   late      +1 on C, when C > D
--   overdue   +1 on D+1 (unless completed by then), -1 on C (when C > D+1)
-- A step before A is moved to A: before A the task does not exist. The figures as of T are
-- the sums of the steps on days <= T. Steps are summed into cells by day and by month:
--   figure_groups  per lead unit and per assigner (task.assigner), and assigned year
--   figure_due     per original deadline (the period's "due" figures)

CREATE TABLE figure_groups (
    grain     TEXT NOT NULL CHECK (grain IN ('d', 'm')),  -- `at` is a day or a month
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('unit', 'leader')),
    key       TEXT NOT NULL,          -- the lead unit's id, or the task's assigner
    year      INTEGER NOT NULL,       -- the year the tasks were assigned in
    assigned  INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    late      INTEGER NOT NULL DEFAULT 0,
    overdue   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, at, kind, key, year)
) WITHOUT ROWID;

CREATE TABLE figure_due (
    original_deadline TEXT NOT NULL,
    at        TEXT NOT NULL,          -- the day of the step
    due       INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    late      INTEGER NOT NULL DEFAULT 0,
    overdue   INTEGER NOT NULL DEFAULT 0,
    extended  INTEGER NOT NULL DEFAULT 0,   -- D later than the original (or removed)
    PRIMARY KEY (original_deadline, at)
) WITHOUT ROWID;

-- A task's old row (sign -1) or new row (sign +1), summed into the cells by the trigger
-- below and removed at once: the steps are written in one place, for every kind of change.
CREATE TABLE figure_changes (
    id                INTEGER PRIMARY KEY,
    sign              INTEGER NOT NULL,
    assigned_on       TEXT NOT NULL,
    original_deadline TEXT,
    deadline          TEXT,
    completed_on      TEXT,
    lead_unit_id      INTEGER NOT NULL,
    assigner          TEXT NOT NULL
);

-- The steps of the rows in figure_changes (see the top of this file).
CREATE VIEW figure_change_steps AS
SELECT id, sign, lead_unit_id, assigner, original_deadline,
       CAST(substr(assigned_on, 1, 4) AS INTEGER) AS year,
       assigned_on AS at, 1 AS assigned, 0 AS completed, 0 AS late, 0 AS overdue,
       original_deadline IS NOT NULL
           AND (deadline IS NULL OR deadline > original_deadline) AS extended
  FROM figure_changes
UNION ALL
SELECT id, sign, lead_unit_id, assigner, original_deadline,
       CAST(substr(assigned_on, 1, 4) AS INTEGER),
       max(completed_on, assigned_on), 0, 1,
       coalesce(completed_on > deadline, 0),
       -coalesce(completed_on > date(deadline, '+1 day'), 0),
       0
  FROM figure_changes
 WHERE completed_on IS NOT NULL
UNION ALL
SELECT id, sign, lead_unit_id, assigner, original_deadline,
       CAST(substr(assigned_on, 1, 4) AS INTEGER),
       max(date(deadline, '+1 day'), assigned_on), 0, 0, 0, 1, 0
  FROM figure_changes
 WHERE deadline IS NOT NULL
   AND (completed_on IS NULL OR completed_on > date(deadline, '+1 day'));

-- The steps of one change, written down once (a view is evaluated again in each statement).
CREATE TABLE figure_steps (
    sign              INTEGER NOT NULL,
    lead_unit_id      INTEGER NOT NULL,
    assigner          TEXT NOT NULL,
    original_deadline TEXT,
    year              INTEGER NOT NULL,
    at                TEXT NOT NULL,
    assigned          INTEGER NOT NULL,
    completed         INTEGER NOT NULL,
    late              INTEGER NOT NULL,
    overdue           INTEGER NOT NULL,
    extended          INTEGER NOT NULL
);

CREATE TRIGGER figure_changes_sum AFTER INSERT ON figure_changes
BEGIN
    INSERT INTO figure_steps (sign, lead_unit_id, assigner, original_deadline, year, at,
                              assigned, completed, late, overdue, extended)
    SELECT sign, lead_unit_id, assigner, original_deadline, year, at,
           assigned, completed, late, overdue, extended
      FROM figure_change_steps
     WHERE id = NEW.id;

    INSERT INTO figure_groups (grain, at, kind, key, year, assigned, completed, late, overdue)
    SELECT g.grain, CASE g.grain WHEN 'd' THEN s.at ELSE substr(s.at, 1, 7) END,
           k.kind, CASE k.kind WHEN 'unit' THEN CAST(s.lead_unit_id AS TEXT) ELSE s.assigner END,
           s.year, s.sign * s.assigned, s.sign * s.completed, s.sign * s.late,
           s.sign * s.overdue
      FROM figure_steps s,
           (SELECT 'd' AS grain UNION ALL SELECT 'm') g,
           (SELECT 'unit' AS kind UNION ALL SELECT 'leader') k
     WHERE true
    ON CONFLICT (grain, at, kind, key, year) DO UPDATE SET
        assigned = assigned + excluded.assigned,
        completed = completed + excluded.completed,
        late = late + excluded.late,
        overdue = overdue + excluded.overdue;

    INSERT INTO figure_due (original_deadline, at, due, completed, late, overdue, extended)
    SELECT s.original_deadline, s.at, s.sign * s.assigned, s.sign * s.completed,
           s.sign * s.late, s.sign * s.overdue, s.sign * s.extended
      FROM figure_steps s
     WHERE s.original_deadline IS NOT NULL
    ON CONFLICT (original_deadline, at) DO UPDATE SET
        due = due + excluded.due,
        completed = completed + excluded.completed,
        late = late + excluded.late,
        overdue = overdue + excluded.overdue,
        extended = extended + excluded.extended;

    DELETE FROM figure_steps;
    DELETE FROM figure_changes WHERE id = NEW.id;
END;

CREATE TRIGGER figure_tasks_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO figure_changes (sign, assigned_on, original_deadline, deadline, completed_on,
                                lead_unit_id, assigner)
    VALUES (1, NEW.assigned_on, NEW.original_deadline, NEW.deadline, NEW.completed_on,
            NEW.lead_unit_id, NEW.assigner);
END;

CREATE TRIGGER figure_tasks_delete AFTER DELETE ON tasks
BEGIN
    INSERT INTO figure_changes (sign, assigned_on, original_deadline, deadline, completed_on,
                                lead_unit_id, assigner)
    VALUES (-1, OLD.assigned_on, OLD.original_deadline, OLD.deadline, OLD.completed_on,
            OLD.lead_unit_id, OLD.assigner);
END;

CREATE TRIGGER figure_tasks_update
AFTER UPDATE OF assigned_on, original_deadline, deadline, completed_on, lead_unit_id, assigner
ON tasks
WHEN OLD.assigned_on IS NOT NEW.assigned_on
  OR OLD.original_deadline IS NOT NEW.original_deadline
  OR OLD.deadline IS NOT NEW.deadline
  OR OLD.completed_on IS NOT NEW.completed_on
  OR OLD.lead_unit_id IS NOT NEW.lead_unit_id
  OR OLD.assigner IS NOT NEW.assigner
BEGIN
    INSERT INTO figure_changes (sign, assigned_on, original_deadline, deadline, completed_on,
                                lead_unit_id, assigner)
    VALUES (-1, OLD.assigned_on, OLD.original_deadline, OLD.deadline, OLD.completed_on,
            OLD.lead_unit_id, OLD.assigner),
           (1, NEW.assigned_on, NEW.original_deadline, NEW.deadline, NEW.completed_on,
            NEW.lead_unit_id, NEW.assigner);
END;

-- The tasks already registered.
INSERT INTO figure_changes (sign, assigned_on, original_deadline, deadline, completed_on,
                            lead_unit_id, assigner)
SELECT 1, assigned_on, original_deadline, deadline, completed_on, lead_unit_id, assigner
  FROM tasks;

-- The corrections the reader makes: tasks extended after T, tasks assigned in (end of P, T].
CREATE INDEX figure_tasks_extended ON tasks(extended_on, assigned_on) WHERE extended_on IS NOT NULL;
