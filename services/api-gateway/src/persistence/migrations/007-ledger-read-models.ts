import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's journal as the gateway reads it from ledger.events.v1 (EntryPosted): entries are
 * immutable, so a row is written once and a redelivered or replayed entry changes nothing. Each
 * posting keeps its entry's time, so balances at a point in time and an account's running balance
 * are one indexed range query. Keyed by merchant first and bound by the tenant policy.
 */
export class LedgerReadModels007 implements MigrationInterface {
  readonly name = 'ledger_read_models';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ledger_entry_views (
        merchant_id text NOT NULL,
        entry_id text NOT NULL CHECK (length(entry_id) BETWEEN 1 AND 100),
        entry_type text NOT NULL,
        reason text NOT NULL,
        reverses_entry_id text,
        payment_id text,
        booking_id text,
        posted_at timestamptz NOT NULL,
        event_id uuid NOT NULL,
        topic text,
        "partition" integer,
        "offset" bigint,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (merchant_id, entry_id)
      )`);
    await queryRunner.query(`CREATE INDEX ledger_entry_views_by_time ON ledger_entry_views (merchant_id, posted_at DESC, entry_id DESC)`);
    await queryRunner.query(`
      CREATE TABLE ledger_posting_views (
        merchant_id text NOT NULL,
        entry_id text NOT NULL,
        line integer NOT NULL CHECK (line >= 0),
        account_id text NOT NULL,
        side text NOT NULL CHECK (side IN ('DEBIT', 'CREDIT')),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        posted_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, entry_id, line),
        FOREIGN KEY (merchant_id, entry_id) REFERENCES ledger_entry_views (merchant_id, entry_id)
      )`);
    await queryRunner.query(`CREATE INDEX ledger_posting_views_by_account ON ledger_posting_views (merchant_id, account_id, posted_at, entry_id, line)`);
    for (const table of ['ledger_entry_views', 'ledger_posting_views']) {
      await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(`CREATE POLICY tenant_rows ON ${table} USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ledger_posting_views`);
    await queryRunner.query(`DROP TABLE ledger_entry_views`);
  }
}
