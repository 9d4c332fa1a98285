-- Every delivery the ingress accepted (signature verified, or fetched from the PSP's event list by
-- the catch-up), as received: the evidence reconciliation and audit go back to.
CREATE TABLE webhook_deliveries (
  delivery_id         bigserial   PRIMARY KEY,
  received_at         timestamptz NOT NULL DEFAULT now(),
  provider            text        NOT NULL,
  -- The PSP account path the delivery came in on (one webhook endpoint per account).
  account             text        NOT NULL,
  -- VERIFIED: Stripe-Signature checked with one of our secrets; FETCHED: read from the PSP's API with our key.
  source_kind         text        NOT NULL CHECK (source_kind IN ('VERIFIED', 'FETCHED')),
  verified_secret_id  text        NULL,
  source_address      text        NULL,
  psp_event_id        text        NOT NULL,
  psp_event_type      text        NOT NULL,
  -- Whether this delivery was the first of its event (false: a redelivery, stored, not published again).
  first_delivery      boolean     NOT NULL,
  headers             jsonb       NOT NULL,
  body                bytea       NOT NULL,
  CHECK ((source_kind = 'VERIFIED') = (verified_secret_id IS NOT NULL))
);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (psp_event_id);

-- One row per PSP event: the dedup key. The first delivery's insert publishes; later ones find it.
CREATE TABLE psp_events (
  provider         text        NOT NULL,
  psp_event_id     text        NOT NULL,
  psp_event_type   text        NOT NULL,
  psp_object_type  text        NOT NULL,
  psp_object_id    text        NOT NULL,
  psp_created_at   timestamptz NOT NULL,
  livemode         boolean     NOT NULL,
  -- False for a type payment does not understand: stored and counted, not published.
  published        boolean     NOT NULL,
  first_delivery   bigint      NOT NULL REFERENCES webhook_deliveries (delivery_id),
  first_seen_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, psp_event_id)
);
-- The catch-up asks the PSP for events since the newest one we hold.
CREATE INDEX psp_events_by_created ON psp_events (provider, psp_created_at DESC);
