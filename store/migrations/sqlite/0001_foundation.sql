-- Foundation: tenants, users and the per-tenant hash-chained audit log.
-- Times are TEXT in fixed-width UTC RFC 3339 with microseconds, so that text
-- order is time order.
CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    settings   TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    permissions   TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (tenant_id, email_key)
);

CREATE TABLE audit_events (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    seq        INTEGER NOT NULL,
    id         TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    user_id    TEXT NOT NULL DEFAULT '',
    ip_address TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    resource   TEXT NOT NULL DEFAULT '',
    success    INTEGER NOT NULL,
    details    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

-- The head of each tenant's chain: the last sequence number and hash. Updating
-- it serializes appends per tenant and lets verification detect a cut tail.
CREATE TABLE audit_heads (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    seq       INTEGER NOT NULL,
    hash      TEXT NOT NULL
);
