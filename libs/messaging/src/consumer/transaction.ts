import type { Pool, PoolClient } from 'pg';
import { checkOut, fromPgClient, type CheckedOutClient } from '@txn/sql';
import type { ApplyBatch, ApplyInScope } from './pipeline';

/** The database could not even start a transaction: not the message's fault, never parked. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Transaction middleware: a sub-batch in one PostgreSQL transaction on a pooled connection, with
 * every statement bounded by `statementTimeout_ms`. COMMIT when the work succeeds, ROLLBACK when it
 * throws (a connection whose ROLLBACK failed is destroyed, its state being unknown); what the work
 * asked to run once the transaction ended runs after either.
 */
export function inTransaction(pool: Pool, statementTimeout_ms: number, next: ApplyInScope): ApplyBatch {
  if (!Number.isInteger(statementTimeout_ms) || statementTimeout_ms < 1) throw new Error(`statementTimeout_ms must be a positive integer, got ${statementTimeout_ms}`);
  return async (items) => {
    let checkedOut: CheckedOutClient | undefined;
    try {
      checkedOut = await checkOut(pool);
      // One round trip for both: a multi-statement simple query runs them in order, the SET
      // inside the transaction the BEGIN opened (statementTimeout_ms is a checked integer).
      await checkedOut.client.query(`BEGIN; SET LOCAL statement_timeout = ${statementTimeout_ms}`);
    } catch (error) {
      checkedOut?.release(true);
      throw new DatabaseUnavailableError(`could not start an inbox transaction: ${(error as Error).message}`, { cause: error });
    }
    const client: PoolClient = checkedOut.client;
    const finishers: ((committed: boolean) => void)[] = [];
    const settle = (committed: boolean): void => finishers.forEach((finish) => finish(committed));
    try {
      const applied = await next({ tx: fromPgClient(client), onSettled: (finish) => finishers.push(finish) }, items);
      await client.query('COMMIT');
      checkedOut.release();
      settle(true);
      return applied;
    } catch (error) {
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      checkedOut.release(!rolledBack);
      settle(false);
      throw error;
    }
  };
}
