-- Bulk writes (`dondoc import` of 100,000 tasks, bench.answers): summing a task's figure steps into the
-- cells row by row costs ~180 µs a task, 80% of importing 100,000 tasks. While a row of
-- figure_bulk exists, the changes wait in figure_changes and storage/figures.py sums them
-- all at once, set-based, in the same transaction (`figures_summed_once`).

CREATE TABLE figure_bulk (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);

-- The trigger of migration 0005, unchanged but for its WHEN.
DROP TRIGGER figure_changes_sum;
CREATE TRIGGER figure_changes_sum AFTER INSERT ON figure_changes
WHEN NOT EXISTS (SELECT 1 FROM figure_bulk)
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

-- The trigger of migration 0008, unchanged but for its WHEN: the bulk sums fill
-- figure_steps once and sum it into figure_years themselves.
DROP TRIGGER figure_steps_years;
CREATE TRIGGER figure_steps_years AFTER INSERT ON figure_steps
WHEN NOT EXISTS (SELECT 1 FROM figure_bulk)
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
