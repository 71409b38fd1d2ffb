-- The scheduled pull of the e-office's exports (bot/sync.py): the last pull of each kind.
--
-- `address` is shown (no user, password or query); `address_hash` is of the whole address, so
-- a changed address does not reuse the old one's validators. The validators (etag,
-- last_modified, content_hash) are those of the last content imported (or found unchanged):
-- a failed pull keeps them. `failure` is the fingerprint of the failure admins were last told
-- of (NULL once a pull works again): each distinct failure is told once.
CREATE TABLE sync_pulls (
    kind TEXT PRIMARY KEY CHECK (kind IN ('units', 'people', 'tasks')),
    address TEXT NOT NULL,
    address_hash TEXT NOT NULL,
    pulled_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('unchanged', 'imported', 'failed')),
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    kept INTEGER NOT NULL DEFAULT 0,
    conflicts INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    failure TEXT
) WITHOUT ROWID;
