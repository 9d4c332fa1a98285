import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Pool, PoolClient } from 'pg';
import { checkOut, fromPgClient, type SqlTransaction } from '@txn/sql';
import { ensureInboxSchema } from '@txn/messaging';
import { ensureOutboxSchema } from '@txn/outbox';
import { declareRuntimeGrants, readRuntimeGrantsFile, RUNTIME_GRANTS_FILE, type RuntimeGrants } from './runtime-grants';

/**
 * A service's schema changes, in order: `migrations/NNN_name.sql` files, plus code migrations
 * for DDL that a shared library owns (the inbox and outbox tables: `ensureInboxSchema`,
 * `ensureOutboxSchema`), so that DDL exists in one place only. Each migration runs in its own
 * transaction together with its row in `schema_migrations`; all of them run under one advisory
 * lock, so instances starting together apply each migration once. They run as the schema's owner
 * (the migration role); afterwards, under the same lock, the running service's role gets exactly
 * the privileges the migrations declare (`grants.sql` beside the files, and each code migration's
 * `runtimeGrants`): see runtime-grants.ts and docs/decisions/0015-database-roles.md.
 */
export interface Migration {
  /** The NNN of the file name: 1, 2, 3 … without gaps. */
  readonly version: number;
  readonly name: string;
  /** SQL text's sha256 (for files): a changed applied file is refused, not re-run. */
  readonly checksum: string;
  apply(tx: SqlTransaction): Promise<void>;
  /** What the running role may do with the tables this migration creates (`:runtime_role`); code migrations only. */
  readonly runtimeGrants?: string;
}

export interface CodeMigration {
  readonly version: number;
  readonly name: string;
  apply(tx: SqlTransaction): Promise<void>;
  /** GRANT statements for the tables it creates, with `:runtime_role` for the running role. */
  readonly runtimeGrants?: string;
}

/** A service's schema: its migration files and the code migrations of the libraries it uses. */
export interface ServiceSchema {
  /** Folder of `NNN_name.sql` migrations and the runtime role's `grants.sql`. */
  readonly migrationsDirectory: string;
  /** Migrations whose DDL a shared library owns (inbox, outbox). */
  readonly codeMigrations?: readonly CodeMigration[];
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
  // grants.sql is not a migration: it is declared again after every run (runtime-grants.ts).
  const files = readdirSync(directory).filter((name) => name.endsWith('.sql') && name !== RUNTIME_GRANTS_FILE);
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

function labelOf(migration: Pick<Migration, 'version' | 'name'>): string {
  return `${String(migration.version).padStart(3, '0')}_${migration.name}`;
}

interface RecordedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
}

async function recordedMigrations(client: Pick<PoolClient, 'query'>): Promise<Map<number, RecordedMigration>> {
  const done = await client.query<RecordedMigration>(`SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version LIMIT ${MAX_MIGRATIONS + 1}`);
  return new Map(done.rows.map((row) => [row.version, row]));
}

function changedError(migration: Migration, row: RecordedMigration): MigrationError {
  return new MigrationError(`migration ${labelOf(migration)} was applied as ${row.name} with another content; never edit an applied migration, add a new one`);
}

/**
 * Compares what this build knows with what the database recorded, as the running service does at
 * start (it may not migrate): the labels of migrations not applied yet. An applied migration whose
 * content differs throws. Migrations the database has beyond these are a newer build's: fine.
 */
export async function unappliedMigrations(client: Pick<PoolClient, 'query'>, schema: ServiceSchema): Promise<string[]> {
  const migrations = orderMigrations(readSqlMigrations(schema.migrationsDirectory), schema.codeMigrations ?? []);
  const recorded = await recordedMigrations(client);
  const missing: string[] = [];
  for (const migration of migrations) {
    const row = recorded.get(migration.version);
    if (row === undefined) missing.push(labelOf(migration));
    else if (row.checksum !== migration.checksum || row.name !== migration.name) throw changedError(migration, row);
  }
  return missing;
}

/** Every migration not recorded yet, each in its own transaction with its row. */
async function applyMissing(client: PoolClient, migrations: readonly Migration[], logger: Logger): Promise<MigrationReport> {
  const recorded = await recordedMigrations(client);
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const migration of migrations) {
    const label = labelOf(migration);
    const row = recorded.get(migration.version);
    if (row !== undefined) {
      if (row.checksum !== migration.checksum || row.name !== migration.name) throw changedError(migration, row);
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
    logger.info({ migration: label, duration_ms: Date.now() - started_ms }, 'migration applied');
  }
  return { applied, alreadyApplied };
}

/** The code migrations' declarations, then the service's own file. */
function runtimeGrantsOf(migrations: readonly Migration[], directory: string): RuntimeGrants[] {
  const fromCode = migrations.flatMap((migration) => (migration.runtimeGrants === undefined ? [] : [{ source: `code migration ${labelOf(migration)}`, sql: migration.runtimeGrants }]));
  const file = readRuntimeGrantsFile(directory);
  return file === undefined ? fromCode : [...fromCode, file];
}

/**
 * Applies what is missing, in order, as the pool's role (the schema's owner). A migration already
 * recorded with another checksum (an applied file edited afterwards) stops the start: write a new
 * migration instead. With `runtimeRole`, that role's privileges are then declared anew from the
 * migrations' grants (every run: the declaration is the whole truth).
 */
export async function runMigrations(options: {
  readonly pool: Pool;
  readonly directory: string;
  readonly code?: readonly CodeMigration[];
  readonly logger: Logger;
  /** The running service's role (DATABASE_USER); omitted, no privileges are declared (schema-only tests). */
  readonly runtimeRole?: string;
}): Promise<MigrationReport> {
  const migrations = orderMigrations(readSqlMigrations(options.directory), options.code ?? []);
  const checkedOut = await checkOut(options.pool);
  const { client } = checkedOut;
  try {
    await client.query(`SET lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
    await client.query(`SET statement_timeout = ${MIGRATION_STATEMENT_TIMEOUT_MS}`);
    // Session lock: held across the per-migration transactions below and the grants after them.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const report = await applyMissing(client, migrations, options.logger);
      const { runtimeRole } = options;
      if (runtimeRole !== undefined) {
        const grants = runtimeGrantsOf(migrations, options.directory);
        const grantsFile = join(options.directory, RUNTIME_GRANTS_FILE);
        await inSessionTransaction(client, (tx) => declareRuntimeGrants(tx, { runtimeRole, grants, grantsFile, migrationsTable: MIGRATIONS_TABLE })).catch((error: unknown) => {
          throw new MigrationError(`runtime grants: ${(error as Error).message}`, { cause: error });
        });
      }
      return report;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    // Session settings were changed: do not hand this connection to anyone else.
    checkedOut.release(true);
  }
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
    runtimeGrants: MESSAGING_TABLES_GRANTS,
  };
}

/**
 * What the messaging runtime does with its tables as the running role, and nothing more:
 * - the inbox dedup claims a batch (`INSERT … ON CONFLICT DO NOTHING RETURNING event_id`: the
 *   claim's columns only, so `handled_at`, which retention is measured on, is always the database's)
 *   and records the handlers' outcomes (`UPDATE … SET outcome`);
 * - the inbox pruner deletes rows past retention (`DELETE … USING (SELECT … FOR UPDATE SKIP
 *   LOCKED)`; the row lock needs UPDATE on one column, which `outcome` is);
 * - the outbox append inserts rows (the message's columns only, so no row can be written as
 *   already sent; its bigserial id takes the sequence), and the relay reads unsent rows, marks
 *   them sent, records failures and deletes sent rows past retention.
 * No TRUNCATE, no UPDATE of a claimed event's identity or of a message's content.
 */
const MESSAGING_TABLES_GRANTS = `
GRANT SELECT, DELETE ON inbox TO :runtime_role;
GRANT INSERT (consumer_group, event_id, event_type, topic, "partition", "offset") ON inbox TO :runtime_role;
GRANT UPDATE (outcome) ON inbox TO :runtime_role;
GRANT SELECT, DELETE ON outbox TO :runtime_role;
GRANT INSERT (event_id, topic, message_key, event_type, value, headers, traceparent, tracestate) ON outbox TO :runtime_role;
GRANT UPDATE (sent_at, attempts, last_error) ON outbox TO :runtime_role;
GRANT USAGE ON SEQUENCE outbox_id_seq TO :runtime_role;
`;
