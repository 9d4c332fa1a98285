-- What the running ledger service (its runtime role, DATABASE_USER) may do in its database, and
-- nothing more. Not a migration: the migration step declares it anew after every run, as the whole
-- truth (a privilege not written here is revoked), as the schema's owner. A table or sequence that
-- no line here (or a code migration, for inbox and outbox) grants anything on stops the migration
-- step, naming it: a new table gets its line here, with the least it needs.
-- :runtime_role is replaced by the role's name; psql reads the file the same way:
--   psql -v runtime_role=svc_ledger -f services/ledger/migrations/grants.sql
-- Why roles are split at all: docs/decisions/0015-database-roles.md. Note that SELECT … FOR UPDATE
-- needs UPDATE on at least one column of the table it locks.

-- The journal is append-only: read and add, never change or remove (002's triggers refuse that to
-- the owner too; the running role may not even try, nor touch a trigger, nor TRUNCATE).
GRANT SELECT, INSERT ON journal_entries, journal_lines TO :runtime_role;

-- Accounts are created on first use (ON CONFLICT DO NOTHING) and never change.
GRANT SELECT, INSERT ON accounts TO :runtime_role;

-- The four counters move (locked FOR UPDATE first); an account's currency and limit never do.
GRANT SELECT, INSERT ON account_balances TO :runtime_role;
GRANT UPDATE (debits_posted_minor, credits_posted_minor, debits_pending_minor, credits_pending_minor, updated_at) ON account_balances TO :runtime_role;

-- A hold is placed, then posted or voided once: only its outcome changes (002 guards the rest).
GRANT SELECT, INSERT ON holds TO :runtime_role;
GRANT UPDATE (status, reason, posted_amount_minor, entry_id, closed_by_event_id, updated_at) ON holds TO :runtime_role;

-- The split fixed at capture never changes; refunds and the release do.
GRANT SELECT, INSERT ON escrows TO :runtime_role;
GRANT UPDATE (status, refunded_minor, refunded_platform_fee_minor, release_entry_id, disputed_at, version, updated_at) ON escrows TO :runtime_role;

-- A completion seen before its capture waits here; the capture locks it (FOR UPDATE) and removes it.
GRANT SELECT, INSERT, UPDATE, DELETE ON escrow_release_requests TO :runtime_role;

-- A fact the books cannot place raises a break (005): recorded once (ON CONFLICT DO NOTHING) and
-- read; 005's triggers keep its fact unchanged. A person's explanation (007) sets only its outcome.
GRANT SELECT, INSERT ON breaks TO :runtime_role;
GRANT UPDATE (status, explained_at, explanation, explained_by, explanation_entry_id) ON breaks TO :runtime_role;

-- A person's request to explain a break (007): written by the explain command (this role), answered once.
GRANT SELECT, INSERT ON suspense_explanation_requests TO :runtime_role;
GRANT UPDATE (attempts, answered_at, outcome, entry_id, detail) ON suspense_explanation_requests TO :runtime_role;
