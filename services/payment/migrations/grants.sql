-- What the running payment service (its runtime role, DATABASE_USER) may do in its database, and
-- nothing more. Not a migration: the migration step declares it anew after every run, as the whole
-- truth (a privilege not written here is revoked), as the schema's owner. A table or sequence that
-- no line here (or a code migration, for inbox and outbox) grants anything on stops the migration
-- step, naming it: a new table gets its line here, with the least it needs.
-- :runtime_role is replaced by the role's name; psql reads the file the same way:
--   psql -v runtime_role=svc_payment -f services/payment/migrations/grants.sql
-- Why roles are split at all: docs/decisions/0015-database-roles.md.

-- A payment ends in a status, it is never removed: no DELETE.
GRANT SELECT, INSERT, UPDATE ON payments TO :runtime_role;

-- Refunds are recorded per request and updated with the PSP's answer (ON CONFLICT DO UPDATE).
GRANT SELECT, INSERT, UPDATE ON refunds TO :runtime_role;

-- The PSP work list: claimed, leased, retried, parked, and removed once the call's answer is recorded.
GRANT SELECT, INSERT, UPDATE, DELETE ON psp_calls TO :runtime_role;

-- Refused and stale messages, recorded once for a person (ON CONFLICT DO NOTHING).
GRANT SELECT, INSERT ON unapplied_messages TO :runtime_role;

-- Breaks are raised (ON CONFLICT DO NOTHING) and resolved by a person or reconciliation, never removed.
GRANT SELECT, INSERT, UPDATE ON psp_breaks TO :runtime_role;

-- Unmatched PSP events are checked on a schedule and closed with their outcome, never removed.
GRANT SELECT, INSERT, UPDATE ON psp_unmatched_events TO :runtime_role;

-- Reconciliation runs are recorded once each, never changed.
GRANT SELECT, INSERT ON recon_runs TO :runtime_role;

-- Asked for by the recon command (INSERT), claimed and answered by the service (UPDATE).
GRANT SELECT, INSERT, UPDATE ON recon_requests TO :runtime_role;

-- Projections of the ledger's and bookings' events for reconciliation: entries, holds and breaks
-- are inserted once each (ON CONFLICT DO NOTHING); a booking's status moves forward (UPDATE).
GRANT SELECT, INSERT ON recon_ledger_entries TO :runtime_role;
GRANT SELECT, INSERT ON recon_ledger_holds TO :runtime_role;
GRANT SELECT, INSERT ON recon_ledger_breaks TO :runtime_role;
GRANT SELECT, INSERT, UPDATE ON recon_bookings TO :runtime_role;
GRANT SELECT ON recon_views TO :runtime_role;
