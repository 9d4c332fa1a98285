-- docs/decisions/0028-payment-applies-psp-events.md
--
-- A PSP event our state does not reflect asks for a sync: the PSP's objects are fetched and
-- applied on the outcome queries' schedule (query_due_at covers it). Null when none is waiting.
ALTER TABLE payments ADD COLUMN psp_sync jsonb NULL,
  -- A chargeback opened at the PSP (PaymentDisputed): the payment needs a person until it is answered.
  ADD COLUMN dispute jsonb NULL;

-- Intent and charge ids are how a PSP event without our metadata (a charge.*, a refund.*) finds its payment.
CREATE INDEX payments_psp_intent_idx ON payments (psp_payment_intent_id) WHERE psp_payment_intent_id IS NOT NULL;
CREATE INDEX payments_psp_charge_idx ON payments (psp_charge_id) WHERE psp_charge_id IS NOT NULL;

-- Differences between the PSP and us that no transition explains: a person's work, until resolved.
-- One row per (payment or PSP object, kind, detail): the same finding again is the same break.
CREATE TABLE psp_breaks (
  break_id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('STATUS_MISMATCH', 'REFUND_EXCEEDS_CAPTURE', 'UNKNOWN_PSP_OBJECT', 'DISPUTE_OPENED')),
  payment_id uuid NULL,
  tenant_id text NULL,
  psp_object_id text NOT NULL,
  psp_event_id text NULL,
  detail text NOT NULL,
  raised_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz NULL,
  resolution text NULL,
  CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE INDEX psp_breaks_open_idx ON psp_breaks (kind, raised_at) WHERE resolved_at IS NULL;

-- PSP events about objects no payment of ours names yet (a charge event can overtake the answer
-- that tells us the intent's id): matched later by asking the PSP for the intent and its
-- metadata, or raised as UNKNOWN_PSP_OBJECT. Bounded: each is checked a limited number of times.
CREATE TABLE psp_unmatched_events (
  psp_event_id text PRIMARY KEY,
  psp_event_type text NOT NULL,
  psp_object_type text NOT NULL,
  psp_object_id text NOT NULL,
  psp_payment_intent_id text NULL,
  psp_charge_id text NULL,
  tenant_id text NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  checks integer NOT NULL DEFAULT 0 CHECK (checks >= 0),
  next_check_at timestamptz NULL,
  outcome text NULL CHECK (outcome IN ('MATCHED', 'BREAK')),
  payment_id uuid NULL,
  CHECK ((next_check_at IS NULL) = (outcome IS NOT NULL))
);
CREATE INDEX psp_unmatched_due_idx ON psp_unmatched_events (next_check_at) WHERE next_check_at IS NOT NULL;
