-- Privacy operations: consent records, the registry of the platform's
-- systems holding personal data, and data-subject requests. See the
-- PostgreSQL migration for what each column means.
CREATE TABLE consents (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    id             TEXT NOT NULL,
    subject_index  TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    granted        INTEGER NOT NULL,
    policy_version TEXT NOT NULL,
    method         TEXT NOT NULL,
    address        TEXT NOT NULL DEFAULT '',
    user_agent     TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX consents_subject ON consents (tenant_id, subject_index, purpose, created_at);

CREATE TABLE privacy_systems (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    webhook_url TEXT NOT NULL,
    categories  TEXT NOT NULL DEFAULT '[]',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE privacy_requests (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    id               TEXT NOT NULL,
    type             TEXT NOT NULL,
    subject_user_id  TEXT NOT NULL DEFAULT '',
    subject_email    TEXT NOT NULL DEFAULT '',
    jurisdiction     TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    due_at           TEXT NOT NULL,
    extended_at      TEXT,
    extension_days   INTEGER NOT NULL DEFAULT 0,
    extension_reason TEXT NOT NULL DEFAULT '',
    completed_at     TEXT,
    result           TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX privacy_requests_status ON privacy_requests (tenant_id, status, due_at);
