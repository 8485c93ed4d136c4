-- Foundation: tenants, users and the per-tenant hash-chained audit log.
-- Every table holding tenant data has ROW LEVEL SECURITY enabled and forced,
-- with a policy on the per-transaction setting rampart.tenant_id, so a query
-- that forgets its tenant filter still sees nothing of other tenants.
CREATE TABLE tenants (
    id         uuid PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    name       text NOT NULL,
    status     text NOT NULL,
    settings   jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants(id),
    email         text NOT NULL,
    email_key     text NOT NULL,
    password_hash text NOT NULL,
    role          text NOT NULL,
    permissions   jsonb NOT NULL DEFAULT '[]',
    status        text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (tenant_id, email_key)
);

CREATE TABLE audit_events (
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    seq        bigint NOT NULL,
    id         uuid NOT NULL UNIQUE,
    event_type text NOT NULL,
    user_id    text NOT NULL DEFAULT '',
    ip_address text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    resource   text NOT NULL DEFAULT '',
    success    boolean NOT NULL,
    details    text NOT NULL, -- text, not jsonb: the hash covers these exact bytes
    created_at timestamptz NOT NULL,
    prev_hash  text NOT NULL,
    hash       text NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

CREATE FUNCTION rampart_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION rampart_audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION rampart_audit_append_only();

CREATE TABLE audit_heads (
    tenant_id uuid PRIMARY KEY REFERENCES tenants(id),
    seq       bigint NOT NULL,
    hash      text NOT NULL
);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
-- The operator path (creating and listing tenants) is the one exception, and
-- only for the tenants table.
CREATE POLICY tenant_isolation ON tenants
    USING (id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid
           OR current_setting('rampart.operator', true) = 'on')
    WITH CHECK (id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid
           OR current_setting('rampart.operator', true) = 'on');

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);
