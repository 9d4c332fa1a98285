import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Four eyes on large refunds: a merchant's threshold (minor units of its default currency's
 * refunds; null: none), `refund_payment` as a second approval operation, and a refund row that
 * waits for its approval (AWAITING_APPROVAL, with the request's id and expiry) or ended without
 * one (CANCELLED: refused).
 */
export class RefundApprovals013 implements MigrationInterface {
  readonly name = 'refund_approvals';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE merchants ADD COLUMN refund_approval_threshold_minor bigint CHECK (refund_approval_threshold_minor >= 0)`);
    await queryRunner.query(`ALTER TABLE approvals DROP CONSTRAINT approvals_operation_check`);
    await queryRunner.query(`ALTER TABLE approvals ADD CONSTRAINT approvals_operation_check CHECK (operation IN ('create_api_key', 'refund_payment'))`);
    await queryRunner.query(`ALTER TABLE refund_views DROP CONSTRAINT refund_views_status_check`);
    await queryRunner.query(`ALTER TABLE refund_views ADD CONSTRAINT refund_views_status_check CHECK (status IN ('AWAITING_APPROVAL', 'PENDING', 'SUCCEEDED', 'FAILED', 'REJECTED', 'CANCELLED'))`);
    await queryRunner.query(`ALTER TABLE refund_views ADD COLUMN approval_id uuid, ADD COLUMN approval_expires_at timestamptz`);
    await queryRunner.query(`ALTER TABLE refund_views ADD CONSTRAINT refund_views_awaits_an_approval CHECK (status <> 'AWAITING_APPROVAL' OR (approval_id IS NOT NULL AND approval_expires_at IS NOT NULL))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE refund_views DROP CONSTRAINT refund_views_awaits_an_approval, DROP COLUMN approval_id, DROP COLUMN approval_expires_at`);
    await queryRunner.query(`ALTER TABLE approvals DROP CONSTRAINT approvals_operation_check`);
    await queryRunner.query(`ALTER TABLE approvals ADD CONSTRAINT approvals_operation_check CHECK (operation IN ('create_api_key'))`);
    await queryRunner.query(`ALTER TABLE merchants DROP COLUMN refund_approval_threshold_minor`);
  }
}
