import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-key request counters in fixed windows, shared by every gateway instance (decision 0024):
 * one row per key and window, incremented by an upsert; a key's older windows are deleted when its
 * next window opens, so the table holds about one row per active key.
 */
export class KeyRateLimits006 implements MigrationInterface {
  readonly name = 'key_rate_limits';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_key_rate_windows (
        key_id uuid NOT NULL REFERENCES api_keys (id),
        window_start timestamptz NOT NULL,
        merchant_id text NOT NULL REFERENCES merchants (id),
        requests integer NOT NULL CHECK (requests > 0),
        PRIMARY KEY (key_id, window_start)
      )`);
    await queryRunner.query(`ALTER TABLE api_key_rate_windows ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON api_key_rate_windows USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_key_rate_windows`);
  }
}
