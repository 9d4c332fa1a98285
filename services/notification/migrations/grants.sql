-- What the running notification service (its runtime role, DATABASE_USER) may do in its database;
-- declared anew by the migration step after every run (decision 0015).
--   psql -v runtime_role=svc_notification -f services/notification/migrations/grants.sql

-- Endpoints: inserted from the gateway's changes, updated by them and by delivery (health, lease); never deleted.
GRANT SELECT, INSERT, UPDATE ON webhook_endpoints TO :runtime_role;
-- Deliveries: inserted once per (endpoint, event), updated as they are attempted; never deleted.
GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO :runtime_role;
GRANT USAGE ON SEQUENCE webhook_deliveries_delivery_seq_seq TO :runtime_role;
-- The attempt log is evidence: written once, read.
GRANT SELECT, INSERT ON webhook_delivery_attempts TO :runtime_role;

-- Customers' bookings as emails need them (personal data: the address), written once per booking.
GRANT SELECT, INSERT ON customer_bookings TO :runtime_role;
-- Email messages: inserted once per (event, template), updated as they are sent; never deleted.
GRANT SELECT, INSERT, UPDATE ON email_messages TO :runtime_role;

-- Copies of customers' data keys: inserted when issued, destroyed by an erasure (UPDATE); never deleted.
GRANT SELECT, INSERT ON customer_data_keys TO :runtime_role;
GRANT UPDATE (wrapped_key, master_key_id, erased_at) ON customer_data_keys TO :runtime_role;
