import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Merchants' webhook endpoints (decision 0033): where the notification service will deliver their
 * events. No secret is stored: version N of an endpoint's signing secret is derived from the
 * platform's webhook signing key, so only the key file is a secret. Never deleted (disabled).
 */
export class WebhookEndpoints014 implements MigrationInterface {
  readonly name = 'webhook_endpoints';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants (id),
        url text NOT NULL CHECK (length(url) <= 2048),
        description text CHECK (length(description) <= 200),
        event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 64),
        status text NOT NULL CHECK (status IN ('ENABLED', 'DISABLED')),
        secret_version integer NOT NULL CHECK (secret_version >= 1),
        previous_secret_valid_until timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX webhook_endpoints_by_time ON webhook_endpoints (merchant_id, created_at, id)`);
    await queryRunner.query(`ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON webhook_endpoints USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_endpoints`);
  }
}
