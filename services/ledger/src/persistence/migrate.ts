import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { ensureInboxSchema } from '@txn/messaging';
import { ensureOutboxSchema, OUTBOX_DDL } from '@txn/outbox';
import { fromPgClient, type SqlTransaction } from '@txn/sql';

/**
 * A deliberately small migration runner, until the shared one in service-kit replaces it: files
 * `migrations/NNN_name.sql` in name order plus code steps, each applied once in its own
 * transaction and recorded in `schema_migrations`, all under one advisory lock so that several
 * instances starting together apply each step exactly once.
 */
export interface Migration {
  readonly name: string;
  /** sha256 of what the step runs: an edited, already applied migration is refused, not ignored. */
  readonly checksum: string;
  apply(tx: SqlTransaction): Promise<void>;
}

export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
}

export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');
/** Any fixed number, unique among this database's advisory locks. */
export const MIGRATION_LOCK_KEY = 7_105_001;
/** How long a second instance waits for the first one's migrations before giving up. */
export const MIGRATION_LOCK_TIMEOUT_MS = 60_000;
/** One migration statement may rebuild a big index; it must still end. */
export const MIGRATION_STATEMENT_TIMEOUT_MS = 300_000;

const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.sql$/;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function sqlFileMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      return {
        name: file.replace(/\.sql$/, ''),
        checksum: sha256(text),
        // One simple-query message: several statements, one round trip.
        apply: async (tx: SqlTransaction) => void (await tx.query(text)),
      };
    });
}

/** The inbox and outbox tables belong to the shared libraries; their DDL is idempotent. */
const MESSAGING_TABLES_VERSION = 'inbox+outbox v1';
export const MESSAGING_TABLES: Migration = {
  name: '900_inbox_outbox',
  checksum: sha256(`${MESSAGING_TABLES_VERSION}\n${OUTBOX_DDL.join('\n')}`),
  async apply(tx) {
    await ensureInboxSchema(tx);
    await ensureOutboxSchema(tx);
  },
};

export function ledgerMigrations(): Migration[] {
  return [...sqlFileMigrations(), MESSAGING_TABLES].sort((a, b) => a.name.localeCompare(b.name));
}

async function applyOne(client: PoolClient, migration: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL statement_timeout = ${MIGRATION_STATEMENT_TIMEOUT_MS}`);
    await migration.apply(fromPgClient(client));
    await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [migration.name, migration.checksum]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Applies what is missing, in order. Safe to run on every start and from several instances at once. */
export async function migrate(pool: Pool, migrations: readonly Migration[] = ledgerMigrations()): Promise<MigrationReport> {
  const client = await pool.connect();
  let locked = false;
  try {
    await client.query(`SET lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    locked = true;
    await client.query('RESET lock_timeout');
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         name       text        PRIMARY KEY,
         checksum   text        NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const recorded = new Map(
      (await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations')).rows.map((row) => [row.name, row.checksum]),
    );
    const applied: string[] = [];
    const alreadyApplied: string[] = [];
    for (const migration of migrations) {
      const checksum = recorded.get(migration.name);
      if (checksum === undefined) {
        await applyOne(client, migration);
        applied.push(migration.name);
      } else if (checksum !== migration.checksum) {
        throw new Error(`migration ${migration.name} was applied with another content (checksum ${checksum}); add a new migration instead of editing it`);
      } else {
        alreadyApplied.push(migration.name);
      }
    }
    return { applied, alreadyApplied };
  } finally {
    let unlockFailed = false;
    if (locked) {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
        unlockFailed = true;
      });
    }
    // A session whose unlock failed must not go back to the pool still holding the lock.
    client.release(unlockFailed);
  }
}
