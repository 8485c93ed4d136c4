-- Token claims: the device a session was opened from, as the client named
-- it at login (the chatbot design's device_id claim), kept on the session
-- so that refreshed tokens carry it too, and on the MFA challenge between
-- the password and the second factor.
ALTER TABLE sessions ADD COLUMN device_id text NOT NULL DEFAULT '';
ALTER TABLE mfa_challenges ADD COLUMN device_id text NOT NULL DEFAULT '';
