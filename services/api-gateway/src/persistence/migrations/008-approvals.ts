import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Four-eyes approvals (decision 0024): a sensitive staff operation is recorded as a request and
 * takes effect only when a different person with approvals:decide approves it before it expires.
 * Rows are never deleted: who asked, who decided and when is the record.
 */
export class Approvals008 implements MigrationInterface {
  readonly name = 'approvals';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE approvals (
        id uuid PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants (id),
        operation text NOT NULL CHECK (operation IN ('create_api_key')),
        details jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REFUSED')),
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        decided_by text,
        decided_at timestamptz,
        decision_reason text,
        result_id text,
        CHECK (expires_at > requested_at),
        CHECK ((status = 'PENDING') = (decided_by IS NULL)),
        CHECK (decided_by IS NULL OR decided_by <> requested_by)
      )`);
    await queryRunner.query(`CREATE INDEX approvals_by_merchant ON approvals (merchant_id, requested_at DESC, id)`);
    await queryRunner.query(`ALTER TABLE approvals ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON approvals USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE approvals`);
  }
}
