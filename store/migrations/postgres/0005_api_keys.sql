-- API keys: only a hash of each key is stored.
CREATE TABLE api_keys (
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    id              text NOT NULL,
    name            text NOT NULL,
    hash            text NOT NULL,
    role            text NOT NULL DEFAULT '',
    permissions     text NOT NULL DEFAULT '[]',
    rate_limit_tier text NOT NULL DEFAULT '',
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    PRIMARY KEY (tenant_id, id)
);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);
