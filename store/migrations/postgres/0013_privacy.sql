-- Privacy operations: consent records, the registry of the platform's
-- systems holding personal data, and data-subject requests.

-- Consent, append-only: a withdrawal is a new record with granted = false,
-- and the latest record of (subject, purpose) decides. subject_index is a
-- keyed hash of the platform's subject id (never the id itself); address
-- (truncated) and user_agent are sealed under the subject's personal-data
-- key, so erasing the subject leaves the proof without the person. id is a
-- UUIDv7: it orders records written in the same microsecond.
CREATE TABLE consents (
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    id             uuid NOT NULL,
    subject_index  text NOT NULL,
    purpose        text NOT NULL,
    granted        boolean NOT NULL,
    policy_version text NOT NULL,
    method         text NOT NULL,
    address        text NOT NULL DEFAULT '',
    user_agent     text NOT NULL DEFAULT '',
    recorded_by    text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX consents_subject ON consents (tenant_id, subject_index, purpose, created_at);

-- The platform's own systems that hold personal data; data-subject
-- requests fan out to them. categories is a JSON list.
CREATE TABLE privacy_systems (
    tenant_id   uuid NOT NULL REFERENCES tenants(id),
    id          uuid NOT NULL,
    name        text NOT NULL,
    webhook_url text NOT NULL,
    categories  text NOT NULL DEFAULT '[]',
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- Data-subject requests. The subject is a user id, or the blind index of an
-- email (subject_email): a request for an unknown subject is stored and
-- answered like any other. due_at moves once, by an extension with its
-- reason. "overdue" is not stored: an open request past due_at is overdue.
CREATE TABLE privacy_requests (
    tenant_id        uuid NOT NULL REFERENCES tenants(id),
    id               uuid NOT NULL,
    type             text NOT NULL,
    subject_user_id  text NOT NULL DEFAULT '',
    subject_email    text NOT NULL DEFAULT '',
    jurisdiction     text NOT NULL DEFAULT '',
    status           text NOT NULL,
    received_at      timestamptz NOT NULL,
    due_at           timestamptz NOT NULL,
    extended_at      timestamptz,
    extension_days   integer NOT NULL DEFAULT 0,
    extension_reason text NOT NULL DEFAULT '',
    completed_at     timestamptz,
    result           text NOT NULL DEFAULT '',
    created_by       text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX privacy_requests_status ON privacy_requests (tenant_id, status, due_at);

ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE consents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON consents
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE privacy_systems ENABLE ROW LEVEL SECURITY;
ALTER TABLE privacy_systems FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON privacy_systems
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE privacy_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE privacy_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON privacy_requests
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);
