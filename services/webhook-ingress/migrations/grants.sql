-- What the running webhook-ingress (its runtime role, DATABASE_USER) may do in its database, and
-- nothing more; declared anew by the migration step after every run (decision 0015).
--   psql -v runtime_role=svc_webhook_ingress -f services/webhook-ingress/migrations/grants.sql

-- Deliveries are evidence: written once, never changed or removed by the service.
GRANT SELECT, INSERT ON webhook_deliveries TO :runtime_role;
GRANT USAGE ON SEQUENCE webhook_deliveries_delivery_id_seq TO :runtime_role;
-- The dedup row is written once per event.
GRANT SELECT, INSERT ON psp_events TO :runtime_role;

-- Asked for by the catch-up command (INSERT), claimed and answered by the running ingress (UPDATE).
GRANT SELECT, INSERT, UPDATE ON catch_up_requests TO :runtime_role;

-- The one-statement store of a delivery (migration 004): runs as the caller, so the table grants
-- above are what it may do.
GRANT EXECUTE ON FUNCTION store_webhook_delivery(timestamptz, text, text, text, text, text, text, text, jsonb, bytea, text, text, timestamptz, boolean, uuid, text, text, text, bytea, jsonb, text, text) TO :runtime_role;
