-- docs/decisions/0028-payment-applies-psp-events.md
--
-- A chargeback opened at the PSP (PaymentDisputed) holds the booking's escrow back: a completion
-- does not release it to the merchant (RELEASE_BLOCKED, code ESCROW_DISPUTED) until a person
-- settles the dispute. When it was disputed (the PaymentDisputed's occurredAt); null when never.
ALTER TABLE escrows ADD COLUMN disputed_at timestamptz NULL;

-- A dispute the books cannot place (no escrow, or already released to the merchant) is a break.
ALTER TABLE breaks DROP CONSTRAINT breaks_kind_check;
ALTER TABLE breaks ADD CONSTRAINT breaks_kind_check
  CHECK (kind IN ('CAPTURE_UNPLACED', 'REFUND_UNPLACED', 'AUTHORIZATION_UNPLACED', 'VOID_UNPLACED', 'RELEASE_BLOCKED', 'FACT_UNREADABLE', 'DISPUTE_UNPLACED'));
