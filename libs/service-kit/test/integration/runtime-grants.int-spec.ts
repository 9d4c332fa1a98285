import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, type DatabaseError } from 'pg';
import pino from 'pino';
import { createSuiteScope, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { checkRuntimeDatabase, DatabaseRoleError, MigrationError, migrateServiceDatabase, type ServiceSchema } from '../../src';

// The migration runner with two roles on the real PostgreSQL (decision 0015): migrations run as the
// schema's owner, the running role gets exactly what grants.sql declares, a table nobody declared
// stops the migration step, and the running service refuses to start as a role that could change
// its own tables or on a schema that is not current.

const SILENT = pino({ level: 'silent' });
/** PostgreSQL's insufficient_privilege. */
const INSUFFICIENT_PRIVILEGE = '42501';

const TABLES = `CREATE TABLE entries (id bigint PRIMARY KEY, note text NOT NULL);
CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);`;
const GRANTS = `-- entries are append-only for the running role
GRANT SELECT, INSERT ON entries TO :runtime_role;
GRANT SELECT, INSERT, UPDATE ON notes TO :runtime_role;
GRANT USAGE ON SEQUENCE notes_id_seq TO :runtime_role;`;

function failureOf(promise: Promise<unknown>): Promise<DatabaseError | Error | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => error as DatabaseError,
  );
}

describe('migrations as the owner, the service as a role with only the declared privileges (real PostgreSQL)', () => {
  let scope: SuiteScope;
  let folder: string;
  const pools: Pool[] = [];

  const schema = (): ServiceSchema => ({ migrationsDirectory: folder });
  const migrate = (database: SuiteDatabase): ReturnType<typeof migrateServiceDatabase> =>
    migrateServiceDatabase({ connection: { host: database.host, port: database.port, database: database.database, user: database.user, password: database.password }, runtimeRole: database.runtime.user, schema: schema(), logger: SILENT, applicationName: 'runtime-grants-test' });
  const runtimePool = (database: SuiteDatabase): Pool => {
    const pool = new Pool({ host: database.host, port: database.port, database: database.database, user: database.runtime.user, password: database.runtime.password, max: 2 });
    pools.push(pool);
    return pool;
  };
  const write = (name: string, text: string): void => writeFileSync(join(folder, name), text);

  beforeAll(async () => {
    scope = await createSuiteScope('runtime-grants');
  });
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'runtime-grants-'));
    write('001_tables.sql', TABLES);
    write('grants.sql', GRANTS);
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await scope?.dispose();
  });

  it('gives the running role what grants.sql declares and nothing more: no DDL, no UPDATE/DELETE/TRUNCATE it was not given', async () => {
    const database = await scope.database('declared');
    const report = await migrate(database);
    expect(report.applied).toEqual(['001_tables']);
    const pool = runtimePool(database);
    await checkRuntimeDatabase(pool, schema());
    await pool.query("INSERT INTO entries VALUES (1, 'first')");
    await pool.query("INSERT INTO notes (body) VALUES ('a note')");
    await pool.query("UPDATE notes SET body = 'edited'");
    expect((await pool.query('SELECT count(*)::int AS n FROM entries')).rows).toEqual([{ n: 1 }]);
    for (const statement of ["UPDATE entries SET note = 'changed'", 'DELETE FROM entries', 'TRUNCATE entries', 'DELETE FROM notes', 'CREATE TABLE planted (id int)', 'CREATE TEMP TABLE planted (id int)', 'ALTER TABLE entries ADD COLUMN sneaky int', 'DROP TABLE entries']) {
      expect({ statement, code: ((await failureOf(pool.query(statement))) as DatabaseError | undefined)?.code }).toEqual({ statement, code: INSUFFICIENT_PRIVILEGE });
    }
  });

  it('stops the migration step when a table has no declaration, naming the table and grants.sql; declared, it passes', async () => {
    const database = await scope.database('undeclared');
    await migrate(database);
    write('002_breaks.sql', 'CREATE TABLE breaks (id text PRIMARY KEY);');
    const failure = await failureOf(migrate(database));
    expect(failure).toBeInstanceOf(MigrationError);
    expect(failure?.message).toContain(`no privilege on table breaks: declare what the running service does with each in ${join(folder, 'grants.sql')}`);
    write('grants.sql', `${GRANTS}\nGRANT SELECT, INSERT ON breaks TO :runtime_role;\n`);
    expect((await migrate(database)).applied).toEqual([]);
    await runtimePool(database).query("INSERT INTO breaks VALUES ('b1')");
  });

  it('treats grants.sql as the whole truth: a privilege taken out of it is revoked on the next run', async () => {
    const database = await scope.database('revoked');
    await migrate(database);
    const pool = runtimePool(database);
    await pool.query("UPDATE notes SET body = 'allowed'");
    write('grants.sql', GRANTS.replace('GRANT SELECT, INSERT, UPDATE ON notes', 'GRANT SELECT, INSERT ON notes'));
    await migrate(database);
    expect(((await failureOf(pool.query("UPDATE notes SET body = 'no longer'"))) as DatabaseError).code).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it('refuses to run the service as a role that owns its schema, and on a schema missing a migration', async () => {
    const database = await scope.database('checks');
    const ownerPool = new Pool({ host: database.host, port: database.port, database: database.database, user: database.user, password: database.password, max: 1 });
    pools.push(ownerPool);
    const notMigrated = await failureOf(checkRuntimeDatabase(runtimePool(database), schema()));
    expect(notMigrated).toBeInstanceOf(MigrationError);
    expect(notMigrated?.message).toMatch(/lacks migrations this build needs: \(all: the database was never migrated\)/);
    await migrate(database);
    const asOwner = await failureOf(checkRuntimeDatabase(ownerPool, schema()));
    expect(asOwner).toBeInstanceOf(DatabaseRoleError);
    expect(asOwner?.message).toContain(`DATABASE_USER ${database.user} owns the schema public`);
    write('002_more.sql', 'CREATE INDEX entries_note_idx ON entries (note);');
    const behind = await failureOf(checkRuntimeDatabase(runtimePool(database), schema()));
    expect(behind?.message).toContain('lacks migrations this build needs: 002_more');
  });

  it('refuses to declare privileges when the runtime role is the migration role itself', async () => {
    const database = await scope.database('same');
    const failure = await failureOf(migrateServiceDatabase({ connection: { host: database.host, port: database.port, database: database.database, user: database.user, password: database.password }, runtimeRole: database.user, schema: schema(), logger: SILENT, applicationName: 'runtime-grants-test' }));
    expect(failure?.message).toMatch(/is the migration role itself/);
  });
});
