-- API keys: only a hash of each key is stored.
CREATE TABLE api_keys (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    hash            TEXT NOT NULL,
    role            TEXT NOT NULL DEFAULT '',
    permissions     TEXT NOT NULL DEFAULT '[]',
    rate_limit_tier TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT,
    last_used_at    TEXT,
    revoked_at      TEXT,
    PRIMARY KEY (tenant_id, id)
);
