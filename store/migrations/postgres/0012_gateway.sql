-- The AI gateway: a tenant's model providers, its token budgets and the
-- usage log of the requests it proxied.

-- A tenant's OpenAI-compatible upstreams. api_key is sealed under the
-- tenant's api_keys key (bound to the row); models, aliases and prices are
-- JSON.
CREATE TABLE ai_upstreams (
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    id         uuid NOT NULL,
    name       text NOT NULL,
    base_url   text NOT NULL,
    api_key    text NOT NULL,
    models     text NOT NULL DEFAULT '[]',
    aliases    text NOT NULL DEFAULT '{}',
    prices     text NOT NULL DEFAULT '{}',
    is_default boolean NOT NULL DEFAULT false,
    options    text NOT NULL DEFAULT '{}',
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- Token and cost budgets with their counters. subject is 'tenant' or
-- 'key:<api key id>'; period is 'day' or 'month' (UTC). A NULL maximum is no
-- limit. Reservations and settlements are single-row conditional updates,
-- so concurrent requests never spend past a maximum.
CREATE TABLE ai_budgets (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    subject      text NOT NULL,
    period       text NOT NULL,
    max_tokens   bigint,
    max_micros   bigint,
    window_start timestamptz NOT NULL,
    spent_tokens bigint NOT NULL DEFAULT 0,
    spent_micros bigint NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, subject, period)
);

-- One row per proxied request: no prompt, no answer, no placeholder.
CREATE TABLE ai_usage (
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    id             uuid NOT NULL,
    created_at     timestamptz NOT NULL,
    key_id         text NOT NULL DEFAULT '',
    user_id        text NOT NULL DEFAULT '',
    endpoint       text NOT NULL,
    model          text NOT NULL,
    upstream       text NOT NULL DEFAULT '',
    input_tokens   bigint NOT NULL DEFAULT 0,
    output_tokens  bigint NOT NULL DEFAULT 0,
    cost_micros    bigint NOT NULL DEFAULT 0,
    input_verdict  text NOT NULL DEFAULT '',
    output_verdict text NOT NULL DEFAULT '',
    latency_ms     bigint NOT NULL DEFAULT 0,
    stream         boolean NOT NULL DEFAULT false,
    status         integer NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX ai_usage_time ON ai_usage (tenant_id, created_at);

ALTER TABLE ai_upstreams ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_upstreams FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ai_upstreams
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE ai_budgets ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_budgets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ai_budgets
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE ai_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ai_usage
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);
