-- Envelope encryption: see the PostgreSQL migration of the same number.
CREATE TABLE data_keys (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    purpose      TEXT NOT NULL,
    owner        TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL,
    sealed       BLOB,
    reserved     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    destroyed_at TEXT,
    PRIMARY KEY (tenant_id, purpose, owner, version)
);
