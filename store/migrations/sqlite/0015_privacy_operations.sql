-- Privacy operations: one-time export links and the registered systems'
-- answers to each request (issue 18).
CREATE TABLE privacy_exports (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    token_hash TEXT NOT NULL,
    request_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (tenant_id, token_hash)
);

CREATE TABLE privacy_request_systems (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    request_id  TEXT NOT NULL,
    system      TEXT NOT NULL,
    status      TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '',
    answered_at TEXT,
    marked_by   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, request_id, system)
);

-- A registered system signs with a secret of its own (sealed at rest).
ALTER TABLE privacy_systems ADD COLUMN secret TEXT NOT NULL DEFAULT '';

-- The smallest number of days before due a reminder was sent for (0: none).
ALTER TABLE privacy_requests ADD COLUMN reminded_days INTEGER NOT NULL DEFAULT 0;
