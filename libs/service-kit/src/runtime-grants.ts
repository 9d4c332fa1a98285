import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlTransaction } from '@txn/sql';

/**
 * What a service's running role may do in its database (docs/decisions/0015-database-roles.md).
 * The migration role owns the schema and every table in it; the running service logs in as
 * another role that gets only the privileges declared here, in one file next to the migrations:
 * `services/<svc>/migrations/grants.sql`, plus what the code migrations of shared libraries
 * declare for their own tables (the inbox and outbox: `messagingTablesMigration`).
 *
 * The declaration is the whole truth, not a delta: after every migration run, in one
 * transaction under the migration lock, the runtime role loses every privilege on the schema's
 * tables and sequences and gets back what is declared. A table or sequence left without any
 * privilege for it is an error that names the table and the file, so a new table cannot ship
 * without saying what the service does with it.
 */
export const RUNTIME_GRANTS_FILE = 'grants.sql';
/** Where the runtime role's name goes in a declaration; psql's `-v runtime_role=…` reads the same file. */
export const RUNTIME_ROLE_PLACEHOLDER = ':runtime_role';
/** The one schema the services use (search_path default). */
export const SERVICE_SCHEMA = 'public';

export interface RuntimeGrants {
  /** Where the statements come from, for messages: a file, or a code migration's label. */
  readonly source: string;
  /** GRANT statements with `:runtime_role` where the role goes. */
  readonly sql: string;
}

/** The service's `grants.sql`, if the migrations folder has one. */
export function readRuntimeGrantsFile(directory: string): RuntimeGrants | undefined {
  const path = join(directory, RUNTIME_GRANTS_FILE);
  if (!existsSync(path)) return undefined;
  return { source: path, sql: readFileSync(path, 'utf8') };
}

/** A role name as an SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Relations of the schema the role holds no privilege on at all (the migrations' own table aside). */
const UNDECLARED_SQL = `
SELECT c.relname AS name,
       CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END AS kind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND c.relname <> $3
   AND NOT CASE WHEN c.relkind = 'S' THEN has_sequence_privilege($1, c.oid, 'USAGE, SELECT, UPDATE')
                ELSE has_table_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                     OR has_any_column_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES') END
 ORDER BY c.relname
 LIMIT 100`;

export interface DeclareRuntimeGrantsOptions {
  readonly runtimeRole: string;
  readonly grants: readonly RuntimeGrants[];
  /** Named in the error for an undeclared table: where its grants belong. */
  readonly grantsFile: string;
  /** The runner's own table: the runtime role may read it (the start-up check), nothing else. */
  readonly migrationsTable: string;
}

/**
 * Replaces the runtime role's privileges on the schema with the declared ones, in the caller's
 * transaction (the migration role's: it owns what it grants on). Throws when the runtime role is
 * the migration role itself, or when a table or sequence would be left without any declaration.
 */
export async function declareRuntimeGrants(tx: SqlTransaction, options: DeclareRuntimeGrantsOptions): Promise<void> {
  const { runtimeRole, grants, grantsFile, migrationsTable } = options;
  const [self] = await tx.query<{ is_self: boolean }>('SELECT current_user = $1 AS is_self', [runtimeRole]);
  if (self?.is_self === true) {
    throw new Error(`the runtime role ${runtimeRole} is the migration role itself: the running service would own its tables; give it a role of its own (DATABASE_USER ≠ DATABASE_MIGRATION_USER)`);
  }
  const role = quoteIdentifier(runtimeRole);
  const schema = quoteIdentifier(SERVICE_SCHEMA);
  await tx.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${role}`);
  await tx.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${role}`);
  await tx.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
  await tx.query(`GRANT SELECT ON ${quoteIdentifier(migrationsTable)} TO ${role}`);
  for (const declared of grants) {
    try {
      await tx.query(declared.sql.split(RUNTIME_ROLE_PLACEHOLDER).join(role));
    } catch (error) {
      throw new Error(`${declared.source}: ${(error as Error).message}`, { cause: error });
    }
  }
  const undeclared = await tx.query<{ name: string; kind: string }>(UNDECLARED_SQL, [runtimeRole, SERVICE_SCHEMA, migrationsTable]);
  if (undeclared.length > 0) {
    const what = undeclared.map((row) => `${row.kind} ${row.name}`).join(', ');
    throw new Error(
      `the runtime role ${runtimeRole} would have no privilege on ${what}: declare what the running service does with ` +
        `each in ${grantsFile} (e.g. GRANT SELECT, INSERT ON ${undeclared[0]?.name ?? 'the_table'} TO ${RUNTIME_ROLE_PLACEHOLDER};), and nothing more`,
    );
  }
}
