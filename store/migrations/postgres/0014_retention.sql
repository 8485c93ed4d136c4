-- Retention: each tenant's policies per category of personal data, and
-- audit tombstones.

-- A tenant's retention policies. A tenant without rows follows the
-- defaults of its preset. category is one of Rampart's own (sessions,
-- audit_details, usage_logs, consent_records, guardrail_events) or a
-- platform category (platform = true) that is announced to the tenant's
-- registered systems when due; systems is a JSON list of system names
-- (empty: all of them). announced_at is the last announcement.
CREATE TABLE retention_policies (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    category     text NOT NULL,
    days         integer NOT NULL,
    action       text NOT NULL,
    platform     boolean NOT NULL DEFAULT false,
    systems      text NOT NULL DEFAULT '[]',
    announced_at timestamptz,
    updated_by   text NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, category)
);

ALTER TABLE retention_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE retention_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON retention_policies
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

-- Audit tombstones. The hash of an event covers its address, user agent
-- and details, so retention cannot rewrite them and keep the hash. It
-- blanks them instead and marks the row redacted: verification checks a
-- tombstone's place in the chain (sequence, prev_hash, and its own hash,
-- which the next event's hash covers) but not its content, and accepts it
-- only at or below the through_seq of a retention record (an event of
-- the chain itself, appended before the tombstones are made). The trigger admits that one change and nothing else.
ALTER TABLE audit_events ADD COLUMN redacted boolean NOT NULL DEFAULT false;

CREATE OR REPLACE FUNCTION rampart_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NOT OLD.redacted AND NEW.redacted
       AND NEW.ip_address = '' AND NEW.user_agent = '' AND NEW.details = '{}'
       AND NEW.tenant_id = OLD.tenant_id AND NEW.seq = OLD.seq AND NEW.id = OLD.id
       AND NEW.event_type = OLD.event_type AND NEW.user_id = OLD.user_id
       AND NEW.resource = OLD.resource AND NEW.success = OLD.success
       AND NEW.created_at = OLD.created_at AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END $$;

-- Retention finds old rows by time.
CREATE INDEX consents_time ON consents (tenant_id, created_at);
CREATE INDEX sessions_last_activity ON sessions (tenant_id, last_activity);
