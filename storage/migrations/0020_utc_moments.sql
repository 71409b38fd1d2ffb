-- Every moment in UTC, in the form storage/encoding.py writes (`2026-12-05T02:00:00+00:00`).
-- Before, the register's own moments kept the Office's offset (`2026-12-05T09:00:00+07:00`);
-- strftime reads the offset (or, for a value without one, takes it as UTC) and writes the
-- same moment in UTC. A value already in that form, a NULL, or text that is not a moment
-- (strftime gives NULL) is left as it is (hence the coalesce where a row has two
-- moments): only the rows that differ are written.
-- No trigger fires: those on tasks are `UPDATE OF` day and unit columns, never these.
UPDATE tasks
   SET created_at = coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', created_at), created_at),
       updated_at = coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', updated_at), updated_at)
 WHERE created_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', created_at)
    OR updated_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', updated_at);

UPDATE task_events
   SET at = strftime('%Y-%m-%dT%H:%M:%S+00:00', at)
 WHERE at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', at);

UPDATE deadline_changes
   SET decided_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', decided_at)
 WHERE decided_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', decided_at);

UPDATE completion_reports
   SET reported_at = coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', reported_at), reported_at),
       decided_at = coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', decided_at), decided_at)
 WHERE reported_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', reported_at)
    OR decided_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', decided_at);

UPDATE extension_requests
   SET requested_at = coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', requested_at), requested_at),
       decided_at = coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', decided_at), decided_at)
 WHERE requested_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', requested_at)
    OR decided_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', decided_at);

UPDATE dialogues
   SET started_at = coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', started_at), started_at),
       expires_at = coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', expires_at), expires_at)
 WHERE started_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', started_at)
    OR expires_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', expires_at);

UPDATE sync_pulls
   SET pulled_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', pulled_at)
 WHERE pulled_at <> strftime('%Y-%m-%dT%H:%M:%S+00:00', pulled_at);
