-- Console sessions (the admin console at /console/), kept in the database
-- so that any replica serves any browser. key_hash is the SHA-256 (hex) of
-- the cookie's value, which is never stored; sealed holds the session's
-- state (the Rampart session's access and refresh tokens, the CSRF secret,
-- a pending second factor, the next page's message) sealed with a key
-- derived from the master key and bound to key_hash. operator sessions
-- carry no tokens. A row past expires_at (its idle timeout, or its hard
-- limit) is refused and purged. No tenant_id: a console session is read
-- before any tenant scope exists, by the hash of a secret only its browser
-- holds.
CREATE TABLE console_sessions (
    key_hash   text PRIMARY KEY,
    sealed     bytea NOT NULL,
    operator   boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
