-- Appendix 1 of the report: the tasks completed after their deadline, by the
-- original deadline (the month they were due in), without reading every task due.
CREATE INDEX reports_late ON tasks(original_deadline) WHERE completed_on > deadline;
