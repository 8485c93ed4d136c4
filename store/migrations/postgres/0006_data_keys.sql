-- Envelope encryption: each tenant's key-encryption key (purpose 'kek',
-- sealed under the master key) and data keys by purpose (sealed under the
-- KEK), every one versioned. owner is the subject of a per-subject key ('' for
-- tenant-wide keys); destroying a per-subject key (crypto-shredding) clears
-- sealed. reserved counts encryptions handed out by replicas, so a key is
-- rotated well before 2^32 random nonces.
CREATE TABLE data_keys (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    purpose      text NOT NULL,
    owner        text NOT NULL DEFAULT '',
    version      integer NOT NULL,
    sealed       bytea,
    reserved     bigint NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    destroyed_at timestamptz,
    PRIMARY KEY (tenant_id, purpose, owner, version)
);

ALTER TABLE data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON data_keys
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);
