import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation's breaks as finance reads them, from payment.events.v1 (ReconciliationBreakRaised,
 * ReconciliationBreakResolved): one row per break, raised once, resolved once. A break about a PSP
 * object that names no merchant of ours belongs to the tenant `platform` (platform admins see it).
 */
export class ReconciliationBreaks011 implements MigrationInterface {
  readonly name = 'reconciliation_breaks';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE recon_break_views (
        merchant_id text NOT NULL,
        break_id uuid NOT NULL,
        kind text NOT NULL,
        leg text NOT NULL,
        payment_id text,
        psp_object_id text,
        detail text,
        explanation text,
        evidence jsonb,
        status text NOT NULL CHECK (status IN ('OPEN', 'RESOLVED')),
        raised_at timestamptz,
        resolved_at timestamptz,
        resolution text,
        topic text,
        "partition" integer,
        "offset" bigint,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (merchant_id, break_id),
        CHECK ((status = 'RESOLVED') = (resolved_at IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX recon_break_views_by_time ON recon_break_views (merchant_id, status, raised_at, break_id)`);
    await queryRunner.query(`ALTER TABLE recon_break_views ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON recon_break_views USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE recon_break_views`);
  }
}
