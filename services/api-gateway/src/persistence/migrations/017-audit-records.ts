import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail as auditors read it, from audit.records.v1 (AuditRecorded): one row per record
 * of a tenant's chain, with its hash and link, so what the API shows can be tied to the chain the
 * audit service proves. Append-only here too: a record is inserted once and never changed.
 */
export class AuditRecords017 implements MigrationInterface {
  readonly name = 'audit_records';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_record_views (
        merchant_id text NOT NULL,
        seq bigint NOT NULL CHECK (seq > 0),
        prev_hash text NOT NULL,
        hash text NOT NULL,
        source_event_id uuid NOT NULL,
        action text NOT NULL,
        producer text NOT NULL,
        source_topic text NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        actor_type text NOT NULL,
        actor_id text NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        aggregate_version bigint NOT NULL,
        status_before text,
        status_after text,
        reason text,
        changes jsonb NOT NULL,
        correlation_id text NOT NULL,
        causation_id text,
        trace_id text,
        topic text,
        "partition" integer,
        "offset" bigint,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (merchant_id, seq)
      )`);
    await queryRunner.query(`CREATE INDEX audit_record_views_by_aggregate ON audit_record_views (merchant_id, aggregate_type, aggregate_id, seq)`);
    await queryRunner.query(`CREATE INDEX audit_record_views_by_actor ON audit_record_views (merchant_id, actor_id, seq)`);
    await queryRunner.query(`CREATE INDEX audit_record_views_by_correlation ON audit_record_views (merchant_id, correlation_id, seq)`);
    await queryRunner.query(`CREATE INDEX audit_record_views_by_time ON audit_record_views (merchant_id, occurred_at)`);
    await queryRunner.query(`ALTER TABLE audit_record_views ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON audit_record_views USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_record_views`);
  }
}
