-- The admin console's user filters: a role or a status in the users' stable
-- order (email_key), so that a page of a rare role or status is an index
-- range, not a scan of the tenant.
CREATE INDEX users_by_role ON users (tenant_id, role, email_key);
CREATE INDEX users_by_status ON users (tenant_id, status, email_key);
