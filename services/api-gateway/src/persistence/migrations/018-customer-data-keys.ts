import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers' data keys (decision 0037): one per merchant and customer, wrapped under the master
 * keyring; every personal-data field of theirs is sealed under it. Erasure destroys the wrapped
 * key (wrapped_key NULL, erased_at set): the row stays as the proof of when and by whom.
 */
export class CustomerDataKeys018 implements MigrationInterface {
  readonly name = 'customer_data_keys';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE customer_data_keys (
        merchant_id text NOT NULL,
        customer_id text NOT NULL,
        key_id uuid NOT NULL UNIQUE,
        master_key_id text NOT NULL,
        wrapped_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        erased_by text,
        erasure_reason text,
        PRIMARY KEY (merchant_id, customer_id),
        CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
      )`);
    await queryRunner.query(`ALTER TABLE customer_data_keys ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON customer_data_keys USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE customer_data_keys`);
  }
}
