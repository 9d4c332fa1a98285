-- Each merchant's cancellation terms (docs/saga.md, "Refund policy"): how much of what the customer
-- paid goes back, by the notice given before the slot. A merchant without a row gets the platform's
-- default (100 % until 24 h before, 50 % until 2 h before, then nothing). Shape checked here as far
-- as SQL can; the service validates the tiers (ordered by notice, at most 10, 0..10000 bp) when it
-- reads a policy and refuses to guess with a malformed one.
CREATE TABLE refund_policies (
  tenant_id    text        PRIMARY KEY,
  -- [{"minNotice_ms": 86400000, "refund_bp": 10000}, ...], largest notice first.
  tiers        jsonb       NOT NULL CHECK (jsonb_typeof(tiers) = 'array' AND jsonb_array_length(tiers) <= 10),
  otherwise_bp integer     NOT NULL CHECK (otherwise_bp BETWEEN 0 AND 10000),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The terms the customer booked under: copied from refund_policies when the booking is made, so a
-- merchant changing its policy later does not change what an existing booking gets back. NULL:
-- the platform default applied (no policy, or a booking made before this migration).
ALTER TABLE bookings ADD COLUMN refund_policy jsonb NULL;
