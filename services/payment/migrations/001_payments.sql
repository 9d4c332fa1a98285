-- The payment aggregate (libs/payment-domain) as rows. Scalar facts are columns (what queries,
-- alerts and people read); the aggregate's bookkeeping of calls under way is JSON, written and
-- read only through persistence/payments.ts.
CREATE TABLE payments (
  -- Derived from the booking id (UUID v5): a redelivered BookingHeld finds the same payment.
  payment_id               uuid        PRIMARY KEY,
  booking_id               uuid        NOT NULL UNIQUE,
  tenant_id                text        NOT NULL,
  customer_id              text        NOT NULL,
  -- The PSP payment method the authorization uses; fixed at creation so a re-issued call is identical.
  payment_method           text        NOT NULL,
  amount_minor             bigint      NOT NULL CHECK (amount_minor > 0),
  currency                 text        NOT NULL,
  status                   text        NOT NULL CHECK (status IN ('PENDING', 'REQUIRES_ACTION', 'AUTHORIZED', 'FAILED', 'OUTCOME_UNKNOWN', 'CAPTURED',
                                                                  'CAPTURE_FAILED', 'VOIDED', 'PARTIALLY_REFUNDED', 'REFUNDED')),
  version                  bigint      NOT NULL CHECK (version >= 0),
  psp_payment_intent_id    text        NULL,
  authorized_minor         bigint      NULL,
  authorization_expires_at timestamptz NULL,
  captured_minor           bigint      NULL CHECK (captured_minor IS NULL OR captured_minor <= amount_minor),
  psp_charge_id            text        NULL,
  in_flight                jsonb       NULL,
  unknown_outcome          jsonb       NULL,
  booking_release          jsonb       NULL,
  void_reason              text        NULL,
  -- When the outcome poller next asks the PSP about this payment (lifecycle call or a refund); null = nothing to ask.
  query_due_at             timestamptz NULL,
  -- The schedule ran out with the outcome still unknown: a person must look (alert query and metric).
  needs_attention          boolean     NOT NULL DEFAULT false,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_query_due_idx ON payments (query_due_at) WHERE query_due_at IS NOT NULL;
CREATE INDEX payments_needs_attention_idx ON payments (payment_id) WHERE needs_attention;

CREATE TABLE refunds (
  payment_id     uuid        NOT NULL REFERENCES payments (payment_id),
  refund_id      uuid        NOT NULL,
  -- The n of the idempotency key pay_<payment>_refund_<n>.
  sequence       integer     NOT NULL CHECK (sequence BETWEEN 1 AND 20),
  amount_minor   bigint      NOT NULL CHECK (amount_minor > 0),
  currency       text        NOT NULL,
  reason         text        NOT NULL,
  idempotency_key text       NOT NULL UNIQUE,
  status         text        NOT NULL CHECK (status IN ('IN_FLIGHT', 'SUCCEEDED', 'FAILED', 'OUTCOME_UNKNOWN')),
  psp_refund_id  text        NULL,
  requested_at   timestamptz NOT NULL,
  query          jsonb       NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (payment_id, refund_id),
  UNIQUE (payment_id, sequence)
);

-- The after-commit work list: a decision that asks for PSP calls inserts them here in its own
-- transaction; the call dispatcher makes each call after that commit (claiming it with a lease, so
-- no transaction stays open across the network), records the answer in a second transaction and
-- deletes the row. A crash between the two leaves the row: it is made again with the same key.
CREATE TABLE psp_calls (
  idempotency_key       text        PRIMARY KEY,
  payment_id            uuid        NOT NULL REFERENCES payments (payment_id),
  operation             text        NOT NULL CHECK (operation IN ('AUTHORIZE', 'CAPTURE', 'VOID', 'REFUND')),
  refund_id             uuid        NULL,
  amount_minor          bigint      NOT NULL CHECK (amount_minor > 0),
  currency              text        NOT NULL,
  psp_payment_intent_id text        NULL,
  available_at          timestamptz NOT NULL DEFAULT now(),
  attempts              integer     NOT NULL DEFAULT 0,
  last_error            text        NULL,
  -- Set when the PSP refused our request as malformed too often: a bug, left for a person.
  parked_at             timestamptz NULL,
  created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX psp_calls_available_idx ON psp_calls (available_at) WHERE parked_at IS NULL;

-- Messages the aggregate found stale or refused: the inbox row says so, this row says why.
CREATE TABLE unapplied_messages (
  event_id    uuid        PRIMARY KEY,
  event_type  text        NOT NULL,
  payment_id  text        NOT NULL,
  outcome     text        NOT NULL CHECK (outcome IN ('stale', 'rejected')),
  reason      text        NOT NULL,
  status      text        NULL,
  actor_type  text        NOT NULL,
  actor_id    text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unapplied_messages_payment_idx ON unapplied_messages (payment_id);
