import type { Pool, PoolClient } from 'pg';

/**
 * The caller's open transaction. Every write in the shared libraries (outbox rows, inbox rows)
 * takes one, so that it commits or rolls back together with the business state change: a write
 * that opened its own connection would auto-commit on its own, and that is a bug.
 */
export interface SqlTransaction {
  /** Runs one statement; returns its rows (use RETURNING to learn what a write did). */
  query<Row extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** pg's PoolClient / Client inside BEGIN … COMMIT. */
export function fromPgClient(client: Pick<PoolClient, 'query'>): SqlTransaction {
  return {
    async query<Row extends object>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await client.query<Row>(text, [...params]);
      return result.rows;
    },
  };
}

/**
 * TypeORM's EntityManager of a transaction (`dataSource.transaction(manager => …)`). With the
 * postgres driver, `manager.query` returns the rows for SELECT and for INSERT/UPDATE … RETURNING.
 */
export function fromEntityManager(manager: { query(text: string, params?: unknown[]): Promise<unknown> }): SqlTransaction {
  return {
    async query<Row extends object>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await manager.query(text, [...params]);
      if (!Array.isArray(result)) return [];
      // UPDATE/DELETE … RETURNING come back as [rows, affectedCount].
      if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
      return result as Row[];
    },
  };
}

/** A pooled connection checked out with a listener for its errors; `release` gives it back (or destroys it). */
export interface CheckedOutClient {
  readonly client: PoolClient;
  /** Set once the connection reported an error: it is not given back to the pool. */
  lost(): Error | undefined;
  /** Gives the connection back, or destroys it when `destroy` or when it was lost. */
  release(destroy?: boolean): void;
}

/**
 * `pool.connect()`, with what pg leaves to the caller: the pool listens for errors on idle
 * connections only, so a connection lost while checked out (PostgreSQL killed or restarted, the
 * backend terminated) emits 'error' with nobody listening, and Node ends the process. Here the
 * error is kept instead: the statement in flight fails on its own, the next one fails on the
 * dead connection, and the connection is destroyed when it is released.
 */
export async function checkOut(pool: Pool): Promise<CheckedOutClient> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error): void => {
    lost ??= error;
  };
  client.on('error', onError);
  return {
    client,
    lost: () => lost,
    release(destroy = false) {
      client.removeListener('error', onError);
      client.release(destroy || lost !== undefined ? (lost ?? true) : undefined);
    },
  };
}

/** Runs `work` in one transaction on a pooled connection: COMMIT on success, ROLLBACK on any error. */
export async function inTransaction<T>(pool: Pool, work: (tx: SqlTransaction, client: PoolClient) => Promise<T>): Promise<T> {
  const checkedOut = await checkOut(pool);
  const { client } = checkedOut;
  let rolledBack = true;
  try {
    await client.query('BEGIN');
    const result = await work(fromPgClient(client), client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    throw error;
  } finally {
    // A connection whose ROLLBACK failed is in an unknown state: it is not reused.
    checkedOut.release(!rolledBack);
  }
}

/**
 * Something that runs work in one transaction: what periodic work and use cases outside the inbox
 * take instead of a pool, so that a unit test can hand them a fake.
 */
export type Transactions = <T>(work: (tx: SqlTransaction) => Promise<T>) => Promise<T>;

/** Transactions on a pool's connections (`inTransaction`). */
export function transactionsOn(pool: Pool): Transactions {
  return (work) => inTransaction(pool, (tx) => work(tx));
}
