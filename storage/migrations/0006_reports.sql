-- Figures and reports: indexes for the leaders' answers and the report's appendices.

-- /mine: the open tasks a leader assigned, by deadline.
CREATE INDEX reports_open_assigner ON tasks(assigner_id, deadline)
    WHERE completed_on IS NULL AND assigner_id IS NOT NULL;
-- Appendix 3: tasks whose completion report waits for review or was returned.
CREATE INDEX reports_report_state ON tasks(report_state) WHERE report_state IS NOT NULL;
-- Appendices as of an earlier day: the tasks completed after that day (those extended
-- after it are found by 0005's figure_tasks_extended).
CREATE INDEX reports_completed_on ON tasks(completed_on) WHERE completed_on IS NOT NULL;
-- Section 2: the reports returned and the extension requests decided in a period.
CREATE INDEX reports_reports_decided ON completion_reports(state, decided_at)
    WHERE decided_at IS NOT NULL;
CREATE INDEX reports_extensions_decided ON extension_requests(state, decided_at)
    WHERE decided_at IS NOT NULL;
