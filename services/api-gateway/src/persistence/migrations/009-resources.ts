import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A merchant's bookable resources as the gateway shows them: REQUESTED when the API sent
 * RegisterResource, REGISTERED once booking's ResourceRegistered arrived (booking owns resources).
 */
export class Resources009 implements MigrationInterface {
  readonly name = 'resources';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE resource_views (
        merchant_id text NOT NULL,
        resource_id text NOT NULL CHECK (resource_id ~ '^[A-Za-z0-9_.-]{1,100}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        status text NOT NULL CHECK (status IN ('REQUESTED', 'REGISTERED')),
        requested_name text,
        last_event_id uuid,
        last_event_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (merchant_id, resource_id)
      )`);
    await queryRunner.query(`ALTER TABLE resource_views ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY tenant_rows ON resource_views USING (gateway_row_visible(merchant_id)) WITH CHECK (gateway_row_visible(merchant_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE resource_views`);
  }
}
