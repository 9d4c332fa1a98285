-- What the running api-gateway (its runtime role, DATABASE_USER) may do in its database, and
-- nothing more; declared anew by the migration step after every run, as the whole truth
-- (decision 0015). Every table is also bound by row-level security (migration 2): the role sees
-- and writes only the rows of the tenant its transaction is scoped to.
--   psql -v runtime_role=svc_api_gateway -f services/api-gateway/migrations/grants.sql

-- A merchant is created and renamed, never removed (its bookings and money outlive it).
GRANT SELECT, INSERT, UPDATE (name, default_currency, refund_approval_threshold_minor) ON merchants TO :runtime_role;
GRANT EXECUTE ON FUNCTION gateway_row_visible(text) TO :runtime_role;

-- API keys: created, revoked, touched (last use); never deleted (who held a key is history). The
-- secret's hash is written once.
GRANT SELECT, INSERT (id, merchant_id, prefix, secret_hash, name, role, scopes, created_by, created_at, expires_at) ON api_keys TO :runtime_role;
GRANT UPDATE (revoked_at, revoked_by, last_used_at) ON api_keys TO :runtime_role;

-- Read models of bookings and payments (migration 4, decision 0025): written by the event
-- consumers (upserts in the inbox's transaction) and by POST /v1/bookings (the REQUESTED row);
-- never deleted (a booking the API answered for stays answerable).
GRANT SELECT, INSERT, UPDATE ON booking_views, payment_views TO :runtime_role;

-- Refunds (migration 12): the PENDING row of POST /v1/payments/{id}/refunds, settled by payment's
-- events; never deleted (a refund asked for stays answerable).
GRANT SELECT, INSERT, UPDATE ON refund_views TO :runtime_role;

-- Idempotency records (decision 0026): claimed (insert), marked executed and completed (update),
-- released when nothing began, and pruned after their retention (delete).
GRANT SELECT, INSERT, DELETE ON idempotency_records TO :runtime_role;
GRANT UPDATE (state, claim_token, lease_until, response_status, response_headers, response_body, completed_at, expires_at) ON idempotency_records TO :runtime_role;

-- Per-key rate windows (migration 6): counted by upsert, a key's past windows deleted when its next opens.
GRANT SELECT, INSERT, DELETE ON api_key_rate_windows TO :runtime_role;
GRANT UPDATE (requests) ON api_key_rate_windows TO :runtime_role;

-- The ledger's journal as read from ledger.events.v1 (migration 7): entries are immutable, so
-- the consumer only inserts; nothing updates or deletes them.
GRANT SELECT, INSERT ON ledger_entry_views, ledger_posting_views TO :runtime_role;

-- Refund policies as the API knows them (migration 15): the change asked for (PUT) and the terms
-- booking applied (RefundPolicySet, by the consumer); one row per merchant, never deleted.
GRANT SELECT, INSERT, UPDATE ON refund_policy_views TO :runtime_role;

-- Merchants' webhook endpoints (migration 14, decision 0033): created, then disabled, enabled or
-- rotated; never deleted. No secret column exists to grant.
GRANT SELECT, INSERT ON webhook_endpoints TO :runtime_role;
GRANT UPDATE (status, secret_version, previous_secret_valid_until, updated_by, updated_at) ON webhook_endpoints TO :runtime_role;

-- Four-eyes approvals (migration 8): requested, then decided once; never deleted (the record).
GRANT SELECT, INSERT (id, merchant_id, operation, details, status, requested_by, requested_at, expires_at) ON approvals TO :runtime_role;
GRANT UPDATE (status, decided_by, decided_at, decision_reason, result_id) ON approvals TO :runtime_role;

-- Resources as the API shows them: written by POST /v1/resources (REQUESTED, a rename asked for)
-- and by ResourceRegistered; never deleted.
GRANT SELECT, INSERT ON resource_views TO :runtime_role;
GRANT UPDATE (name, status, requested_name, last_event_id, last_event_at, updated_at) ON resource_views TO :runtime_role;

-- Reconciliation's breaks as finance reads them (migration 11): raised once (INSERT), resolved
-- once (UPDATE of the resolution); never deleted.
GRANT SELECT, INSERT ON recon_break_views TO :runtime_role;
GRANT UPDATE (status, resolved_at, resolution, topic, "partition", "offset", applied_at) ON recon_break_views TO :runtime_role;

-- The audit trail as auditors read it (migration 17): one row per record of a tenant's chain,
-- inserted once from audit.records.v1; never changed, never deleted.
GRANT SELECT, INSERT ON audit_record_views TO :runtime_role;

-- Customers' data keys (migration 18): issued once per customer (INSERT), re-issued after an
-- erasure or rewrapped on a master key rotation, destroyed by an erasure (UPDATE); never deleted.
GRANT SELECT, INSERT ON customer_data_keys TO :runtime_role;
GRANT UPDATE (key_id, master_key_id, wrapped_key, created_at, erased_at, erased_by, erasure_reason) ON customer_data_keys TO :runtime_role;
