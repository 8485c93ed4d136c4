-- Account lifecycle: one-time links and codes, second-factor channels, and
-- users' attributes. See the PostgreSQL migration for what each column means.
CREATE TABLE account_tokens (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose         TEXT NOT NULL,
    link_hash       TEXT UNIQUE,
    code_hash       TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL DEFAULT '',
    target          TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    link_expires_at TEXT NOT NULL,
    code_expires_at TEXT NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    used_at         TEXT
);
CREATE INDEX account_tokens_user ON account_tokens (tenant_id, user_id, purpose, created_at);

CREATE TABLE mfa_channels (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    method       TEXT NOT NULL,
    target       TEXT NOT NULL DEFAULT '',
    confirmed_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, method)
);

ALTER TABLE users ADD COLUMN email_verified_at TEXT;
ALTER TABLE users ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
