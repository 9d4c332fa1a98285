import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A merchant's refund policy as the API knows it (decision 0034): the terms booking applies (from
 * RefundPolicySet, by its version) and the change the API asked for and booking has not applied
 * yet (SetRefundPolicy in the outbox, or a staff change awaiting its four-eyes approval). No row:
 * the platform's default applies.
 */
export class RefundPolicies015 implements MigrationInterface {
  readonly name = 'refund_policies';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE refund_policy_views (
        merchant_id text PRIMARY KEY,
        tiers jsonb,
        otherwise_bp integer,
        version bigint NOT NULL DEFAULT 0,
        reason text,
        set_by text,
        last_event_id uuid,
        last_event_at timestamptz,
        requested_tiers jsonb,
        requested_otherwise_bp integer,
        requested_reason text,
        requested_by text,
        requested_at timestamptz,
        requested_command_id uuid,
        requested_approval_id uuid,
        requested_approval_expires_at timestamptz,
        updated_at timestamptz NOT NULL,
        CONSTRAINT refund_policy_views_applied CHECK ((version = 0) = (tiers IS NULL)),
        -- A pending change was either sent (its command) or waits for a second person (its approval, migration 16).
        CONSTRAINT refund_policy_views_pending CHECK (requested_tiers IS NULL OR ((requested_command_id IS NULL) <> (requested_approval_id IS NULL)))
      )`);
    await queryRunner.query(`ALTER TABLE refund_policy_views ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON refund_policy_views USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE refund_policy_views`);
  }
}
