-- Bulk inserts (`dondoc import`): the trigger that writes each new task's row into
-- figure_changes cost ~1 s of an import of 100,000 tasks. While figure_bulk has a row, the
-- tasks above its `tasks_after` (the largest id when the bulk write began) leave nothing in
-- figure_changes, whether inserted, updated or deleted; storage/figures.py
-- `figures_summed_once` adds them at the end, as they then stand, in one statement. A row
-- of figure_bulk without `tasks_after` (NULL) leaves the triggers as they were.

ALTER TABLE figure_bulk ADD COLUMN tasks_after INTEGER;

-- The triggers of migration 0005, unchanged but for their WHEN.
DROP TRIGGER figure_tasks_insert;
CREATE TRIGGER figure_tasks_insert AFTER INSERT ON tasks
WHEN NOT EXISTS (SELECT 1 FROM figure_bulk WHERE NEW.id > tasks_after)
BEGIN
    INSERT INTO figure_changes (sign, assigned_on, original_deadline, deadline, completed_on,
                                lead_unit_id, assigner)
    VALUES (1, NEW.assigned_on, NEW.original_deadline, NEW.deadline, NEW.completed_on,
            NEW.lead_unit_id, NEW.assigner);
END;

DROP TRIGGER figure_tasks_delete;
CREATE TRIGGER figure_tasks_delete AFTER DELETE ON tasks
WHEN NOT EXISTS (SELECT 1 FROM figure_bulk WHERE OLD.id > tasks_after)
BEGIN
    INSERT INTO figure_changes (sign, assigned_on, original_deadline, deadline, completed_on,
                                lead_unit_id, assigner)
    VALUES (-1, OLD.assigned_on, OLD.original_deadline, OLD.deadline, OLD.completed_on,
            OLD.lead_unit_id, OLD.assigner);
END;

DROP TRIGGER figure_tasks_update;
CREATE TRIGGER figure_tasks_update
AFTER UPDATE OF assigned_on, original_deadline, deadline, completed_on, lead_unit_id, assigner
ON tasks
WHEN (OLD.assigned_on IS NOT NEW.assigned_on
      OR OLD.original_deadline IS NOT NEW.original_deadline
      OR OLD.deadline IS NOT NEW.deadline
      OR OLD.completed_on IS NOT NEW.completed_on
      OR OLD.lead_unit_id IS NOT NEW.lead_unit_id
      OR OLD.assigner IS NOT NEW.assigner)
 AND NOT EXISTS (SELECT 1 FROM figure_bulk WHERE OLD.id > tasks_after)
BEGIN
    INSERT INTO figure_changes (sign, assigned_on, original_deadline, deadline, completed_on,
                                lead_unit_id, assigner)
    VALUES (-1, OLD.assigned_on, OLD.original_deadline, OLD.deadline, OLD.completed_on,
            OLD.lead_unit_id, OLD.assigner),
           (1, NEW.assigned_on, NEW.original_deadline, NEW.deadline, NEW.completed_on,
            NEW.lead_unit_id, NEW.assigner);
END;
