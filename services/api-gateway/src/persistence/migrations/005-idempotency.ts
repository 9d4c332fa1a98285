import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency records (decision 0026): one row per (merchant, Idempotency-Key), claimed by an
 * insert before the request executes, marked `executed` in the handler's own transaction (so the
 * mark commits with the command's outbox row, or not at all), then `completed` with the first
 * response. `merchant_id` is the caller's merchant, or `staff:<subject>` for platform staff (whose
 * rows only a platform-scoped transaction sees). Bound by the tenant policy like every table.
 */
export class Idempotency005 implements MigrationInterface {
  readonly name = 'idempotency_records';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_records (
        merchant_id text NOT NULL,
        idempotency_key text NOT NULL CHECK (idempotency_key ~ '^[\\x21-\\x7e]{1,255}$'),
        request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
        method text NOT NULL,
        path text NOT NULL,
        state text NOT NULL CHECK (state IN ('claimed', 'executed', 'completed')),
        claim_token uuid NOT NULL,
        lease_until timestamptz NOT NULL,
        response_status integer CHECK (response_status BETWEEN 100 AND 599),
        response_headers jsonb,
        response_body text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, idempotency_key),
        CHECK ((state = 'completed') = (response_status IS NOT NULL AND completed_at IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX idempotency_records_expiry ON idempotency_records (expires_at)`);
    await queryRunner.query(`ALTER TABLE idempotency_records ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON idempotency_records USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE idempotency_records`);
  }
}
