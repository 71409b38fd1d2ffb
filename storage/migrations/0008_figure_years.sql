-- The report figures: the steps of migration 0005 also summed per assigned year,
-- so that the figures as of a day late in the year read the year's total less the months
-- after that day, instead of every month before it.

CREATE TABLE figure_years (
    kind      TEXT NOT NULL CHECK (kind IN ('unit', 'leader')),
    key       TEXT NOT NULL,
    year      INTEGER NOT NULL,
    assigned  INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    late      INTEGER NOT NULL DEFAULT 0,
    overdue   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, year, key)
) WITHOUT ROWID;

INSERT INTO figure_years (kind, key, year, assigned, completed, late, overdue)
SELECT kind, key, year, sum(assigned), sum(completed), sum(late), sum(overdue)
  FROM figure_groups
 WHERE grain = 'm'
 GROUP BY kind, year, key;

-- Each step, as figure_changes_sum writes it down (migration 0005).
CREATE TRIGGER figure_steps_years AFTER INSERT ON figure_steps
BEGIN
    INSERT INTO figure_years (kind, key, year, assigned, completed, late, overdue)
    VALUES ('unit', CAST(NEW.lead_unit_id AS TEXT), NEW.year, NEW.sign * NEW.assigned,
            NEW.sign * NEW.completed, NEW.sign * NEW.late, NEW.sign * NEW.overdue),
           ('leader', NEW.assigner, NEW.year, NEW.sign * NEW.assigned,
            NEW.sign * NEW.completed, NEW.sign * NEW.late, NEW.sign * NEW.overdue)
    ON CONFLICT (kind, year, key) DO UPDATE SET
        assigned = assigned + excluded.assigned,
        completed = completed + excluded.completed,
        late = late + excluded.late,
        overdue = overdue + excluded.overdue;
END;

-- The reader's corrections for tasks extended after T (storage/figures.py), read from these
-- indexes alone: by the day of the extension for the year, by the original deadline for the
-- period's due tasks. Only extended tasks are in them.
DROP INDEX figure_tasks_extended;
CREATE INDEX figure_extended_year ON tasks(extended_on, assigned_on, lead_unit_id, assigner,
    completed_on, deadline, original_deadline) WHERE extended_on IS NOT NULL;
CREATE INDEX figure_extended_due ON tasks(original_deadline, extended_on, assigned_on,
    completed_on, deadline) WHERE extended_on IS NOT NULL;
