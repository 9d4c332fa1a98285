import type { SqlTransaction } from '@txn/sql';

/** A statement was issued through an inbox transaction after its handler had finished. */
export class TransactionClosedError extends Error {
  constructor() {
    super('this inbox transaction belongs to a handler that already finished (or timed out): a write after that would land in another message\'s transaction');
    this.name = 'TransactionClosedError';
  }
}

export interface ScopedTransaction {
  readonly tx: SqlTransaction;
  /** From now on every statement through `tx` is refused. */
  close(): void;
}

/**
 * The runtime's transaction as a handler may use it: only while the handler runs. The pooled
 * connection behind it goes back to the pool (and into another message's transaction) after the
 * outcome; a late statement from a forgotten promise or a timed-out handler must fail, not write.
 */
export function scopeTransaction(tx: SqlTransaction): ScopedTransaction {
  let open = true;
  return {
    tx: {
      query<Row extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]> {
        if (!open) return Promise.reject(new TransactionClosedError());
        return tx.query<Row>(text, params);
      },
    },
    close(): void {
      open = false;
    },
  };
}
