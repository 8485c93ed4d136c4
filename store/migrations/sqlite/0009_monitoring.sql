-- Security monitoring: incidents and notification times. See the PostgreSQL
-- migration for what each column means.
CREATE TABLE incidents (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    id           TEXT NOT NULL,
    rule         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    status       TEXT NOT NULL,
    dedup_key    TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    subject_user TEXT NOT NULL DEFAULT '',
    subject_ip   TEXT NOT NULL DEFAULT '',
    first_seen   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    event_count  INTEGER NOT NULL,
    event_ids    TEXT NOT NULL DEFAULT '[]',
    timeline     TEXT NOT NULL DEFAULT '[]',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX incidents_live_dedup ON incidents (tenant_id, dedup_key) WHERE status <> 'resolved';
CREATE INDEX incidents_status ON incidents (tenant_id, status, id);

CREATE TABLE incident_notices (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    dedup_key TEXT NOT NULL,
    channel   TEXT NOT NULL,
    last_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, dedup_key, channel)
);
