import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createSuiteScope, testEnvironment, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { dropProvisionedDatabases, provisionDatabase, provisionServiceDatabase } from '../../src/components/postgres';

/** As the database's owner role (the migration role), or as its runtime role. */
async function connect(db: SuiteDatabase, database = db.database, as: 'owner' | 'runtime' = 'owner'): Promise<Client> {
  const login = as === 'owner' ? { user: db.user, password: db.password } : db.runtime;
  const client = new Client({ host: db.host, port: db.port, ...login, database, connectionTimeoutMillis: 5_000 });
  await client.connect();
  return client;
}

function adminConnection(): { host: string; port: number; user: string; password: string } {
  const { host, port, adminUser, adminPassword } = testEnvironment().postgres;
  return { host, port, user: adminUser, password: adminPassword };
}

async function connectAsAdmin(database: string): Promise<Client> {
  const { host, port, adminUser, adminPassword } = testEnvironment().postgres;
  const client = new Client({ host, port, user: adminUser, password: adminPassword, database, connectionTimeoutMillis: 5_000 });
  await client.connect();
  return client;
}

describe('PostgreSQL: one database per service, with an owner role for migrations and a least-privilege runtime role', () => {
  let scope: SuiteScope;
  let booking: SuiteDatabase;
  let payment: SuiteDatabase;

  beforeAll(async () => {
    scope = await createSuiteScope('postgres');
    booking = await scope.database('booking');
    payment = await scope.database('payment');
  });
  afterAll(async () => scope.dispose());

  it('lets a service\'s owner role create, write and read tables in its own database', async () => {
    const client = await connect(booking);
    try {
      await client.query('CREATE TABLE slot (id bigint PRIMARY KEY, label text NOT NULL)');
      await client.query("INSERT INTO slot VALUES (1, 'morning')");
      const { rows } = await client.query<{ label: string; current_user: string }>('SELECT label, current_user FROM slot');
      expect(rows).toEqual([{ label: 'morning', current_user: booking.user }]);
    } finally {
      await client.end();
    }
  });

  it("refuses a service's role a connection to another service's database", async () => {
    const owner = await connect(payment);
    await owner.query('CREATE TABLE charge (id bigint PRIMARY KEY)');
    await owner.end();
    await expect(connect(booking, payment.database)).rejects.toThrow(/permission denied for database/);
  });

  it("refuses a service's role the tables of another role in the same database", async () => {
    // Even if two services ever shared a database, tables stay private to their owner.
    const admin = await connectAsAdmin(payment.database);
    try {
      await admin.query(`GRANT CONNECT ON DATABASE ${payment.database} TO ${booking.user}`);
      await admin.query(`GRANT USAGE ON SCHEMA public TO ${booking.user}`);
    } finally {
      await admin.end();
    }
    const intruder = await connect(booking, payment.database);
    try {
      await expect(intruder.query('SELECT * FROM charge')).rejects.toThrow(/permission denied for table charge/);
      await expect(intruder.query('CREATE TABLE planted (id int)')).rejects.toThrow(/permission denied for schema public/);
    } finally {
      await intruder.end();
    }
  });

  it('gives service roles no power to create databases or roles', async () => {
    const client = await connect(booking);
    try {
      await expect(client.query('CREATE DATABASE sneaky')).rejects.toThrow(/permission denied to create database/);
      await expect(client.query('CREATE ROLE sneaky')).rejects.toThrow(/permission denied to create role/);
    } finally {
      await client.end();
    }
  });

  it('gives the runtime role of a service database no DDL at all: it cannot create tables, temporary ones included', async () => {
    const owner = await connect(booking);
    await owner.query('CREATE TABLE ledgerish (id bigint PRIMARY KEY)');
    await owner.end();
    const runtime = await connect(booking, booking.database, 'runtime');
    try {
      await expect(runtime.query('CREATE TABLE planted (id int)')).rejects.toThrow(/permission denied for schema public/);
      await expect(runtime.query('CREATE TEMP TABLE planted (id int)')).rejects.toThrow(/permission denied to create temporary tables/);
      // Owned by the owner, granted nothing yet (the migrations' grants.sql does that): not even readable.
      await expect(runtime.query('SELECT * FROM ledgerish')).rejects.toThrow(/permission denied for table ledgerish/);
      await expect(runtime.query('ALTER TABLE ledgerish ADD COLUMN x int')).rejects.toThrow(/must be owner of table ledgerish/);
    } finally {
      await runtime.end();
    }
  });

  it('upgrades a database of the single-role layout: what the service role owned moves to the owner role', async () => {
    const name = `t_${randomBytes(3).toString('hex')}_upgrade`;
    const passwords = { owner: randomBytes(12).toString('hex'), runtime: randomBytes(12).toString('hex') };
    const admin = adminConnection();
    try {
      const { database, user } = await provisionDatabase(admin, name, passwords.runtime);
      const before = new Client({ host: admin.host, port: admin.port, database, user, password: passwords.runtime });
      await before.connect();
      await before.query('CREATE TABLE journal (id bigint PRIMARY KEY)');
      await before.end();
      const roles = await provisionServiceDatabase(admin, name, passwords);
      expect(roles).toEqual({ database, owner: `${user}_owner`, runtime: user });
      const after = new Client({ host: admin.host, port: admin.port, database, user, password: passwords.runtime });
      await after.connect();
      try {
        const { rows } = await after.query<{ owner: string; schema_owner: string }>("SELECT pg_get_userbyid(relowner) AS owner, (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public') AS schema_owner FROM pg_class WHERE relname = 'journal'");
        expect(rows).toEqual([{ owner: roles.owner, schema_owner: roles.owner }]);
        await expect(after.query('DROP TABLE journal')).rejects.toThrow(/must be owner of table journal/);
      } finally {
        await after.end();
      }
    } finally {
      await dropProvisionedDatabases(admin, [name]);
    }
  });

  it('provisions a role per platform service at start-up', async () => {
    const admin = await connectAsAdmin('postgres');
    try {
      const { rows } = await admin.query<{ rolname: string }>(
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'svc\\_%' AND rolname NOT LIKE 'svc\\_t\\_%' ORDER BY rolname",
      );
      expect(rows.map((r) => r.rolname)).toEqual(
        expect.arrayContaining(['svc_api_gateway', 'svc_audit', 'svc_booking', 'svc_ledger', 'svc_notification', 'svc_payment', 'svc_webhook_ingress'].flatMap((role) => [role, `${role}_owner`])),
      );
    } finally {
      await admin.end();
    }
  });
});
