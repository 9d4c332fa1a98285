-- This service's copies of customers' data keys (decision 0037), from customer.keys.v1: what it
-- opens a sealed email address with to send a customer's email. An erasure destroys the copy
-- (wrapped_key NULL); the row stays, so a key read again later is not brought back.
CREATE TABLE customer_data_keys (
  key_id         uuid        PRIMARY KEY,
  tenant_id      text        NOT NULL,
  customer_id    text        NOT NULL,
  master_key_id  text        NULL,
  wrapped_key    text        NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  erased_at      timestamptz NULL,
  CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);
CREATE INDEX customer_data_keys_by_customer ON customer_data_keys (tenant_id, customer_id);
