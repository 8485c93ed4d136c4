-- Multi-factor authentication: TOTP secrets (sealed by the master key),
-- backup codes (keyed hashes only) and login challenges (mfa_token hashes).
CREATE TABLE mfa_totp (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret       BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE mfa_backup_codes (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, code_hash)
);

CREATE TABLE mfa_challenges (
    hash       TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    amr        TEXT NOT NULL DEFAULT '["pwd"]',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    failures   INTEGER NOT NULL DEFAULT 0,
    used_at    TEXT
);

ALTER TABLE sessions ADD COLUMN mfa_verified_at TEXT;
ALTER TABLE sessions ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;
