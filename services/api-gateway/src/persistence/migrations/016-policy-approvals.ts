import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Four eyes on a staff user's refund-policy change (decision 0034): `set_refund_policy` as a third
 * approval operation (the pending change names the request it waits for: migration 15).
 */
export class PolicyApprovals016 implements MigrationInterface {
  readonly name = 'policy_approvals';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE approvals DROP CONSTRAINT approvals_operation_check`);
    await queryRunner.query(`ALTER TABLE approvals ADD CONSTRAINT approvals_operation_check CHECK (operation IN ('create_api_key', 'refund_payment', 'set_refund_policy'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE approvals DROP CONSTRAINT approvals_operation_check`);
    await queryRunner.query(`ALTER TABLE approvals ADD CONSTRAINT approvals_operation_check CHECK (operation IN ('create_api_key', 'refund_payment'))`);
  }
}
