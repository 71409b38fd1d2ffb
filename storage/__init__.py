"""All SQL of dondoc: the schema, its migrations, and typed rows in and out (the rows are
`bot.models`' types; storage imports nothing else of the project). Days are ISO text and
moments ISO text in UTC, one encoding for every table (encoding.py): the moments of a column
compare and sort as text, and a local day is a range of them (`encoding.local_days`).

Most of the SQL is portable (`?` parameters, `INSERT … ON CONFLICT DO NOTHING` and
`ON CONFLICT (…) DO UPDATE SET … = excluded.…`, `RETURNING`, partial indexes). What is
SQLite's alone, module by module, for the day a second engine comes:

- db.py: the connections (`aiosqlite`, and a plain `sqlite3` one for the reads by a key on
  the event loop's thread, `fetch_by_key`; rows as `sqlite3.Row`), the PRAGMAs (`journal_mode=WAL`,
  `foreign_keys`, `synchronous`, `busy_timeout`, `cache_size`, `temp_store`, `query_only`,
  `analysis_limit`, `data_version`, `integrity_check`, `wal_checkpoint`), `ANALYZE`,
  `BEGIN IMMEDIATE`, the migrations' version in `PRAGMA user_version` applied with
  `executescript`, `sqlite_master` (a backup's tables), the online backup API, the file
  itself (a `-wal`/`-shm` beside it, `?mode=ro` URIs).
- figures.py: temporary tables (`CREATE TEMP TABLE bulk_steps`, `bulk_cells`), triggers set
  aside and made again from their text in `sqlite_schema`, numbered parameters (`?1`),
  comparisons summed as numbers (`coalesce(a <= ?1, 0)`).
- outbox.py: `INDEXED BY tasks_open_reminders` and `INDEXED BY outbox_pending`.
- reports.py: `julianday`, `iif`, `total()` (a sum that is 0.0, not NULL, over no row), the
  scalar `min(a, b)`/`max(a, b)`, a comparison multiplied as a number, `instr`,
  `COLLATE NOCASE`, numbered parameters, `sqlite_master` (whether a table exists),
  `PRAGMA data_version` (through db.py).
- importing.py: `lower(code)` lowers ASCII letters only (SQLite without ICU), and the
  lookup of codes in any case counts on it.
- task_lists.py, figures.py (`DEADLINE_ON_T`): numbered parameters (`?1`, `?2`).
- workflow.py: `INSERT OR REPLACE INTO dialogues`; register.py and workflow.py: the cursor's
  `lastrowid`.
- migrations/*.sql: `WITHOUT ROWID` tables, SQLite's trigger syntax (`CREATE TRIGGER … BEGIN
  … END`), `date(x, '+1 day')`, `date('now')`, `strftime` reading a moment's UTC offset
  (0020), comparisons used as numbers; the files that are applied already stay as they are
  (a database records only their number).
"""

from storage.db import Database

__all__ = ["Database"]
