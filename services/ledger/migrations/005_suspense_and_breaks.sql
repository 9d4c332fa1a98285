-- A fact is never refused (docs/decisions/0021-a-fact-is-never-refused.md). Money the PSP moved
-- that the books cannot place is journaled to SUSPENSE (entry type SUSPENSE), and every such fact
-- raises a break: kept here, counted in ledger_breaks_open{kind}, announced as LedgerBreakRaised.
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_entry_type_check;
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_entry_type_check
  CHECK (entry_type IN ('CAPTURE_TO_ESCROW', 'ESCROW_RELEASE', 'REFUND', 'REVERSAL', 'ADJUSTMENT', 'SUSPENSE'));

-- The fee travels in PaymentCaptured, decided once by the payment service: the ledger records the
-- rate, the rule and the schedule version it was given (null for captures from before).
ALTER TABLE escrows ALTER COLUMN fee_bps DROP NOT NULL;
ALTER TABLE escrows
  ADD COLUMN fee_rule             text NULL CHECK (length(fee_rule) BETWEEN 1 AND 64),
  ADD COLUMN fee_schedule_version text NULL CHECK (length(fee_schedule_version) BETWEEN 1 AND 64);

-- One break per fact: its id is the fact's event id. Ids and the currency are kept as the fact
-- stated them (text), since what cannot be read is itself a reason for a break. The fact's own
-- columns never change; only a resolution (reconciliation, a person) closes it.
CREATE TABLE breaks (
  break_id          text        PRIMARY KEY CHECK (length(break_id) BETWEEN 1 AND 100),
  tenant_id         text        NOT NULL,
  kind              text        NOT NULL CHECK (kind IN ('CAPTURE_UNPLACED', 'REFUND_UNPLACED', 'AUTHORIZATION_UNPLACED', 'VOID_UNPLACED', 'RELEASE_BLOCKED', 'FACT_UNREADABLE')),
  code              text        NOT NULL,
  reason            text        NOT NULL,
  fact_event_type   text        NOT NULL,
  payment_id        text        NULL,
  booking_id        text        NULL,
  amount_minor      bigint      NULL,
  currency          text        NULL,
  suspense_entry_id uuid        NULL REFERENCES journal_entries (entry_id),
  status            text        NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'EXPLAINED')),
  raised_at         timestamptz NOT NULL DEFAULT now(),
  explained_at      timestamptz NULL,
  explanation       text        NULL,
  CHECK ((amount_minor IS NULL) = (currency IS NULL)),
  CHECK ((status = 'EXPLAINED') = (explained_at IS NOT NULL AND explanation IS NOT NULL))
);
CREATE INDEX breaks_open_idx ON breaks (raised_at) INCLUDE (kind) WHERE status = 'OPEN';
CREATE INDEX breaks_payment_idx ON breaks (payment_id) WHERE payment_id IS NOT NULL;

-- What a break states about its fact is as append-only as the journal it explains.
CREATE FUNCTION ledger_break_fact_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.break_id, NEW.tenant_id, NEW.kind, NEW.code, NEW.reason, NEW.fact_event_type, NEW.payment_id, NEW.booking_id, NEW.amount_minor, NEW.currency, NEW.suspense_entry_id, NEW.raised_at)
     IS DISTINCT FROM
     (OLD.break_id, OLD.tenant_id, OLD.kind, OLD.code, OLD.reason, OLD.fact_event_type, OLD.payment_id, OLD.booking_id, OLD.amount_minor, OLD.currency, OLD.suspense_entry_id, OLD.raised_at) THEN
    RAISE EXCEPTION 'a break''s fact never changes (break %): explain it instead', OLD.break_id USING ERRCODE = 'TXL01';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER breaks_fact_unchanged BEFORE UPDATE ON breaks FOR EACH ROW EXECUTE FUNCTION ledger_break_fact_unchanged();
CREATE TRIGGER breaks_never_removed BEFORE DELETE OR TRUNCATE ON breaks FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
