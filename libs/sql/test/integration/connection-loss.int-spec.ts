import { Pool } from 'pg';
import { createSuiteScope, testEnvironment, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { inTransaction } from '../../src';

// PostgreSQL killed (or a backend terminated) while a pooled connection is checked out: pg emits
// 'error' on that client, and the pool listens only to idle ones. With no listener of ours the
// event is thrown and the whole process dies (every instance of the payment service did, on a
// `kill -9` of PostgreSQL mid-saga). A lost connection must be the transaction's failure, never the process's.

describe('a pooled connection lost while checked out', () => {
  let scope: SuiteScope;
  let database: SuiteDatabase;
  let pool: Pool;
  let admin: Pool;

  beforeAll(async () => {
    scope = await createSuiteScope('sql-connection-loss');
    database = await scope.database('sql');
    pool = new Pool({ host: database.host, port: database.port, database: database.database, user: database.user, password: database.password, max: 2 });
    pool.on('error', () => undefined);
    const { postgres } = testEnvironment();
    admin = new Pool({ host: database.host, port: database.port, database: database.database, user: postgres.adminUser, password: postgres.adminPassword, max: 1 });
  });

  afterAll(async () => {
    await pool?.end();
    await admin?.end();
    await scope?.dispose();
  });

  it('fails the transaction it was in, and the pool goes on with a new connection', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const outcome = inTransaction(pool, async (tx) => {
        const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // Between two statements of the transaction, the server ends this backend, as a crash would.
        await admin.query('SELECT pg_terminate_backend($1)', [row?.pid]);
        await new Promise((resolvePromise) => setTimeout(resolvePromise, 300));
        return tx.query('SELECT 1');
      });
      await expect(outcome).rejects.toThrow();
      expect(uncaught).toEqual([]);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
