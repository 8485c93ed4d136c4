-- Login, tokens and sessions: signing keys, atomic counters (lockout),
-- sessions and rotating refresh tokens.

-- Deployment-wide token-signing keys; private keys sealed by the master key.
CREATE TABLE signing_keys (
    kid         text PRIMARY KEY,
    alg         text NOT NULL,
    private_key bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    retired_at  timestamptz
);

-- Increment-and-decide counters: one row per key, a fixed window, and an
-- optional block. Keys are hashes, so the table holds no personal data and
-- no tenant's rows (it is deployment-wide, without row-level security).
CREATE TABLE counters (
    key           text PRIMARY KEY,
    count         bigint NOT NULL,
    window_end    timestamptz NOT NULL,
    blocked_until timestamptz
);

CREATE TABLE sessions (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants(id),
    user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    last_activity timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    ip_address    text NOT NULL DEFAULT '',
    user_agent    text NOT NULL DEFAULT '',
    fingerprint   text NOT NULL DEFAULT '',
    amr           text NOT NULL DEFAULT '[]',
    mfa_verified  boolean NOT NULL DEFAULT false,
    active        boolean NOT NULL,
    ended_at      timestamptz,
    end_reason    text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_user ON sessions (tenant_id, user_id, active, created_at);

CREATE TABLE refresh_tokens (
    hash       text PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    grace_used boolean NOT NULL DEFAULT false
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (tenant_id, session_id);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refresh_tokens
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);
