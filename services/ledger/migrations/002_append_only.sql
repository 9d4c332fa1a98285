-- The journal is append-only in the database itself, not only in code.
--
-- Why triggers and not only grants: here (and in the test harness) the service's role owns its
-- schema, and an owner can do anything a grant could forbid. Triggers fire for the owner too. In
-- production the split is (see services/ledger/README.md): an owner role runs the migrations and
-- owns the tables; the service role gets SELECT, INSERT on journal_entries / journal_lines, no
-- UPDATE, DELETE or TRUNCATE there, and cannot ALTER TABLE … DISABLE TRIGGER or DROP TRIGGER,
-- because only the owner (or a superuser) may.
--
-- SQLSTATEs of our own (class 'TX'), so code and tests can tell these refusals apart:
--   TXL01  a change to an append-only table
--   TXL02  an entry that does not balance per currency, or misses lines, at commit
--   TXL03  a hold changed other than PENDING → POSTED | VOIDED

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % is refused: the ledger is append-only (correct it with a reversing entry)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'TXL01';
END;
$$;

-- Statement-level, so an UPDATE or DELETE matching no row is refused too: the intent is the bug.
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON journal_lines
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
-- Holds and escrows change state, but are never removed: the journal's history refers to them.
CREATE TRIGGER holds_never_removed BEFORE DELETE OR TRUNCATE ON holds
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER escrows_never_removed BEFORE DELETE OR TRUNCATE ON escrows
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- At commit, each entry written in the transaction has all its lines and balances per currency.
-- Deferred, because the entry and its lines are separate rows inserted one after the other.
CREATE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  expected_lines smallint;
  actual_lines   integer;
  unbalanced     record;
BEGIN
  SELECT line_count INTO expected_lines FROM journal_entries WHERE entry_id = NEW.entry_id;
  SELECT count(*) INTO actual_lines FROM journal_lines WHERE entry_id = NEW.entry_id;
  IF expected_lines IS DISTINCT FROM actual_lines THEN
    RAISE EXCEPTION 'journal entry % has % lines, its header says %', NEW.entry_id, actual_lines, expected_lines
      USING ERRCODE = 'TXL02';
  END IF;
  SELECT currency, sum(CASE side WHEN 'DEBIT' THEN amount_minor::numeric ELSE -amount_minor::numeric END) AS net_minor
    INTO unbalanced
    FROM journal_lines WHERE entry_id = NEW.entry_id
   GROUP BY currency
  HAVING sum(CASE side WHEN 'DEBIT' THEN amount_minor::numeric ELSE -amount_minor::numeric END) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'journal entry % is unbalanced in %: debits minus credits is %', NEW.entry_id, unbalanced.currency, unbalanced.net_minor
      USING ERRCODE = 'TXL02';
  END IF;
  RETURN NULL;
END;
$$;

-- Fires once per inserted row (an entry of n lines is checked n + 1 times, each an index lookup of
-- at most 64 rows): a constraint trigger cannot be statement-level.
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON journal_lines
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();

-- A hold moves once, PENDING → POSTED | VOIDED, and what was held never changes afterwards.
CREATE FUNCTION ledger_guard_hold_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'PENDING' OR NEW.status NOT IN ('POSTED', 'VOIDED') THEN
    RAISE EXCEPTION 'hold %: % → % is not a hold transition', OLD.hold_id, OLD.status, NEW.status USING ERRCODE = 'TXL03';
  END IF;
  IF (NEW.hold_id, NEW.debit_account_id, NEW.credit_account_id, NEW.currency, NEW.amount_minor, NEW.expires_at,
      NEW.payment_id, NEW.booking_id, NEW.created_at)
     IS DISTINCT FROM
     (OLD.hold_id, OLD.debit_account_id, OLD.credit_account_id, OLD.currency, OLD.amount_minor, OLD.expires_at,
      OLD.payment_id, OLD.booking_id, OLD.created_at) THEN
    RAISE EXCEPTION 'hold %: only its status and outcome may change', OLD.hold_id USING ERRCODE = 'TXL03';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER holds_transition BEFORE UPDATE ON holds FOR EACH ROW EXECUTE FUNCTION ledger_guard_hold_change();
