-- Revocation epochs: access tokens issued before their user's or their
-- tenant's epoch are refused (ending every session of a user or a tenant,
-- by an admin, a remediation or "this wasn't me"). subject is the user id,
-- or '' for the whole tenant. epoch only moves forward.
CREATE TABLE revocation_epochs (
    tenant_id uuid NOT NULL REFERENCES tenants(id),
    subject   text NOT NULL,
    epoch     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);

-- Devices and addresses a user has logged in from, to tell them of a new
-- one: kind is 'ip' or 'device', value_hash an HMAC (under a key derived
-- from the master key) of the address or of the device's user agent, so
-- nothing readable is kept. Rows older than the purge age are deleted.
CREATE TABLE known_logins (
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       text NOT NULL,
    value_hash text NOT NULL,
    last_seen  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id, kind, value_hash)
);

ALTER TABLE revocation_epochs ENABLE ROW LEVEL SECURITY;
ALTER TABLE revocation_epochs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON revocation_epochs
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE known_logins ENABLE ROW LEVEL SECURITY;
ALTER TABLE known_logins FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON known_logins
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);
