import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A chargeback (PaymentDisputed) flags the payment for a person: PAYMENT_DISPUTED, which no later
 * payment event clears (the dispute is answered at the PSP, not by our events).
 */
export class PaymentDisputes010 implements MigrationInterface {
  readonly name = 'payment_disputes';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE payment_views DROP CONSTRAINT payment_views_attention_check`);
    await queryRunner.query(`ALTER TABLE payment_views ADD CONSTRAINT payment_views_attention_check CHECK (attention IN ('PAYMENT_OUTCOME_UNKNOWN', 'PAYMENT_REFUND_FAILED', 'PAYMENT_DISPUTED'))`);
    await queryRunner.query(`ALTER TABLE payment_views ADD COLUMN psp_dispute_id text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE payment_views DROP COLUMN psp_dispute_id`);
    await queryRunner.query(`ALTER TABLE payment_views DROP CONSTRAINT payment_views_attention_check`);
    await queryRunner.query(`ALTER TABLE payment_views ADD CONSTRAINT payment_views_attention_check CHECK (attention IN ('PAYMENT_OUTCOME_UNKNOWN', 'PAYMENT_REFUND_FAILED'))`);
  }
}
