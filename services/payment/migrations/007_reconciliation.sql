-- docs/decisions/0029-reconciliation-psp-and-payments.md
--
-- Reconciliation's findings are breaks like the ones PSP events raise.
ALTER TABLE psp_breaks DROP CONSTRAINT psp_breaks_kind_check;
ALTER TABLE psp_breaks ADD CONSTRAINT psp_breaks_kind_check CHECK (kind IN (
  'STATUS_MISMATCH', 'REFUND_EXCEEDS_CAPTURE', 'UNKNOWN_PSP_OBJECT', 'DISPUTE_OPENED',
  'MISSING_IN_PAYMENTS', 'MISSING_AT_PSP', 'AMOUNT_MISMATCH', 'CURRENCY_MISMATCH', 'DUPLICATE'));
-- Open breaks of one payment: what a run that finds the payment agreeing resolves.
CREATE INDEX psp_breaks_open_payment_idx ON psp_breaks (payment_id) WHERE resolved_at IS NULL AND payment_id IS NOT NULL;

-- Every run, failed ones too: a run proves what it saw before it calls anything clean.
CREATE TABLE recon_runs (
  run_id uuid PRIMARY KEY,
  trigger text NOT NULL CHECK (trigger IN ('SCHEDULE', 'COMMAND')),
  window_from timestamptz NOT NULL,
  window_to timestamptz NOT NULL CHECK (window_to > window_from),
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('CLEAN', 'BREAKS', 'FAILED')),
  -- What each side showed: the PSP's list followed to its end (pages), our payments of the window.
  psp_intents integer NULL CHECK (psp_intents >= 0),
  psp_pages integer NULL CHECK (psp_pages >= 0),
  payments integer NULL CHECK (payments >= 0),
  agreeing integer NULL CHECK (agreeing >= 0),
  in_flight integer NULL CHECK (in_flight >= 0),
  findings integer NULL CHECK (findings >= 0),
  syncs_requested integer NULL CHECK (syncs_requested >= 0),
  breaks_resolved integer NULL CHECK (breaks_resolved >= 0),
  -- When each side was read, and the drift between the two reads.
  psp_read_at timestamptz NULL,
  payments_read_at timestamptz NULL,
  error text NULL,
  CHECK ((outcome = 'FAILED') = (error IS NOT NULL))
);
CREATE INDEX recon_runs_finished_idx ON recon_runs (outcome, finished_at);

-- A run asked for by `./platform recon run`: the running service (any instance) claims it, runs
-- it with its own PSP client and settle path, and names the run it made.
CREATE TABLE recon_requests (
  request_id uuid PRIMARY KEY,
  window_from timestamptz NOT NULL,
  window_to timestamptz NOT NULL CHECK (window_to > window_from),
  requested_at timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz NULL,
  -- Bounded: a request whose runs keep dying is not claimed a fourth time (it stays unanswered, visible).
  claims integer NOT NULL DEFAULT 0 CHECK (claims >= 0),
  run_id uuid NULL REFERENCES recon_runs (run_id)
);
CREATE INDEX recon_requests_open_idx ON recon_requests (requested_at) WHERE run_id IS NULL;
