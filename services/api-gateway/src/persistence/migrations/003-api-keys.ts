import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Merchants' API keys (hash only), bound by the tenant policy like every gateway table. */
export class ApiKeys003 implements MigrationInterface {
  readonly name = 'api_keys';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants (id),
        prefix text NOT NULL UNIQUE CHECK (prefix ~ '^[a-z2-7]{12}$'),
        secret_hash text NOT NULL CHECK (secret_hash LIKE 'scrypt$%'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        role text NOT NULL CHECK (role IN ('owner', 'developer', 'finance', 'support', 'auditor')),
        scopes text[] NOT NULL DEFAULT '{}',
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        revoked_by text,
        last_used_at timestamptz,
        CHECK (expires_at IS NULL OR expires_at > created_at),
        CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_by_merchant ON api_keys (merchant_id, created_at DESC, id)`);
    await queryRunner.query(`ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON api_keys USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
  }
}
