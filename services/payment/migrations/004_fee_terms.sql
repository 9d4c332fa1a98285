-- The fee is decided once, by the payment service, from the terms fixed when the payment is
-- created: the rate, the rule that chose it and the schedule's version travel in PaymentCaptured
-- and the ledger books them as said (docs/decisions/0020-the-fee-travels-with-the-capture.md).
-- Null only for payments created before this migration: their terms are the schedule in force at
-- their next change, recorded then (persistence/payment-store.ts).
ALTER TABLE payments
  ADD COLUMN fee_bps              integer NULL CHECK (fee_bps BETWEEN 0 AND 10000),
  ADD COLUMN fee_rule             text    NULL CHECK (fee_rule IN ('MERCHANT_RATE/HALF_UP', 'DEFAULT_RATE/HALF_UP')),
  ADD COLUMN fee_schedule_version text    NULL CHECK (length(fee_schedule_version) BETWEEN 1 AND 64),
  ADD CONSTRAINT payments_fee_terms_whole CHECK ((fee_bps IS NULL) = (fee_rule IS NULL) AND (fee_rule IS NULL) = (fee_schedule_version IS NULL));
