import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What every read-model row reflects: the last event applied to it (decision 0025). Null until an event arrives (a booking the API just requested). */
const REFLECTS = `
        version bigint NOT NULL CHECK (version >= 0),
        last_event_id uuid,
        last_event_type text,
        last_event_at timestamptz,
        last_topic text,
        last_partition integer,
        last_offset bigint,
        applied_at timestamptz NOT NULL DEFAULT now()`;

/**
 * The gateway's read models of bookings and payments, built from booking.events.v1 and
 * payment.events.v1 (never from the services' tables). Keyed by (merchant, id) so that one
 * tenant's event can never touch another's row, and bound by the tenant policy like every table.
 * Slot, price and customer are nullable: a booking first seen through a non-creation event (its
 * creation lost to a retention window) is still shown with what its events said.
 */
export class ReadModels004 implements MigrationInterface {
  readonly name = 'read_models';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE booking_views (
        merchant_id text NOT NULL,
        booking_id text NOT NULL CHECK (length(booking_id) BETWEEN 1 AND 100),
        status text NOT NULL CHECK (status IN ('REQUESTED', 'HELD', 'REJECTED', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'COMPLETED')),
        resource_id text,
        starts_at timestamptz,
        ends_at timestamptz,
        price_minor bigint,
        currency text CHECK (currency ~ '^[A-Z]{3}$'),
        customer_id text,
        hold_expires_at timestamptz,
        payment_id text,
        authorized_minor bigint,
        refund_minor bigint,
        reason text,
        rejection_code text,
        delivered_at timestamptz,
        requested_by text,
        last_command text,
        last_command_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        ${REFLECTS},
        PRIMARY KEY (merchant_id, booking_id)
      )`);
    await queryRunner.query(`CREATE INDEX booking_views_by_created ON booking_views (merchant_id, created_at DESC, booking_id DESC)`);
    await queryRunner.query(`CREATE INDEX booking_views_open ON booking_views (status, updated_at) WHERE status IN ('REQUESTED', 'HELD', 'CONFIRMED')`);
    await queryRunner.query(`
      CREATE TABLE payment_views (
        merchant_id text NOT NULL,
        payment_id text NOT NULL CHECK (length(payment_id) BETWEEN 1 AND 100),
        booking_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'REQUIRES_ACTION', 'AUTHORIZED', 'FAILED', 'OUTCOME_UNKNOWN', 'CAPTURED', 'CAPTURE_FAILED', 'VOIDED', 'PARTIALLY_REFUNDED', 'REFUNDED')),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        amount_minor bigint,
        authorized_minor bigint,
        captured_minor bigint,
        refunded_minor bigint,
        platform_fee_minor bigint,
        psp_payment_intent_id text,
        failure_code text,
        reason text,
        authorization_expires_at timestamptz,
        outcome_unknown_operation text,
        outcome_resolve_by timestamptz,
        refund_failed_id text,
        refund_failed_code text,
        refund_failed_minor bigint,
        attention text CHECK (attention IN ('PAYMENT_OUTCOME_UNKNOWN', 'PAYMENT_REFUND_FAILED')),
        attention_since timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        ${REFLECTS},
        PRIMARY KEY (merchant_id, payment_id)
      )`);
    await queryRunner.query(`CREATE INDEX payment_views_by_created ON payment_views (merchant_id, created_at DESC, payment_id DESC)`);
    await queryRunner.query(`CREATE INDEX payment_views_by_booking ON payment_views (merchant_id, booking_id)`);
    await queryRunner.query(`CREATE INDEX payment_views_attention ON payment_views (merchant_id, attention_since) WHERE attention IS NOT NULL`);
    for (const table of ['booking_views', 'payment_views']) {
      await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(`CREATE POLICY tenant_rows ON ${table} USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE payment_views`);
    await queryRunner.query(`DROP TABLE booking_views`);
  }
}
