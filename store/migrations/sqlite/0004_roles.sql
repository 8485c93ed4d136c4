-- Custom roles a tenant adds to its preset catalogue.
CREATE TABLE roles (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL,
    permissions TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
