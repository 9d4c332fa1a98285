import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { recordSpans } from '@txn/testing';
import type { Pool } from 'pg';
import type { SqlTransaction } from '@txn/sql';
import type { ConsumedRecord } from '../ports';
import { handlerStep, InvalidOutcomeError } from './handler-step';
import { deduplicated } from './inbox-step';
import type { Applied, BatchScope, DecodedItem } from './pipeline';
import { withRetries } from './retries';
import { traced } from './traced';
import { DatabaseUnavailableError, inTransaction } from './transaction';

// Each middleware of the consumer runtime on its own, with typed fakes. Together, against the real
// PostgreSQL and Kafka, they are proved by test/integration and the backbone contract suite.

const GROUP = 'unit-group';

function item(eventId: string = randomUUID()): DecodedItem {
  const record: ConsumedRecord = { topic: 'unit.events.v1', partition: 0, offset: '7', key: null, value: null, headers: {}, timestamp: '0' };
  return { kind: 'decoded', record, message: { eventId, eventType: 'AmountMoved', correlationId: undefined, causationId: undefined, topic: record.topic, partition: 0, offset: '7', key: null, writerSchemaId: 1, value: {} } };
}

/** A transaction that answers the inbox claim with the ids not seen before, and logs every statement. */
function inboxTx(seen: Set<string>, statements: string[]): SqlTransaction {
  return {
    query<Row extends object>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      statements.push(text.trim().split(/\s+/).slice(0, 3).join(' '));
      if (text.includes('INSERT INTO inbox')) {
        const ids = (params[1] as string[]).filter((id) => !seen.has(id));
        ids.forEach((id) => seen.add(id));
        return Promise.resolve([...new Set(ids)].map((event_id) => ({ event_id }) as unknown as Row));
      }
      return Promise.resolve([]);
    },
  };
}

function scopeOf(tx: SqlTransaction): BatchScope & { settle(committed: boolean): void } {
  const finishers: ((committed: boolean) => void)[] = [];
  return { tx, onSettled: (finish) => finishers.push(finish), settle: (committed) => finishers.forEach((finish) => finish(committed)) };
}

const appliedBy = (outcome: Applied['outcome']) => (_scope: BatchScope, decoded: DecodedItem): Promise<Applied> => Promise.resolve({ item: decoded, outcome, duration_ms: 1, traceId: '' });

describe('the handler step', () => {
  it('passes the handler the scope\'s transaction and refuses an answer that is not an outcome', async () => {
    const tx = inboxTx(new Set(), []);
    let seenTx: SqlTransaction | undefined;
    const applied = await handlerStep((given) => ((seenTx = given), Promise.resolve('applied')))(scopeOf(tx), item());
    expect(applied.outcome).toBe('applied');
    expect(seenTx).toBe(tx);
    await expect(handlerStep(() => Promise.resolve('done' as never))(scopeOf(tx), item())).rejects.toBeInstanceOf(InvalidOutcomeError);
  });
});

describe('the inbox dedup middleware', () => {
  it('claims the batch in one statement, skips what is already there or repeated, and records the rest\'s outcomes in one more', async () => {
    const seen = new Set<string>();
    const statements: string[] = [];
    const handled: string[] = [];
    const step = deduplicated(GROUP, (scope, decoded) => (handled.push(decoded.message.eventId), appliedBy('applied')(scope, decoded)));
    const old = item();
    seen.add(old.message.eventId);
    const fresh = item();
    const repeated = item(fresh.message.eventId);
    const results = await step(scopeOf(inboxTx(seen, statements)), [old, fresh, repeated]);
    expect(results.map((r) => r.outcome)).toEqual(['duplicate', 'applied', 'duplicate']);
    expect(handled).toEqual([fresh.message.eventId]);
    expect(statements).toEqual(['INSERT INTO inbox', 'UPDATE inbox AS']);
  });
});

describe('the tracing middleware', () => {
  const spans = recordSpans();
  afterAll(() => spans.uninstall());

  it('handles each message in a consumer span that ends with its transaction, marked when it rolled back', async () => {
    const committed = scopeOf(inboxTx(new Set(), []));
    const step = traced(GROUP, (scope, decoded) => {
      expect(trace.getActiveSpan()).toBeDefined();
      return appliedBy('applied')(scope, decoded);
    });
    const applied = await step(committed, item());
    expect(applied.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spans.exporter.getFinishedSpans()).toHaveLength(0);
    committed.settle(true);
    const rolledBack = scopeOf(inboxTx(new Set(), []));
    await step(rolledBack, item());
    rolledBack.settle(false);
    const [first, second] = spans.exporter.getFinishedSpans();
    expect(first?.attributes).toMatchObject({ 'messaging.consumer.group.name': GROUP, 'txn.outcome': 'applied' });
    expect(first?.attributes['txn.transaction_rolled_back']).toBeUndefined();
    expect(second?.attributes['txn.transaction_rolled_back']).toBe(true);
  });
});

describe('the transaction middleware', () => {
  function pool(statements: string[], options: { failConnect?: boolean; failRollback?: boolean } = {}): Pool {
    const client = {
      query: (text: string) => {
        statements.push(text);
        return options.failRollback === true && text === 'ROLLBACK' ? Promise.reject(new Error('gone')) : Promise.resolve({ rows: [] });
      },
      release: (destroy?: boolean) => void statements.push(destroy === true ? 'destroy' : 'release'),
      // A checked-out connection is listened to for errors (@txn/sql checkOut).
      on: () => client,
      removeListener: () => client,
    };
    return { connect: () => (options.failConnect === true ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(client)) } as unknown as Pool;
  }

  it('commits what succeeded and tells the steps it committed; rolls back what threw and tells them that', async () => {
    const statements: string[] = [];
    const settled: boolean[] = [];
    const ok = inTransaction(pool(statements), 500, (scope, items) => (scope.onSettled((c) => settled.push(c)), Promise.resolve(items.map((i) => ({ item: i, outcome: 'applied' as const, duration_ms: 0, traceId: '' })))));
    await ok([item()]);
    const failing = inTransaction(pool(statements), 500, (scope) => (scope.onSettled((c) => settled.push(c)), Promise.reject(new Error('boom'))));
    await expect(failing([item()])).rejects.toThrow('boom');
    expect(statements).toEqual(['BEGIN; SET LOCAL statement_timeout = 500', 'COMMIT', 'release', 'BEGIN; SET LOCAL statement_timeout = 500', 'ROLLBACK', 'release']);
    expect(settled).toEqual([true, false]);
  });

  it('says the database is unavailable when it cannot begin, and destroys a connection whose rollback failed', async () => {
    await expect(inTransaction(pool([], { failConnect: true }), 500, () => Promise.resolve([]))([item()])).rejects.toBeInstanceOf(DatabaseUnavailableError);
    const statements: string[] = [];
    await expect(inTransaction(pool(statements, { failRollback: true }), 500, () => Promise.reject(new Error('boom')))([item()])).rejects.toThrow('boom');
    expect(statements.at(-1)).toBe('destroy');
  });
});

describe('the retry middleware', () => {
  const options = (pauses: boolean[] = []) => ({
    policy: { maxAttempts: 3, initialDelay_ms: 1, maxDelay_ms: 1 },
    pause: () => Promise.resolve(pauses.shift() ?? true),
    now: () => new Date(0),
    random: () => 0,
    failures: [] as number[],
  });

  it('retries a failing message in place and gives its result once an attempt succeeds', async () => {
    let calls = 0;
    const o = options();
    const retrying = withRetries((items) => (++calls < 3 ? Promise.reject(new Error('flaky')) : Promise.resolve(items.map((i) => ({ item: i, outcome: 'applied' as const, duration_ms: 0, traceId: '' })))), { ...o, onFailure: (_i, _e, attempt) => o.failures.push(attempt) });
    expect(await retrying(item())).toMatchObject({ kind: 'applied', applied: { outcome: 'applied' } });
    expect(o.failures).toEqual([1, 2]);
  });

  it('is exhausted after the policy\'s attempts (to be parked), abandons when the batch is, and never counts a database outage', async () => {
    const o = options();
    const failing = (): Promise<never> => Promise.reject(new Error('always'));
    expect(await withRetries(failing, { ...o, onFailure: () => undefined })(item())).toMatchObject({ kind: 'exhausted', attempts: 3 });
    expect(await withRetries(failing, { ...options([false]), onFailure: () => undefined })(item())).toEqual({ kind: 'abandoned' });
    const down = (): Promise<never> => Promise.reject(new DatabaseUnavailableError('down'));
    await expect(withRetries(down, { ...o, onFailure: () => undefined })(item())).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });
});
