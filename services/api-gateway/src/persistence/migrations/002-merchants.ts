import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Merchants, and the row-level security every gateway table follows: a row is visible to a
 * transaction scoped to its merchant (`app.tenant_id`) or to the platform (`app.platform_admin`),
 * never otherwise. The runtime role does not own the tables, so the policies bind it; the owner
 * (migrations only) is not bound, by design of PostgreSQL, and never serves requests.
 * `merchant_id` equals `id` on merchants so that one policy shape fits every table.
 */
export class Merchants002 implements MigrationInterface {
  readonly name = 'merchants';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION gateway_row_visible(row_merchant text) RETURNS boolean
      LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting('app.platform_admin', true), 'off') = 'on'
            OR row_merchant = nullif(current_setting('app.tenant_id', true), '')
      $$`);
    await queryRunner.query(`
      CREATE TABLE merchants (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        merchant_id text NOT NULL GENERATED ALWAYS AS (id) STORED,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        default_currency text NOT NULL CHECK (default_currency ~ '^[A-Z]{3}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`ALTER TABLE merchants ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON merchants USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE merchants`);
    await queryRunner.query(`DROP FUNCTION gateway_row_visible(text)`);
  }
}
