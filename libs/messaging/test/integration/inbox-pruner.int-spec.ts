import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { inTransaction } from '@txn/sql';
import { InboxPruner, MIN_INBOX_RETENTION_DAYS, pruneInboxBatch } from '../../src';
import { amountMoved, amountMovedSchema, FLOW_TIMEOUT_MS, Harness, recordingHandler, waitFor } from './harness';

// The inbox's dedup window on real PostgreSQL (and, for the redelivery, real Kafka): rows older
// than the retention go in bounded batches, younger rows stay and still turn a redelivery into
// a duplicate.

const SCHEMA = amountMovedSchema();
const RETENTION_DAYS = MIN_INBOX_RETENTION_DAYS;
const DAY_MS = 24 * 60 * 60 * 1_000;
const RETENTION_MS = RETENTION_DAYS * DAY_MS;

describe('inbox pruner: a dedup window as long as redeliveries can arrive', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.create('messaging-inbox-pruner');
  });

  afterAll(async () => {
    await harness?.dispose();
  });

  /** Inserts `count` inbox rows of `group` handled `age_ms` ago; returns their event ids. */
  async function rowsAged(group: string, count: number, age_ms: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    await harness.pool.query(
      `INSERT INTO inbox (consumer_group, event_id, event_type, topic, "partition", "offset", outcome, handled_at)
       SELECT $1, id, 'AmountMoved', 'test', 0, ord, 'applied', now() - ($3::bigint * interval '1 millisecond')
         FROM unnest($2::uuid[]) WITH ORDINALITY AS e(id, ord)`,
      [group, ids, age_ms],
    );
    return ids;
  }

  async function remaining(group: string): Promise<Set<string>> {
    const result = await harness.pool.query<{ event_id: string }>('SELECT event_id FROM inbox WHERE consumer_group = $1', [group]);
    return new Set(result.rows.map((row) => row.event_id));
  }

  function pruner(registry: Registry, batchSize: number, maxBatches: number): InboxPruner {
    return new InboxPruner({ pool: harness.pool, registry, logger: pino({ level: 'silent' }), retentionDays: RETENTION_DAYS, batchSize, maxBatches });
  }

  it('deletes rows handled before the retention, keeps younger ones, and counts what it deleted', async () => {
    const group = harness.scope.groupId('window');
    const old = await rowsAged(group, 7, RETENTION_MS + DAY_MS);
    const young = await rowsAged(group, 5, RETENTION_MS - DAY_MS);
    const fresh = await rowsAged(group, 3, 0);
    const registry = new Registry();

    const prune = await pruner(registry, 1_000, 10).runOnce();

    expect(prune).toEqual({ deleted: old.length, batches: 1, complete: true });
    expect(await remaining(group)).toEqual(new Set([...young, ...fresh]));
    expect(await registry.getSingleMetricAsString('messaging_inbox_pruned_rows_total')).toContain(`messaging_inbox_pruned_rows_total ${old.length}`);
  });

  it('deletes at most one batch per statement and at most maxBatches batches per prune', async () => {
    const group = harness.scope.groupId('batches');
    await rowsAged(group, 25, RETENTION_MS + DAY_MS);

    expect(await inTransaction(harness.pool, (tx) => pruneInboxBatch(tx, RETENTION_MS, 10))).toBe(10);
    expect((await remaining(group)).size).toBe(15);

    // 15 due rows, batches of 4, at most 3 batches: 12 go now, 3 wait for the next prune.
    const bounded = pruner(new Registry(), 4, 3);
    expect(await bounded.runOnce()).toEqual({ deleted: 12, batches: 3, complete: false });
    expect((await remaining(group)).size).toBe(3);
    expect(await bounded.runOnce()).toEqual({ deleted: 3, batches: 1, complete: true });
    expect(await remaining(group)).toEqual(new Set());
  });

  it('still reports a redelivery within the retention as duplicate, and applies again one from before it', async () => {
    const topic = harness.scope.topic('redelivery');
    await harness.scope.createTopics([{ topic, numPartitions: 1 }]);
    const subject = `${topic}-test.messaging.AmountMoved`;
    await harness.register(subject, SCHEMA);
    const group = harness.scope.groupId('redelivery');
    const within = amountMoved('acct-within', 100n);
    const beyond = amountMoved('acct-beyond', 200n);
    const consumer = await harness.startConsumer({ topic, group, handler: recordingHandler(group) });
    await harness.produce(topic, subject, SCHEMA, within);
    await harness.produce(topic, subject, SCHEMA, beyond);
    await waitFor('both events applied', () => (consumer.outcomes('applied').length === 2 ? true : undefined), FLOW_TIMEOUT_MS);

    // Age the rows instead of waiting: one a day inside the retention, one a day past it.
    await harness.pool.query(`UPDATE inbox SET handled_at = now() - ($3::bigint * interval '1 millisecond') WHERE consumer_group = $1 AND event_id = $2`, [group, within.envelope.eventId, RETENTION_MS - DAY_MS]);
    await harness.pool.query(`UPDATE inbox SET handled_at = now() - ($3::bigint * interval '1 millisecond') WHERE consumer_group = $1 AND event_id = $2`, [group, beyond.envelope.eventId, RETENTION_MS + DAY_MS]);
    expect(await pruner(new Registry(), 1_000, 1).runOnce()).toEqual({ deleted: 1, batches: 1, complete: true });

    await harness.produce(topic, subject, SCHEMA, within);
    await harness.produce(topic, subject, SCHEMA, beyond);
    await waitFor('both redeliveries handled', () => (consumer.outcomes('applied').length + consumer.outcomes('duplicate').length === 4 ? true : undefined), FLOW_TIMEOUT_MS);

    expect(consumer.outcomes('duplicate').map((line) => line.eventId)).toEqual([within.envelope.eventId]);
    // Past the window dedup is gone: that is the price of pruning, and why the window outlasts Kafka's retention.
    expect((await harness.effects(group)).map((row) => row.event_id)).toEqual([within.envelope.eventId, beyond.envelope.eventId, beyond.envelope.eventId]);
    await consumer.stop();
  });
});
