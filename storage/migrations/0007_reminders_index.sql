-- Reminders: a day's round reads only this index of open tasks, which covers every
-- column the planner needs, never the tasks themselves: 0,2 s instead of 0,7 s for the
-- 110.000 candidates of a register of a million tasks (storage/outbox.py round_candidates).
CREATE INDEX tasks_open_reminders
    ON tasks(deadline, lead_unit_id, officer_id, assigner_id, report_state, completed_on)
    WHERE completed_on IS NULL;
