-- Events out: webhook subscriptions, the outbox of messages to deliver,
-- consumer positions in the audit stream, and scheduled jobs. See the
-- PostgreSQL migration for what each column means.
CREATE TABLE webhooks (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    id         TEXT NOT NULL,
    url        TEXT NOT NULL,
    events     TEXT NOT NULL DEFAULT '["*"]',
    secret     TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    channel         TEXT NOT NULL,
    target          TEXT NOT NULL DEFAULT '',
    event_type      TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    max_attempts    INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    last_status     INTEGER NOT NULL DEFAULT 0,
    claimed_by      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    delivered_at    TEXT,
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_tenant_status ON outbox (tenant_id, status, created_at);

CREATE TABLE consumer_positions (
    consumer   TEXT NOT NULL,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    position   INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (consumer, tenant_id)
);

CREATE TABLE jobs (
    name          TEXT PRIMARY KEY,
    next_run_at   TEXT NOT NULL,
    lease_until   TEXT,
    leased_by     TEXT NOT NULL DEFAULT '',
    last_started  TEXT,
    last_finished TEXT,
    last_outcome  TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT '',
    runs          INTEGER NOT NULL DEFAULT 0,
    state         TEXT NOT NULL DEFAULT ''
);
