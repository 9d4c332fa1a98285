-- What the running booking service (its runtime role, DATABASE_USER) may do in its database, and
-- nothing more. Not a migration: the migration step declares it anew after every run, as the whole
-- truth (a privilege not written here is revoked), as the schema's owner. A table, view or sequence
-- that no line here (or a code migration, for inbox and outbox) grants anything on stops the
-- migration step, naming it: a new table gets its line here, with the least it needs.
-- :runtime_role is replaced by the role's name; psql reads the file the same way:
--   psql -v runtime_role=svc_booking -f services/booking/migrations/grants.sql
-- Why roles are split at all: docs/decisions/0015-database-roles.md. Note that SELECT … FOR UPDATE
-- (and FOR KEY SHARE) needs UPDATE on at least one column of the table it locks.

-- A booking ends in a status, it is never removed: no DELETE.
GRANT SELECT, INSERT, UPDATE ON bookings TO :runtime_role;

-- Resources: read, and locked FOR KEY SHARE while a booking is made, which needs UPDATE on one
-- column; `name` is also what RegisterResource renames. Never deleted: bookings name them.
GRANT SELECT ON resources TO :runtime_role;
GRANT UPDATE (name) ON resources TO :runtime_role;

-- A merchant's refund terms are copied onto each booking when it is made, and set by
-- SetRefundPolicy (migration 006): inserted or replaced, never deleted.
GRANT SELECT ON refund_policies TO :runtime_role;
GRANT INSERT (tenant_id, tiers, otherwise_bp, version, updated_by, reason, updated_at) ON refund_policies TO :runtime_role;
GRANT UPDATE (tiers, otherwise_bp, version, updated_by, reason, updated_at) ON refund_policies TO :runtime_role;

-- Refused and stale messages, recorded once for a person (ON CONFLICT DO NOTHING).
GRANT SELECT, INSERT ON unapplied_messages TO :runtime_role;

-- Read by ./platform sagas overdue (as this role).
GRANT SELECT ON overdue_sagas TO :runtime_role;

-- RegisterResource creates resources (the row's columns only; created_at is the database's).
GRANT INSERT (tenant_id, resource_id, name) ON resources TO :runtime_role;
