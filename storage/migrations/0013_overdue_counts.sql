-- /overdue without counting the overdue tasks: a GROUP BY over the ~100,000
-- overdue tasks of a million-task register took 22–38 ms after every change. Kept instead:
--   open_due       the open tasks with a deadline, counted per lead unit and deadline;
--   overdue_anchor one day A;
--   overdue_units  per lead unit, its open tasks due before A, and its oldest open deadline.
-- Overdue on T (open, deadline < T), per unit = below + the open_due rows between A and T
-- (added when A < T, taken away when T < A): a read of ~1,000 rows of overdue_units and the
-- rows of the days between A and T (adjacent: keyed by day), when A is near T. The daily
-- job moves A to the day (storage.reports.move_overdue_anchor).
-- While figure_bulk has a row (an import), the triggers leave the counts alone and the
-- import counts them afresh in its transaction (storage.reports.recount_overdue).

CREATE TABLE open_due (
    deadline TEXT NOT NULL,
    unit_id  INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (deadline, unit_id)
) WITHOUT ROWID;
CREATE INDEX open_due_unit ON open_due(unit_id, deadline);

CREATE TABLE overdue_anchor (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    day TEXT NOT NULL
);

-- A row for every unit that has had an open task with a deadline (oldest: NULL when none).
CREATE TABLE overdue_units (
    unit_id INTEGER PRIMARY KEY,
    below   INTEGER NOT NULL,
    oldest  TEXT
);

INSERT INTO overdue_anchor (id, day) VALUES (1, date('now'));
INSERT INTO open_due (deadline, unit_id, n)
SELECT deadline, lead_unit_id, count(*) FROM tasks
 WHERE completed_on IS NULL AND deadline IS NOT NULL
 GROUP BY lead_unit_id, deadline;
INSERT INTO overdue_units (unit_id, below, oldest)
SELECT unit_id, sum(n * (deadline < (SELECT day FROM overdue_anchor))), min(deadline)
  FROM open_due GROUP BY unit_id;

-- A task counts while it is open and has a deadline: at (deadline, lead_unit_id).

CREATE TRIGGER overdue_tasks_insert AFTER INSERT ON tasks
WHEN NEW.completed_on IS NULL AND NEW.deadline IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM figure_bulk)
BEGIN
    INSERT INTO open_due (deadline, unit_id, n) VALUES (NEW.deadline, NEW.lead_unit_id, 1)
    ON CONFLICT (deadline, unit_id) DO UPDATE SET n = n + 1;
    INSERT INTO overdue_units (unit_id, below, oldest)
    SELECT NEW.lead_unit_id, NEW.deadline < day, NEW.deadline FROM overdue_anchor WHERE true
    ON CONFLICT (unit_id) DO UPDATE SET below = below + excluded.below,
        oldest = min(coalesce(oldest, excluded.oldest), excluded.oldest);
END;

CREATE TRIGGER overdue_tasks_delete AFTER DELETE ON tasks
WHEN OLD.completed_on IS NULL AND OLD.deadline IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM figure_bulk)
BEGIN
    UPDATE open_due SET n = n - 1 WHERE deadline = OLD.deadline AND unit_id = OLD.lead_unit_id;
    DELETE FROM open_due WHERE deadline = OLD.deadline AND unit_id = OLD.lead_unit_id AND n = 0;
    UPDATE overdue_units
       SET below = below - (OLD.deadline < (SELECT day FROM overdue_anchor)),
           oldest = CASE WHEN oldest = OLD.deadline
                    THEN (SELECT min(deadline) FROM open_due WHERE unit_id = OLD.lead_unit_id)
                    ELSE oldest END
     WHERE unit_id = OLD.lead_unit_id;
END;

-- An update takes the task away from where it counted, then counts it where it is now.
CREATE TRIGGER overdue_tasks_update_old AFTER UPDATE OF completed_on, deadline, lead_unit_id
ON tasks
WHEN OLD.completed_on IS NULL AND OLD.deadline IS NOT NULL
 AND (NEW.completed_on IS NOT NULL OR NEW.deadline IS NOT OLD.deadline
      OR NEW.lead_unit_id IS NOT OLD.lead_unit_id)
 AND NOT EXISTS (SELECT 1 FROM figure_bulk)
BEGIN
    UPDATE open_due SET n = n - 1 WHERE deadline = OLD.deadline AND unit_id = OLD.lead_unit_id;
    DELETE FROM open_due WHERE deadline = OLD.deadline AND unit_id = OLD.lead_unit_id AND n = 0;
    UPDATE overdue_units
       SET below = below - (OLD.deadline < (SELECT day FROM overdue_anchor)),
           oldest = CASE WHEN oldest = OLD.deadline
                    THEN (SELECT min(deadline) FROM open_due WHERE unit_id = OLD.lead_unit_id)
                    ELSE oldest END
     WHERE unit_id = OLD.lead_unit_id;
END;

CREATE TRIGGER overdue_tasks_update_new AFTER UPDATE OF completed_on, deadline, lead_unit_id
ON tasks
WHEN NEW.completed_on IS NULL AND NEW.deadline IS NOT NULL
 AND (OLD.completed_on IS NOT NULL OR NEW.deadline IS NOT OLD.deadline
      OR NEW.lead_unit_id IS NOT OLD.lead_unit_id)
 AND NOT EXISTS (SELECT 1 FROM figure_bulk)
BEGIN
    INSERT INTO open_due (deadline, unit_id, n) VALUES (NEW.deadline, NEW.lead_unit_id, 1)
    ON CONFLICT (deadline, unit_id) DO UPDATE SET n = n + 1;
    INSERT INTO overdue_units (unit_id, below, oldest)
    SELECT NEW.lead_unit_id, NEW.deadline < day, NEW.deadline FROM overdue_anchor WHERE true
    ON CONFLICT (unit_id) DO UPDATE SET below = below + excluded.below,
        oldest = min(coalesce(oldest, excluded.oldest), excluded.oldest);
END;

-- The daily job forgets task messages older than 90 days (storage.bot.prune_messages): by
-- this index it deletes what it forgets, not a scan of every message ever sent.
CREATE INDEX bot_messages_sent ON bot_messages(sent_at) WHERE sent_at IS NOT NULL;
