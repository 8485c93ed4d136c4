-- Retention: each tenant's policies per category, and audit tombstones.
-- See the PostgreSQL migration for what each column means.
CREATE TABLE retention_policies (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    category     TEXT NOT NULL,
    days         INTEGER NOT NULL,
    action       TEXT NOT NULL,
    platform     INTEGER NOT NULL DEFAULT 0,
    systems      TEXT NOT NULL DEFAULT '[]',
    announced_at TEXT,
    updated_by   TEXT NOT NULL DEFAULT '',
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, category)
);

-- Audit tombstones: the one update the append-only log admits blanks an
-- event's address, user agent and details and marks it redacted, leaving
-- every column its hash chain links by.
ALTER TABLE audit_events ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (OLD.redacted = 0 AND NEW.redacted = 1
    AND NEW.ip_address = '' AND NEW.user_agent = '' AND NEW.details = '{}'
    AND NEW.tenant_id IS OLD.tenant_id AND NEW.seq IS OLD.seq AND NEW.id IS OLD.id
    AND NEW.event_type IS OLD.event_type AND NEW.user_id IS OLD.user_id
    AND NEW.resource IS OLD.resource AND NEW.success IS OLD.success
    AND NEW.created_at IS OLD.created_at AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash)
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

CREATE INDEX consents_time ON consents (tenant_id, created_at);
CREATE INDEX sessions_last_activity ON sessions (tenant_id, last_activity);
