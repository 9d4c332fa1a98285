import { Client } from 'pg';
import { createSuiteScope, testEnvironment, type SuiteDatabase, type SuiteScope } from '@txn/testing';

async function connect(db: SuiteDatabase, database = db.database): Promise<Client> {
  const client = new Client({ ...db, database, connectionTimeoutMillis: 5_000 });
  await client.connect();
  return client;
}

async function connectAsAdmin(database: string): Promise<Client> {
  const { host, port, adminUser, adminPassword } = testEnvironment().postgres;
  const client = new Client({ host, port, user: adminUser, password: adminPassword, database, connectionTimeoutMillis: 5_000 });
  await client.connect();
  return client;
}

describe('PostgreSQL: one database and least-privilege role per service', () => {
  let scope: SuiteScope;
  let booking: SuiteDatabase;
  let payment: SuiteDatabase;

  beforeAll(async () => {
    scope = await createSuiteScope('postgres');
    booking = await scope.database('booking');
    payment = await scope.database('payment');
  });
  afterAll(async () => scope.dispose());

  it('lets a service create, write and read tables in its own database as its own role', async () => {
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

  it('provisions a role per platform service at start-up', async () => {
    const admin = await connectAsAdmin('postgres');
    try {
      const { rows } = await admin.query<{ rolname: string }>(
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'svc\\_%' AND rolname NOT LIKE 'svc\\_t\\_%' ORDER BY rolname",
      );
      expect(rows.map((r) => r.rolname)).toEqual(
        expect.arrayContaining(['svc_api_gateway', 'svc_audit', 'svc_booking', 'svc_ledger', 'svc_notification', 'svc_payment', 'svc_webhook_ingress']),
      );
    } finally {
      await admin.end();
    }
  });
});
