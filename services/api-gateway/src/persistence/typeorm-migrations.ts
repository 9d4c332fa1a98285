import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { CodeMigration } from '@txn/service-kit';

/**
 * The gateway's schema is written as TypeORM migrations (classes with `up`), and applied by the
 * platform's migration step like every service's: under its advisory lock, as the schema's owner
 * role, each in one transaction with its row in `schema_migrations`, followed by the runtime
 * role's grants (decision 0015). TypeORM's own runner does none of that (no lock between
 * instances, no role split), so its migrations get a QueryRunner that sends their SQL into our
 * transaction. Our migrations use `queryRunner.query` only; a migration calling another
 * QueryRunner method fails loudly at its first run, not silently (docs/decisions/0023).
 */
export function typeormMigration(version: number, migration: MigrationInterface & { readonly name: string }, runtimeGrants?: string): CodeMigration {
  return {
    version,
    name: migration.name,
    apply: async (tx) => {
      const queryRunner = new Proxy({} as QueryRunner, {
        get: (_target, property) => {
          if (property === 'query') return (sql: string, parameters?: unknown[]) => tx.query(sql, parameters ?? []);
          throw new Error(`migration ${migration.name} used QueryRunner.${String(property)}: gateway migrations send SQL with query() only`);
        },
      });
      await migration.up(queryRunner);
    },
    ...(runtimeGrants === undefined ? {} : { runtimeGrants }),
  };
}
