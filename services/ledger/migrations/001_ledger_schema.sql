-- The ledger's tables. Amounts are integer minor units (bigint) of one ISO 4217 currency; the
-- rules that produce the rows live in @txn/ledger-domain. docs/ledger.md explains the accounts.

-- One account per (tenant, code, currency); id = 'CODE:tenant:CURRENCY'. Created on first use.
CREATE TABLE accounts (
  account_id    text        PRIMARY KEY,
  tenant_id     text        NOT NULL,
  code          text        NOT NULL,
  currency      text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  account_type  text        NOT NULL CHECK (account_type IN ('ASSET', 'LIABILITY', 'EQUITY', 'REVENUE', 'EXPENSE')),
  normal_side   text        NOT NULL CHECK (normal_side IN ('DEBIT', 'CREDIT')),
  account_limit text        NOT NULL CHECK (account_limit IN ('NONE', 'DEBITS_MUST_NOT_EXCEED_CREDITS', 'CREDITS_MUST_NOT_EXCEED_DEBITS')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_id_matches CHECK (account_id = code || ':' || tenant_id || ':' || currency),
  -- Target of the (account, currency) foreign keys: a line in another currency than its account's cannot exist.
  CONSTRAINT accounts_id_currency_key UNIQUE (account_id, currency)
);

-- TigerBeetle's four counters per account, updated in the transaction that writes the lines or
-- changes the holds behind them. The limit is repeated here so that the database itself refuses
-- an overdrawn escrow, whatever the code did (numeric: the sums must not overflow bigint).
CREATE TABLE account_balances (
  account_id            text        PRIMARY KEY,
  currency              text        NOT NULL,
  account_limit         text        NOT NULL,
  debits_posted_minor   bigint      NOT NULL DEFAULT 0 CHECK (debits_posted_minor >= 0),
  credits_posted_minor  bigint      NOT NULL DEFAULT 0 CHECK (credits_posted_minor >= 0),
  debits_pending_minor  bigint      NOT NULL DEFAULT 0 CHECK (debits_pending_minor >= 0),
  credits_pending_minor bigint      NOT NULL DEFAULT 0 CHECK (credits_pending_minor >= 0),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (account_id, currency) REFERENCES accounts (account_id, currency),
  CONSTRAINT account_balances_debit_limit CHECK (
    account_limit <> 'DEBITS_MUST_NOT_EXCEED_CREDITS'
    OR debits_posted_minor::numeric + debits_pending_minor <= credits_posted_minor),
  CONSTRAINT account_balances_credit_limit CHECK (
    account_limit <> 'CREDITS_MUST_NOT_EXCEED_DEBITS'
    OR credits_posted_minor::numeric + credits_pending_minor <= debits_posted_minor)
);

-- Immutable once written (002 enforces it). entry_id is the id of the event that caused the entry,
-- so a redelivered event finds its entry. line_count lets the commit-time check see a missing line.
CREATE TABLE journal_entries (
  entry_id          uuid        PRIMARY KEY,
  entry_type        text        NOT NULL CHECK (entry_type IN ('CAPTURE_TO_ESCROW', 'ESCROW_RELEASE', 'REFUND', 'REVERSAL', 'ADJUSTMENT')),
  reason            text        NOT NULL,
  reverses_entry_id uuid        NULL REFERENCES journal_entries (entry_id),
  payment_id        uuid        NULL,
  booking_id        uuid        NULL,
  line_count        smallint    NOT NULL CHECK (line_count BETWEEN 2 AND 64),
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_entries_payment_idx ON journal_entries (payment_id) WHERE payment_id IS NOT NULL;

CREATE TABLE journal_lines (
  entry_id     uuid     NOT NULL REFERENCES journal_entries (entry_id),
  line_no      smallint NOT NULL CHECK (line_no >= 0),
  account_id   text     NOT NULL,
  side         text     NOT NULL CHECK (side IN ('DEBIT', 'CREDIT')),
  amount_minor bigint   NOT NULL CHECK (amount_minor > 0),
  currency     text     NOT NULL,
  PRIMARY KEY (entry_id, line_no),
  FOREIGN KEY (account_id, currency) REFERENCES accounts (account_id, currency)
);
-- verify sums lines per account: an index-only scan instead of reading the table.
CREATE INDEX journal_lines_account_idx ON journal_lines (account_id) INCLUDE (side, amount_minor);

-- Two-phase holds: PENDING, then POSTED or VOIDED once (002 refuses any other change).
-- closed_by_event_id: the event that posted or voided it, so a redelivery is recognised.
CREATE TABLE holds (
  hold_id             uuid        PRIMARY KEY,
  debit_account_id    text        NOT NULL,
  credit_account_id   text        NOT NULL,
  currency            text        NOT NULL,
  amount_minor        bigint      NOT NULL CHECK (amount_minor > 0),
  expires_at          timestamptz NULL,
  status              text        NOT NULL CHECK (status IN ('PENDING', 'POSTED', 'VOIDED')),
  reason              text        NOT NULL,
  payment_id          uuid        NULL,
  booking_id          uuid        NULL,
  posted_amount_minor bigint      NULL,
  entry_id            uuid        NULL REFERENCES journal_entries (entry_id),
  closed_by_event_id  uuid        NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (debit_account_id, currency) REFERENCES accounts (account_id, currency),
  FOREIGN KEY (credit_account_id, currency) REFERENCES accounts (account_id, currency),
  CHECK (debit_account_id <> credit_account_id),
  CHECK ((status = 'POSTED') = (entry_id IS NOT NULL AND posted_amount_minor IS NOT NULL)),
  CHECK (posted_amount_minor IS NULL OR posted_amount_minor BETWEEN 1 AND amount_minor),
  CHECK ((status = 'PENDING') = (closed_by_event_id IS NULL))
);
-- Pending amounts per account (verify, and nothing else scans holds by account).
CREATE INDEX holds_pending_debit_idx ON holds (debit_account_id) INCLUDE (amount_minor) WHERE status = 'PENDING';
CREATE INDEX holds_pending_credit_idx ON holds (credit_account_id) INCLUDE (amount_minor) WHERE status = 'PENDING';

-- The escrow of one booking's payment (escrow_id = payment id): the split fixed at capture and
-- what refunds took back. Locked FOR UPDATE by every refund, so concurrent refunds see each other.
CREATE TABLE escrows (
  escrow_id                   uuid        PRIMARY KEY,
  tenant_id                   text        NOT NULL,
  payment_id                  uuid        NULL UNIQUE,
  booking_id                  uuid        NULL,
  status                      text        NOT NULL CHECK (status IN ('FUNDED', 'RELEASED', 'REFUNDED')),
  currency                    text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  captured_minor              bigint      NOT NULL CHECK (captured_minor > 0),
  platform_fee_minor          bigint      NOT NULL CHECK (platform_fee_minor >= 0),
  merchant_share_minor        bigint      NOT NULL CHECK (merchant_share_minor >= 0),
  fee_bps                     integer     NOT NULL CHECK (fee_bps BETWEEN 0 AND 10000),
  capture_entry_id            uuid        NOT NULL REFERENCES journal_entries (entry_id),
  refunded_minor              bigint      NOT NULL DEFAULT 0,
  refunded_platform_fee_minor bigint      NOT NULL DEFAULT 0,
  release_entry_id            uuid        NULL REFERENCES journal_entries (entry_id),
  version                     bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now(),
  CHECK (platform_fee_minor::numeric + merchant_share_minor = captured_minor),
  -- The last line of defence for "refunds never exceed the capture".
  CHECK (refunded_minor BETWEEN 0 AND captured_minor),
  CHECK (refunded_platform_fee_minor BETWEEN 0 AND platform_fee_minor),
  CHECK ((status = 'RELEASED') = (release_entry_id IS NOT NULL) OR status = 'REFUNDED')
);
CREATE INDEX escrows_booking_idx ON escrows (booking_id) WHERE booking_id IS NOT NULL;

-- BookingCompleted and PaymentCaptured come from different topics, so the ledger may see the
-- completion first. It is kept here and applied when the capture arrives (state, not arrival order).
CREATE TABLE escrow_release_requests (
  payment_id   uuid        PRIMARY KEY,
  entry_id     uuid        NOT NULL UNIQUE,
  booking_id   uuid        NOT NULL,
  reason       text        NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now()
);
