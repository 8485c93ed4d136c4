-- Revocation epochs and known logins. See the PostgreSQL migration for what
-- each column means.
CREATE TABLE revocation_epochs (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    subject   TEXT NOT NULL,
    epoch     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);

CREATE TABLE known_logins (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    value_hash TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, kind, value_hash)
);
