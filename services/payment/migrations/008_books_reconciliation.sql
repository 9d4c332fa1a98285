-- docs/decisions/0030-reconciliation-payments-ledger-and-saga.md
--
-- The payments ↔ ledger and saga legs of reconciliation read what the ledger's and the bookings'
-- events said (payment never reads another service's tables): these projections are written in
-- the inbox transaction of each event, so they are exactly what payment has consumed.

-- One row per journal entry (and currency) that names a payment: its PSP clearing and SUSPENSE
-- lines, summed by side. Insert-only, keyed by the entry: a redelivery changes nothing.
CREATE TABLE recon_ledger_entries (
  entry_id uuid NOT NULL,
  currency text NOT NULL,
  payment_id uuid NOT NULL,
  booking_id uuid NULL,
  tenant_id text NOT NULL,
  entry_type text NOT NULL,
  reverses_entry_id uuid NULL,
  clearing_debit_minor bigint NOT NULL CHECK (clearing_debit_minor >= 0),
  clearing_credit_minor bigint NOT NULL CHECK (clearing_credit_minor >= 0),
  suspense_debit_minor bigint NOT NULL CHECK (suspense_debit_minor >= 0),
  suspense_credit_minor bigint NOT NULL CHECK (suspense_credit_minor >= 0),
  occurred_at timestamptz NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entry_id, currency)
);
CREATE INDEX recon_ledger_entries_payment_idx ON recon_ledger_entries (payment_id);

-- The ledger's holds (HoldPlaced): whether the ledger knew of an authorization.
CREATE TABLE recon_ledger_holds (
  hold_id uuid PRIMARY KEY,
  payment_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX recon_ledger_holds_payment_idx ON recon_ledger_holds (payment_id);

-- The ledger's breaks (LedgerBreakRaised): what a finding about the books is explained by.
CREATE TABLE recon_ledger_breaks (
  break_id uuid PRIMARY KEY,
  payment_id uuid NULL,
  booking_id uuid NULL,
  tenant_id text NOT NULL,
  kind text NOT NULL,
  code text NOT NULL,
  fact_event_type text NOT NULL,
  reason text NOT NULL,
  suspense_entry_id uuid NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX recon_ledger_breaks_payment_idx ON recon_ledger_breaks (payment_id);
CREATE INDEX recon_ledger_breaks_booking_idx ON recon_ledger_breaks (booking_id);

-- Each booking's last status, by the aggregate version its events carry (never backwards).
CREATE TABLE recon_bookings (
  booking_id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  status text NOT NULL,
  version bigint NOT NULL,
  status_at timestamptz NOT NULL
);

-- When the projections started: payments created earlier are judged on the PSP leg only.
CREATE TABLE recon_views (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  started_at timestamptz NOT NULL
);
INSERT INTO recon_views (started_at) VALUES (now());

-- Breaks now come from three legs and carry the evidence of every side and, where the sides tell
-- it, why. Published as events (ReconciliationBreakRaised / ReconciliationBreakResolved).
ALTER TABLE psp_breaks DROP CONSTRAINT psp_breaks_kind_check;
ALTER TABLE psp_breaks ADD CONSTRAINT psp_breaks_kind_check CHECK (kind IN (
  'STATUS_MISMATCH', 'REFUND_EXCEEDS_CAPTURE', 'UNKNOWN_PSP_OBJECT', 'DISPUTE_OPENED',
  'MISSING_IN_PAYMENTS', 'MISSING_AT_PSP', 'AMOUNT_MISMATCH', 'CURRENCY_MISMATCH', 'DUPLICATE',
  'MISSING_IN_LEDGER', 'MISSING_IN_BOOKINGS', 'IN_SUSPENSE'));
ALTER TABLE psp_breaks
  ADD COLUMN leg text NOT NULL DEFAULT 'PSP_PAYMENTS' CHECK (leg IN ('PSP_PAYMENTS', 'PAYMENTS_LEDGER', 'SAGA')),
  ADD COLUMN explanation text NULL,
  ADD COLUMN evidence jsonb NULL;

-- What each run saw of the books: the ledger's and bookings' projections, read in the payments' snapshot.
ALTER TABLE recon_runs
  ADD COLUMN ledger_entries integer NULL CHECK (ledger_entries >= 0),
  ADD COLUMN bookings integer NULL CHECK (bookings >= 0),
  ADD COLUMN not_yet_judged integer NULL CHECK (not_yet_judged >= 0),
  -- The newest ledger event the projection holds: the ledger side's cut-off.
  ADD COLUMN ledger_cutoff_at timestamptz NULL;
