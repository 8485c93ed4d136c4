-- Security monitoring: incidents the rules open, and when each channel was
-- last told of a dedup key (at most one notification per channel per key
-- per interval).

-- event_ids and timeline are JSON arrays, bounded by the application (the
-- first events, the latest changes). At most one incident per dedup key is
-- not resolved: later detections of the key join it.
CREATE TABLE incidents (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    id           uuid NOT NULL,
    rule         text NOT NULL,
    severity     text NOT NULL,
    status       text NOT NULL,
    dedup_key    text NOT NULL,
    summary      text NOT NULL DEFAULT '',
    subject_user text NOT NULL DEFAULT '',
    subject_ip   text NOT NULL DEFAULT '',
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL,
    event_count  bigint NOT NULL,
    event_ids    text NOT NULL DEFAULT '[]',
    timeline     text NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX incidents_live_dedup ON incidents (tenant_id, dedup_key) WHERE status <> 'resolved';
CREATE INDEX incidents_status ON incidents (tenant_id, status, id);

CREATE TABLE incident_notices (
    tenant_id uuid NOT NULL REFERENCES tenants(id),
    dedup_key text NOT NULL,
    channel   text NOT NULL,
    last_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, dedup_key, channel)
);

ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON incidents
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE incident_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_notices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON incident_notices
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);
