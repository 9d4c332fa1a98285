-- docs/decisions/0022-payment-bounded-psp-work.md
--
-- When the authorization was first asked for: every create with the payment's key is sent within
-- 23 h of it (Stripe may forget a key after 24 h; a create with a forgotten key authorizes twice),
-- and the search for an intent whose id we never learned starts here. Null only for payments made
-- before this migration: they read their created_at instead, which is earlier than any attempt
-- (the call is made after the creating transaction commits), so their window is, if anything, shorter.
-- No backfill: adding a nullable column rewrites nothing.
ALTER TABLE payments
  ADD COLUMN authorization_requested_at timestamptz NULL,
  -- When the PSP authorized, by its own clock (the charge's created); PaymentAuthorized.authorizedAt.
  ADD COLUMN authorized_at timestamptz NULL,
  -- Claims of the outcome poller since the payment's last stored decision: a payment whose findings
  -- cannot be recorded is claimed again after each lease, and after a bounded number of claims it is
  -- left to a person (query_due_at cleared, needs_attention set) instead of being asked forever.
  ADD COLUMN outcome_query_claims integer NOT NULL DEFAULT 0 CHECK (outcome_query_claims >= 0);

-- Parked calls (a person's work): what the parked gauge counts and what keeps a payment flagged.
CREATE INDEX psp_calls_parked_idx ON psp_calls (payment_id) WHERE parked_at IS NOT NULL;
