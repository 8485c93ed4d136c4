-- Privacy operations: one-time export links and the registered systems'
-- answers to each request (issue 18).
CREATE TABLE privacy_exports (
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    token_hash text NOT NULL,
    request_id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (tenant_id, token_hash)
);

CREATE TABLE privacy_request_systems (
    tenant_id   uuid NOT NULL REFERENCES tenants(id),
    request_id  uuid NOT NULL,
    system      text NOT NULL,
    status      text NOT NULL,
    details     text NOT NULL DEFAULT '',
    answered_at timestamptz,
    marked_by   text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, request_id, system)
);

ALTER TABLE privacy_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE privacy_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON privacy_exports
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE privacy_request_systems ENABLE ROW LEVEL SECURITY;
ALTER TABLE privacy_request_systems FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON privacy_request_systems
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

-- A registered system signs with a secret of its own (sealed at rest).
ALTER TABLE privacy_systems ADD COLUMN secret text NOT NULL DEFAULT '';

-- The smallest number of days before due a reminder was sent for (0: none).
ALTER TABLE privacy_requests ADD COLUMN reminded_days integer NOT NULL DEFAULT 0;
