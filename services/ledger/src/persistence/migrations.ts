import { join } from 'node:path';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { messagingTablesMigration, runMigrations, type CodeMigration, type MigrationReport } from '@txn/service-kit';

/**
 * The ledger's schema through service-kit's runner (the one every service starts with): the
 * `migrations/NNN_name.sql` files plus the inbox and outbox DDL, which belongs to the messaging
 * libraries and runs as a code migration, so it exists in one place only.
 */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

export const LEDGER_CODE_MIGRATIONS: readonly CodeMigration[] = [messagingTablesMigration(3)];

/** What the service runs at start (bootstrapService); tests and tools run the same. */
export function migrateLedger(pool: Pool, logger: Logger): Promise<MigrationReport> {
  return runMigrations({ pool, directory: MIGRATIONS_DIR, code: LEDGER_CODE_MIGRATIONS, logger });
}
