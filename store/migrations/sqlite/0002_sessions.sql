-- Login, tokens and sessions: signing keys, atomic counters (lockout),
-- sessions and rotating refresh tokens.

-- Deployment-wide token-signing keys; private keys sealed by the master key.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    private_key BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
);

-- Increment-and-decide counters: one row per key, a fixed window, and an
-- optional block. Keys are hashes, so the table holds no personal data.
CREATE TABLE counters (
    key           TEXT PRIMARY KEY,
    count         INTEGER NOT NULL,
    window_end    TEXT NOT NULL,
    blocked_until TEXT
);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    last_activity TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ip_address    TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    fingerprint   TEXT NOT NULL DEFAULT '',
    amr           TEXT NOT NULL DEFAULT '[]',
    mfa_verified  INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL,
    ended_at      TEXT,
    end_reason    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_user ON sessions (tenant_id, user_id, active, created_at);

CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    grace_used INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (tenant_id, session_id);
