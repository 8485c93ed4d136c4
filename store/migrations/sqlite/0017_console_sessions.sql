-- Console sessions, shared by every replica. See the PostgreSQL migration.
CREATE TABLE console_sessions (
    key_hash   TEXT PRIMARY KEY,
    sealed     BLOB NOT NULL,
    operator   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
