import { Pool, type DatabaseError } from 'pg';
import type { Logger } from 'pino';
import { checkOut } from '@txn/sql';
import type { DatabaseSettings } from './config';
import { MigrationError, runMigrations, unappliedMigrations, type MigrationReport, type ServiceSchema } from './migrations';
import { SERVICE_SCHEMA } from './runtime-grants';

/**
 * A service's database has two roles (docs/decisions/0015-database-roles.md): the migration role
 * owns the schema and is used only to migrate it, by the `migrate` command (a deploy step: a
 * Kubernetes Job) or, when the service is given its credentials, once at start; the running
 * service logs in as a role with only the privileges the migrations declare, and checks at start
 * that this is so before it touches anything.
 */

/** One connection: the migration runner holds one session (its advisory lock) and nothing else. */
const MIGRATION_POOL_MAX = 1;
const MIGRATION_CONNECT_TIMEOUT_MS = 10_000;
/** PostgreSQL's undefined_table: the migrations table does not exist yet. */
const UNDEFINED_TABLE = '42P01';

/** The running role cannot be trusted with its own tables: refuse to start as one that could change them. */
export class DatabaseRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseRoleError';
  }
}

export interface MigrateServiceDatabaseOptions {
  /** The migration role's login (DATABASE_MIGRATION_USER and its password). */
  readonly connection: DatabaseSettings;
  /** The running service's role (DATABASE_USER): it gets the declared privileges. */
  readonly runtimeRole: string;
  readonly schema: ServiceSchema;
  readonly logger: Logger;
  /** Shown in pg_stat_activity. */
  readonly applicationName: string;
}

/** Migrates as the schema's owner on a connection of its own, closed before this returns. */
export async function migrateServiceDatabase(options: MigrateServiceDatabaseOptions): Promise<MigrationReport> {
  const pool = new Pool({ ...options.connection, max: MIGRATION_POOL_MAX, connectionTimeoutMillis: MIGRATION_CONNECT_TIMEOUT_MS, application_name: options.applicationName });
  pool.on('error', (error) => options.logger.warn({ errorClass: error.name, error: error.message }, 'idle migration connection failed'));
  try {
    return await runMigrations({
      pool,
      directory: options.schema.migrationsDirectory,
      code: options.schema.codeMigrations ?? [],
      logger: options.logger,
      runtimeRole: options.runtimeRole,
    });
  } finally {
    await pool.end();
  }
}

interface RoleFacts {
  readonly role: string;
  readonly superuser: boolean;
  readonly schema_owner: string | null;
  readonly owned: string[];
}

const ROLE_FACTS_SQL = `
SELECT current_user AS role,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
       (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1) AS schema_owner,
       ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
              ORDER BY c.relname LIMIT 10) AS owned`;

/**
 * As the running service's role, before it serves: it is not a superuser and owns neither the
 * schema nor anything in it (an owner can disable the triggers it is meant to be bound by, and
 * no grant restrains it), and every migration this build knows is applied. Throws
 * DatabaseRoleError or MigrationError with what to do.
 */
export async function checkRuntimeDatabase(pool: Pool, schema: ServiceSchema): Promise<void> {
  const checkedOut = await checkOut(pool);
  const { client } = checkedOut;
  try {
    const { rows } = await client.query<RoleFacts>(ROLE_FACTS_SQL, [SERVICE_SCHEMA]);
    const facts = rows[0];
    if (facts !== undefined && (facts.superuser || facts.schema_owner === facts.role || facts.owned.length > 0)) {
      const why = facts.superuser ? 'is a superuser' : facts.schema_owner === facts.role ? `owns the schema ${SERVICE_SCHEMA}` : `owns ${facts.owned.join(', ')}`;
      throw new DatabaseRoleError(
        `DATABASE_USER ${facts.role} ${why}: the service must not run as a role that can change its own tables or triggers. ` +
          'Run the migrations as the schema owner (DATABASE_MIGRATION_USER, or the `migrate` command) and the service as a role of its own (docs/decisions/0015-database-roles.md)',
      );
    }
    const missing = await unappliedMigrations(client, schema).catch((error: unknown) => {
      if ((error as DatabaseError).code === UNDEFINED_TABLE) return ['(all: the database was never migrated)'];
      throw error;
    });
    if (missing.length > 0) {
      throw new MigrationError(
        `the database lacks migrations this build needs: ${missing.join(', ')}. Run the migration step first ` +
          '(`node --import tsx services/<svc>/src/main.ts migrate` with DATABASE_MIGRATION_USER, a Helm pre-upgrade Job, or ./platform up), or give the service DATABASE_MIGRATION_USER to migrate at start',
      );
    }
  } finally {
    checkedOut.release();
  }
}
