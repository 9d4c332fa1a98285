import type { SqlTransaction } from '@txn/sql';
import { scopeTransaction, TransactionClosedError } from './scoped-transaction';

describe('a handler\'s scoped transaction', () => {
  it('forwards statements while the handler runs and refuses them afterwards', async () => {
    const seen: string[] = [];
    const tx: SqlTransaction = {
      query: async <Row extends object>(text: string): Promise<Row[]> => {
        seen.push(text);
        return [];
      },
    };
    const scoped = scopeTransaction(tx);
    await scoped.tx.query('SELECT 1');
    scoped.close();
    await expect(scoped.tx.query('INSERT INTO late VALUES (1)')).rejects.toBeInstanceOf(TransactionClosedError);
    expect(seen).toEqual(['SELECT 1']);
  });
});
