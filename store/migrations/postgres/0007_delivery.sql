-- Events out: webhook subscriptions, the outbox of messages to deliver,
-- consumer positions in the audit stream, and scheduled jobs.

-- A tenant's webhook endpoints. secret is sealed (the tenant's webhooks key).
CREATE TABLE webhooks (
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    id         uuid NOT NULL,
    url        text NOT NULL,
    events     text NOT NULL DEFAULT '["*"]',
    secret     text NOT NULL,
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Messages to deliver, written in the transaction of the change that causes
-- them. payload is sealed under the tenant's key (it may hold an address or a
-- one-time code). A claim moves next_attempt_at past a lease, so a message a
-- crashed worker held is claimed again once the lease ends.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    channel         text NOT NULL,
    target          text NOT NULL DEFAULT '',
    event_type      text NOT NULL,
    idempotency_key text NOT NULL,
    payload         text NOT NULL,
    status          text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    max_attempts    integer NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    last_error      text NOT NULL DEFAULT '',
    last_status     integer NOT NULL DEFAULT 0,
    claimed_by      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_tenant_status ON outbox (tenant_id, status, created_at);

-- Where each named consumer of the audit stream has got to, per tenant.
CREATE TABLE consumer_positions (
    consumer   text NOT NULL,
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (consumer, tenant_id)
);

-- Deployment-wide jobs: one row per job, leased by one replica at a time.
-- state is the job's own progress, kept across crashes.
CREATE TABLE jobs (
    name          text PRIMARY KEY,
    next_run_at   timestamptz NOT NULL,
    lease_until   timestamptz,
    leased_by     text NOT NULL DEFAULT '',
    last_started  timestamptz,
    last_finished timestamptz,
    last_outcome  text NOT NULL DEFAULT '',
    last_error    text NOT NULL DEFAULT '',
    runs          bigint NOT NULL DEFAULT 0,
    state         text NOT NULL DEFAULT ''
);

ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhooks
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

-- The delivery workers claim across tenants in operator scope.
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid
           OR current_setting('rampart.operator', true) = 'on')
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid
           OR current_setting('rampart.operator', true) = 'on');

ALTER TABLE consumer_positions ENABLE ROW LEVEL SECURITY;
ALTER TABLE consumer_positions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON consumer_positions
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid
           OR current_setting('rampart.operator', true) = 'on')
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

-- Followers of the audit stream find the tenants with new events in one
-- operator query; they read the events themselves in the tenant's scope.
CREATE POLICY operator_reads_heads ON audit_heads FOR SELECT
    USING (current_setting('rampart.operator', true) = 'on');
