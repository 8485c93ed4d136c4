-- The AI gateway: upstreams, budgets and the usage log. See the PostgreSQL
-- migration for what each column means.
CREATE TABLE ai_upstreams (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    base_url   TEXT NOT NULL,
    api_key    TEXT NOT NULL,
    models     TEXT NOT NULL DEFAULT '[]',
    aliases    TEXT NOT NULL DEFAULT '{}',
    prices     TEXT NOT NULL DEFAULT '{}',
    is_default INTEGER NOT NULL DEFAULT 0,
    options    TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE ai_budgets (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    subject      TEXT NOT NULL,
    period       TEXT NOT NULL,
    max_tokens   INTEGER,
    max_micros   INTEGER,
    window_start TEXT NOT NULL,
    spent_tokens INTEGER NOT NULL DEFAULT 0,
    spent_micros INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, subject, period)
);

CREATE TABLE ai_usage (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    id             TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    key_id         TEXT NOT NULL DEFAULT '',
    user_id        TEXT NOT NULL DEFAULT '',
    endpoint       TEXT NOT NULL,
    model          TEXT NOT NULL,
    upstream       TEXT NOT NULL DEFAULT '',
    input_tokens   INTEGER NOT NULL DEFAULT 0,
    output_tokens  INTEGER NOT NULL DEFAULT 0,
    cost_micros    INTEGER NOT NULL DEFAULT 0,
    input_verdict  TEXT NOT NULL DEFAULT '',
    output_verdict TEXT NOT NULL DEFAULT '',
    latency_ms     INTEGER NOT NULL DEFAULT 0,
    stream         INTEGER NOT NULL DEFAULT 0,
    status         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX ai_usage_time ON ai_usage (tenant_id, created_at);
