import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Pool, PoolClient } from 'pg';
import { fromPgClient, type SqlTransaction } from '@txn/sql';
import { ensureInboxSchema } from '@txn/messaging';
import { ensureOutboxSchema } from '@txn/outbox';

/**
 * A service's schema changes, in order: `migrations/NNN_name.sql` files, plus code migrations
 * for DDL that a shared library owns (the inbox and outbox tables: `ensureInboxSchema`,
 * `ensureOutboxSchema`), so that DDL exists in one place only. Each migration runs in its own
 * transaction together with its row in `schema_migrations`; all of them run under one advisory
 * lock, so instances starting together apply each migration once.
 */
export interface Migration {
  /** The NNN of the file name: 1, 2, 3 … without gaps. */
  readonly version: number;
  readonly name: string;
  /** SQL text's sha256 (for files): a changed applied file is refused, not re-run. */
  readonly checksum: string;
  apply(tx: SqlTransaction): Promise<void>;
}

export interface CodeMigration {
  readonly version: number;
  readonly name: string;
  apply(tx: SqlTransaction): Promise<void>;
}

export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export const MIGRATIONS_TABLE = 'schema_migrations';
/** "migr" in ASCII; advisory locks are per database, and each service has its own. */
export const MIGRATION_LOCK_KEY = String(0x6d696772);
/** More files than this is a folder mistake (or time to squash); refuse rather than scan on. */
export const MAX_MIGRATIONS = 999;
/** Waiting this long for another instance's migration means it hangs; fail the start instead. */
export const MIGRATION_LOCK_TIMEOUT_MS = 60_000;
/** A migration statement taking longer needs a plan (batches, CONCURRENTLY), not a start-up. */
export const MIGRATION_STATEMENT_TIMEOUT_MS = 120_000;

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** The `NNN_name.sql` files of a folder, as migrations (pure parsing apart from reading files). */
export function readSqlMigrations(directory: string): Migration[] {
  const files = readdirSync(directory).filter((name) => name.endsWith('.sql'));
  return files.map((file) => {
    const match = FILE_NAME.exec(file);
    if (match === null) throw new MigrationError(`${join(directory, file)}: migration files are named NNN_lower_snake.sql`);
    const sql = readFileSync(join(directory, file), 'utf8');
    return {
      version: Number(match[1]),
      name: match[2] ?? file,
      checksum: createHash('sha256').update(sql).digest('hex'),
      apply: async (tx: SqlTransaction) => {
        await tx.query(sql);
      },
    };
  });
}

/** Merges file and code migrations into one ordered list: versions 1..n, each exactly once. */
export function orderMigrations(files: readonly Migration[], code: readonly CodeMigration[]): Migration[] {
  const all: Migration[] = [...files, ...code.map((migration) => ({ ...migration, checksum: `code:${migration.name}` }))];
  if (all.length > MAX_MIGRATIONS) throw new MigrationError(`${all.length} migrations; at most ${MAX_MIGRATIONS}`);
  all.sort((a, b) => a.version - b.version);
  all.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationError(`migration versions must run 1, 2, 3 … without gaps or repeats; found ${all.map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`).join(', ')}`);
    }
  });
  return all;
}

/**
 * Applies what is missing, in order. A migration already recorded with another checksum (an
 * applied file edited afterwards) stops the start: write a new migration instead.
 */
export async function runMigrations(options: {
  readonly pool: Pool;
  readonly directory: string;
  readonly code?: readonly CodeMigration[];
  readonly logger: Logger;
}): Promise<MigrationReport> {
  const migrations = orderMigrations(readSqlMigrations(options.directory), options.code ?? []);
  const client = await options.pool.connect();
  const applied: string[] = [];
  let alreadyApplied = 0;
  try {
    await client.query(`SET lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
    await client.query(`SET statement_timeout = ${MIGRATION_STATEMENT_TIMEOUT_MS}`);
    // Session lock: held across the per-migration transactions below.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = await client.query<{ version: number; name: string; checksum: string }>(`SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version LIMIT ${MAX_MIGRATIONS + 1}`);
      const recorded = new Map(done.rows.map((row) => [row.version, row]));
      for (const migration of migrations) {
        const label = `${String(migration.version).padStart(3, '0')}_${migration.name}`;
        const row = recorded.get(migration.version);
        if (row !== undefined) {
          if (row.checksum !== migration.checksum || row.name !== migration.name) {
            throw new MigrationError(`migration ${label} was applied as ${row.name} with another content; never edit an applied migration, add a new one`);
          }
          alreadyApplied += 1;
          continue;
        }
        const started_ms = Date.now();
        try {
          await inSessionTransaction(client, async (tx) => {
            await migration.apply(tx);
            await tx.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum) VALUES ($1, $2, $3)`, [migration.version, migration.name, migration.checksum]);
          });
        } catch (error) {
          throw new MigrationError(`migration ${label} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(label);
        options.logger.info({ migration: label, duration_ms: Date.now() - started_ms }, 'migration applied');
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    // Session settings were changed: do not hand this connection to anyone else.
    client.release(true);
  }
  return { applied, alreadyApplied };
}

async function inSessionTransaction(client: PoolClient, work: (tx: SqlTransaction) => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work(fromPgClient(client));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The inbox and outbox tables as a code migration: their DDL belongs to the messaging libraries,
 * so it exists in one place only, and every service runs it at its own migration `version`.
 */
export function messagingTablesMigration(version: number): CodeMigration {
  return {
    version,
    name: 'inbox_and_outbox',
    apply: async (tx) => {
      await ensureInboxSchema(tx);
      await ensureOutboxSchema(tx);
    },
  };
}
