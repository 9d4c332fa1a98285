import { chownSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Component } from '../component';
import type { PlatformConfig } from '../config';
import { runCommand } from '../run-command';
import { ensureSecret, secretFile } from '../secrets';

const ADMIN_USER = 'platform_admin';
const HOST = '127.0.0.1';
const CONNECT_TIMEOUT_MS = 2_000;
/** Bounded so that many parallel test suites cannot exhaust memory on a 2-core machine. */
const MAX_CONNECTIONS = 300;
/** How long a suite's database drop waits for its just-closed connections before forcing. */
const DROP_GRACE_MS = 2_000;
/** 2: an owner role and a runtime role per service database (decision 0015); 1 was one role owning the schema. */
const PROVISIONING_LAYOUT = 2;

export interface PostgresCredentials {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** Path of the file holding the password, for `*_FILE` settings. */
  readonly passwordFile: string;
}

function binDir(config: PlatformConfig): string {
  return `/usr/lib/postgresql/${config.postgres.version}/bin`;
}

/** PostgreSQL refuses to run as root; when we are root it runs as the Debian `postgres` user. */
function runAsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function chownTree(path: string, owner: { uid: number; gid: number }): void {
  chownSync(path, owner.uid, owner.gid);
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) chownTree(join(path, entry), owner);
  }
}

export function postgresAdmin(config: PlatformConfig): Omit<PostgresCredentials, 'database'> & { database: string } {
  return {
    host: HOST,
    port: config.postgres.port,
    database: 'postgres',
    user: ADMIN_USER,
    password: ensureSecret(config.stateDir, `postgres-${ADMIN_USER}`),
    passwordFile: secretFile(config.stateDir, `postgres-${ADMIN_USER}`),
  };
}

async function withClient<T>(credentials: PostgresAdminConnection & { readonly database: string }, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...credentials, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, statement_timeout: 30_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const IDENTIFIER = /^[a-z][a-z0-9_]{0,50}$/;

/**
 * `booking` → database `booking`, runtime role `svc_booking`, owner role `svc_booking_owner`.
 * Hyphens become underscores. The runtime role is what the running service logs in as; the owner
 * role owns the schema and is used only to migrate it (docs/decisions/0015-database-roles.md).
 */
export function postgresNames(name: string): { database: string; role: string; ownerRole: string } {
  const database = name.replace(/-/g, '_');
  if (!IDENTIFIER.test(database)) throw new Error(`"${name}" cannot be a database name (lower case, digits, _)`);
  return { database, role: `svc_${database}`, ownerRole: `svc_${database}_owner` };
}

export interface PostgresAdminConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** A login role: who, its password, and the file holding it (for `*_FILE` settings). */
export interface PostgresRole {
  readonly user: string;
  readonly password: string;
  readonly passwordFile: string;
}

/** A service's database with its two roles: `user` is the runtime role, `owner` migrates. */
export interface ServiceDatabaseCredentials extends PostgresCredentials {
  /** Owns the schema and every table in it; the migration step's login, never the running service's. */
  readonly owner: PostgresRole;
}

async function ensureLoginRole(client: Client, role: string, password: string): Promise<void> {
  const roleExists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const escapedPassword = client.escapeLiteral(password);
  if (roleExists.rowCount === 0) {
    await client.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ${escapedPassword}`);
  } else {
    await client.query(`ALTER ROLE ${role} PASSWORD ${escapedPassword}`);
  }
}

/** The database (owned by the administrator), reachable only by the given roles: CONNECT is revoked from PUBLIC. */
async function ensureDatabaseFor(client: Client, database: string, admin: string, roles: readonly string[]): Promise<void> {
  const databaseExists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (databaseExists.rowCount === 0) {
    await client.query(`CREATE DATABASE ${database} OWNER ${admin} ENCODING 'UTF8' TEMPLATE template0`);
  }
  await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${roles.join(', ')}`);
}

/**
 * Creates (idempotently) a database and one login role that owns its `public` schema: for an
 * application that manages its own schema at start-up (the schema registry, benchmarks). The role
 * cannot create databases or roles and cannot connect anywhere else.
 */
export async function provisionDatabase(admin: PostgresAdminConnection, name: string, password: string): Promise<{ database: string; user: string }> {
  const { database, role } = postgresNames(name);
  await withClient({ ...admin, database: 'postgres' }, async (client) => {
    await ensureLoginRole(client, role, password);
    await ensureDatabaseFor(client, database, admin.user, [role]);
    await client.query(`GRANT TEMPORARY ON DATABASE ${database} TO ${role}`);
  });
  await withClient({ ...admin, database }, async (client) => {
    await client.query(`ALTER SCHEMA public OWNER TO ${role}`);
    await client.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
  });
  return { database, user: role };
}

/**
 * A service's database with two login roles (decision 0015): `svc_<db>_owner` owns the `public`
 * schema and everything in it and runs the migrations; `svc_<db>`, the running service, may use the
 * schema (USAGE, no CREATE) and gets exactly the privileges its migrations' grants declare. Neither
 * can create databases or roles or connect to another database; the runtime role cannot create
 * temporary tables either. Idempotent, and it upgrades a database of the single-role layout (where
 * `svc_<db>` owned everything): what that role owns moves to the owner role.
 */
export async function provisionServiceDatabase(
  admin: PostgresAdminConnection,
  name: string,
  passwords: { readonly owner: string; readonly runtime: string },
): Promise<{ database: string; owner: string; runtime: string }> {
  const { database, role, ownerRole } = postgresNames(name);
  await withClient({ ...admin, database: 'postgres' }, async (client) => {
    await ensureLoginRole(client, ownerRole, passwords.owner);
    await ensureLoginRole(client, role, passwords.runtime);
    await ensureDatabaseFor(client, database, admin.user, [ownerRole, role]);
    // The single-role layout granted it; a runtime role has no use for temporary tables.
    await client.query(`REVOKE TEMPORARY ON DATABASE ${database} FROM ${role}`);
  });
  await withClient({ ...admin, database }, async (client) => {
    // Only objects of this database (and none shared: the runtime role owns no database).
    await client.query(`REASSIGN OWNED BY ${role} TO ${ownerRole}`);
    await client.query(`ALTER SCHEMA public OWNER TO ${ownerRole}`);
    await client.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
    await client.query(`REVOKE CREATE ON SCHEMA public FROM ${role}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  });
  return { database, owner: ownerRole, runtime: role };
}

/**
 * Drops databases and roles made by provisionDatabase or provisionServiceDatabase (test suites
 * clean up with it). All databases go first: a role granted something in another of them cannot be
 * dropped before.
 */
export async function dropProvisionedDatabases(admin: PostgresAdminConnection, names: readonly string[]): Promise<void> {
  const all = names.map(postgresNames);
  await withClient({ ...admin, database: 'postgres' }, async (client) => {
    // Give connections a caller just closed (pool.end() resolves before every backend is gone)
    // a moment to leave: FORCE would terminate them, and a pool still listening would see an
    // "terminating connection due to administrator command" error it did not expect.
    const deadline = Date.now() + DROP_GRACE_MS;
    for (;;) {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ANY($1)', [all.map((n) => n.database)]);
      if (Number(rows[0]?.n ?? 0) === 0 || Date.now() > deadline) break;
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
    }
    for (const { database } of all) await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const { role, ownerRole } of all) {
      await client.query(`DROP ROLE IF EXISTS ${role}`);
      await client.query(`DROP ROLE IF EXISTS ${ownerRole}`);
    }
  });
}

function roleWithSecret(stateDir: string, role: string): PostgresRole {
  return { user: role, password: ensureSecret(stateDir, `postgres-${role}`), passwordFile: secretFile(stateDir, `postgres-${role}`) };
}

/**
 * A database whose one role owns its schema (the registry's), with a generated password kept in
 * the state folder.
 */
export async function ensurePostgresDatabase(ctx: { readonly config: PlatformConfig }, name: string): Promise<PostgresCredentials> {
  const { config } = ctx;
  const login = roleWithSecret(config.stateDir, postgresNames(name).role);
  const { database } = await provisionDatabase(postgresAdmin(config), name, login.password);
  return { host: HOST, port: config.postgres.port, database, ...login };
}

/**
 * A service's database on the local PostgreSQL with its runtime role (`user`, `password`,
 * `passwordFile`: what the running service logs in as) and its owner role (`owner`: migrations),
 * passwords generated into the state folder (`postgres-svc_<db>.secret`, `postgres-svc_<db>_owner.secret`).
 */
export async function ensureServiceDatabase(ctx: { readonly config: PlatformConfig }, name: string): Promise<ServiceDatabaseCredentials> {
  const { config } = ctx;
  const names = postgresNames(name);
  const runtime = roleWithSecret(config.stateDir, names.role);
  const owner = roleWithSecret(config.stateDir, names.ownerRole);
  const { database } = await provisionServiceDatabase(postgresAdmin(config), name, { owner: owner.password, runtime: runtime.password });
  return { host: HOST, port: config.postgres.port, database, ...runtime, owner };
}

export const postgresComponent: Component = {
  name: 'postgres',
  dependsOn: [],
  readinessTimeout_s: 60,
  stopTimeout_s: 30,
  // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions and stop now;
  // SIGTERM would wait for every client to disconnect.
  stopSignal: 'SIGINT',

  version: (ctx) => ctx.config.postgres.version,
  ports: (ctx) => [{ name: 'sql', port: ctx.config.postgres.port }],

  async install(ctx) {
    if (existsSync(join(binDir(ctx.config), 'postgres'))) return;
    if (process.getuid?.() !== 0) {
      throw new Error(`PostgreSQL ${ctx.config.postgres.version} is not installed; run as root or: apt-get install -y postgresql-${ctx.config.postgres.version}`);
    }
    ctx.log(`installing postgresql-${ctx.config.postgres.version} from Debian's packages`);
    await runCommand('apt-get', ['update'], { logFile: ctx.logFile, timeout_ms: 300_000 });
    await runCommand('apt-get', ['install', '-y', '--no-install-recommends', `postgresql-${ctx.config.postgres.version}`], {
      logFile: ctx.logFile,
      timeout_ms: 600_000,
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
  },

  async prepare(ctx) {
    const user = runAsUser();
    const pgData = join(ctx.dataDir, 'pgdata');
    if (existsSync(join(pgData, 'PG_VERSION'))) return;
    rmSync(pgData, { recursive: true, force: true });
    const admin = postgresAdmin(ctx.config);
    // initdb reads the superuser's password from a file the postgres user can read; removed afterwards.
    const passwordFile = join(ctx.dataDir, 'initdb-password');
    writeFileSync(passwordFile, admin.password, { mode: 0o600 });
    if (user !== undefined) chownTree(ctx.dataDir, user);
    try {
      await runCommand(
        join(binDir(ctx.config), 'initdb'),
        ['-D', pgData, '-U', ADMIN_USER, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'],
        { logFile: ctx.logFile, user, timeout_ms: 120_000 },
      );
    } finally {
      rmSync(passwordFile, { force: true });
    }
  },

  command(ctx) {
    return {
      command: join(binDir(ctx.config), 'postgres'),
      args: [
        '-D', join(ctx.dataDir, 'pgdata'),
        '-c', `port=${ctx.config.postgres.port}`,
        '-c', `listen_addresses=${HOST}`,
        // TCP only: no socket files in shared folders, nothing to collide with the system cluster.
        '-c', 'unix_socket_directories=',
        '-c', `max_connections=${MAX_CONNECTIONS}`,
        '-c', 'shared_buffers=128MB',
        '-c', 'log_min_messages=warning',
        '-c', 'log_line_prefix=%m [%p] %q%u@%d ',
      ],
      user: runAsUser(),
    };
  },

  async probe(ctx) {
    try {
      await withClient(postgresAdmin(ctx.config), (client) => client.query('SELECT 1'));
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: `SELECT 1 as ${ADMIN_USER} failed: ${(error as Error).message}` };
    }
  },

  // Bump the layout when what afterStart provisions changes: a running PostgreSQL gets it on the next `up`.
  setupKey: (ctx) => JSON.stringify({ layout: PROVISIONING_LAYOUT, services: ctx.config.services }),

  async afterStart(ctx) {
    await withClient(postgresAdmin(ctx.config), async (client) => {
      // Nobody but the admin may connect to the maintenance databases.
      await client.query('REVOKE CONNECT ON DATABASE postgres FROM PUBLIC');
      await client.query('REVOKE CONNECT ON DATABASE template1 FROM PUBLIC');
    });
    for (const service of ctx.config.services) await ensureServiceDatabase(ctx, service);
  },
};
