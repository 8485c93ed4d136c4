-- Token claims: see the PostgreSQL migration.
ALTER TABLE sessions ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
ALTER TABLE mfa_challenges ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
