-- The index on lower(code) again, for the registers that reached schema 16 before it was
-- added to 0016 (bench.sync's register among them): without it, a task import
-- or a pull that reads the tasks its file names scanned the whole register once per 900
-- codes (a pull of 100,000 rows on a million tasks: ~40 s instead of ~5). A register that
-- has it already keeps it as it is.
CREATE INDEX IF NOT EXISTS tasks_code_lower ON tasks(lower(code));
