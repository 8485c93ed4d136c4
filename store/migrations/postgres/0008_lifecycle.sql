-- Account lifecycle: one-time links and codes (password reset, e-mail
-- verification, invitations, second factors by e-mail and SMS), the
-- channels users enrol for codes, and the attributes their tokens carry.

-- A link token and/or a code issued to a user for one purpose. Only HMACs
-- are stored (under a key derived from the master key): link_hash of the
-- link token (NULL when there is none), code_hash of the code ('' when none).
-- failures counts code comparisons; the decision to compare and the
-- increment are one conditional UPDATE, and use is another (used_at IS
-- NULL), so parallel submissions cannot exceed either. target is what the
-- code went to, sealed (a phone number being enrolled), or ''.
CREATE TABLE account_tokens (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose         text NOT NULL,
    link_hash       text UNIQUE,
    code_hash       text NOT NULL DEFAULT '',
    channel         text NOT NULL DEFAULT '',
    target          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    link_expires_at timestamptz NOT NULL,
    code_expires_at timestamptz NOT NULL,
    failures        integer NOT NULL DEFAULT 0,
    used_at         timestamptz
);
CREATE INDEX account_tokens_user ON account_tokens (tenant_id, user_id, purpose, created_at);

-- Second-factor channels a user confirmed: 'email' (the account's address)
-- or 'sms' (target: the E.164 number, sealed).
CREATE TABLE mfa_channels (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    method       text NOT NULL,
    target       text NOT NULL DEFAULT '',
    confirmed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id, method)
);

-- email_verified_at: when the user proved the address (a verification link,
-- an accepted invitation, a reset by e-mail). attributes: the JSON of the
-- user's claims (feature flags, residency, password_change_required, ...).
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
ALTER TABLE users ADD COLUMN attributes text NOT NULL DEFAULT '{}';

ALTER TABLE account_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_tokens
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);

ALTER TABLE mfa_channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_channels FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mfa_channels
    USING (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('rampart.tenant_id', true), '')::uuid);
