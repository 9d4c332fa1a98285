import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds as the API knows them: one row per refund of a payment. A refund asked for through the
 * API starts PENDING (its RefundPayment is in the outbox in the same transaction); payment's events
 * settle it (PaymentRefunded → SUCCEEDED, PaymentRefundFailed → FAILED, PaymentRefundRejected →
 * REJECTED, with what remained refundable). A refund made otherwise (a cancellation by policy, a
 * PSP dashboard) enters at its first event. `version` counts the row's changes, for ETags and waits.
 */
export class Refunds012 implements MigrationInterface {
  readonly name = 'refunds';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE refund_views (
        merchant_id text NOT NULL,
        refund_id uuid NOT NULL,
        payment_id text NOT NULL,
        booking_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'REJECTED')),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL,
        reason text NOT NULL,
        requested_by text,
        psp_refund_id text,
        failure_code text,
        rejection_code text,
        rejection_detail text,
        refundable_minor bigint,
        version bigint NOT NULL,
        last_event_id uuid,
        last_event_type text,
        last_event_at timestamptz,
        last_topic text,
        last_partition integer,
        last_offset bigint,
        applied_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (merchant_id, refund_id),
        CHECK ((status = 'REJECTED') = (rejection_code IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX refund_views_of_payment ON refund_views (merchant_id, payment_id, created_at)`);
    await queryRunner.query(`ALTER TABLE refund_views ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON refund_views USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE refund_views`);
  }
}
