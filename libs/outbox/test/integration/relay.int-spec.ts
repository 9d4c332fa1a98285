import { Registry } from 'prom-client';
import { inTransaction } from '@txn/sql';
import { waitFor } from '@txn/testing';
import { appendToOutbox, OutboxRelay } from '../../src';
import {
  appendCommitted,
  closedPort,
  expectOrderedPerKey,
  metricValue,
  OutboxHarness,
  quietLogger,
  testEvent,
  unreachablePublisher,
  waitForDelivery,
} from './support';

const KEYS = 24;
const EVENTS_PER_KEY = 20;
/** Events per writing transaction: several keys and several events of one key per transaction. */
const EVENTS_PER_TRANSACTION = 16;
/** Smaller than the total, so ordering must hold across many relay batches. */
const RELAY_BATCH = 50;

describe('outbox relay: publishes committed rows, in order per key, without loss', () => {
  let harness: OutboxHarness;

  beforeAll(async () => {
    harness = await OutboxHarness.create('outbox-relay');
  });

  afterAll(async () => {
    await harness?.dispose();
  });

  it('never publishes rows whose transaction rolled back', async () => {
    const { database, pool } = await harness.database('rollback');
    const topic = await harness.topic('rollback');
    const rolledBack = [testEvent(topic, 'k-1', 0), testEvent(topic, 'k-2', 0)];
    await expect(
      inTransaction(pool, async (tx) => {
        await appendToOutbox(tx, rolledBack);
        throw new Error('business rule failed after the outbox write');
      }),
    ).rejects.toThrow('business rule failed');
    const committed = [testEvent(topic, 'k-1', 0)];
    await appendCommitted(pool, committed);

    const relay = harness.relay(database);
    expect(await relay.runOnce()).toMatchObject({ outcome: 'sent', published: 1 });
    expect(await relay.runOnce()).toMatchObject({ outcome: 'idle', published: 0 });

    const sink = await harness.consume(topic);
    await waitForDelivery(sink, committed, 'the committed event');
    const rows = await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox');
    expect(rows.rows[0]?.n).toBe('1');
    expect(sink.map((d) => d.eventId)).toEqual(committed.map((m) => m.eventId));
  });

  it('keeps each key in order and complete over many keys, partitions and batches', async () => {
    const { database, pool } = await harness.database('ordering');
    const topic = await harness.topic('ordering');
    const keys = Array.from({ length: KEYS }, (_, i) => `booking-${i}`);
    // Interleaved: seq 0 of every key, then seq 1 of every key, ...
    const events = Array.from({ length: EVENTS_PER_KEY }, (_, seq) => keys.map((key) => testEvent(topic, key, seq))).flat();

    const sink = await harness.consume(topic);
    const relay = harness.relay(database, { maxBatchSize: RELAY_BATCH });
    relay.start();
    // Writers commit while the relay runs, as in production.
    for (let start = 0; start < events.length; start += EVENTS_PER_TRANSACTION) {
      await appendCommitted(pool, events.slice(start, start + EVENTS_PER_TRANSACTION));
    }
    await waitForDelivery(sink, events, `all ${events.length} events`);
    await relay.stop();

    expectOrderedPerKey(sink, new Map(keys.map((key) => [key, EVENTS_PER_KEY])));
    expect(sink).toHaveLength(events.length); // no duplicates without a crash
    expect(new Set(sink.map((d) => d.partition)).size).toBeGreaterThan(1);
    const first = sink.find((d) => d.eventId === events[0]?.eventId);
    expect(first?.headers).toMatchObject({
      'event-id': events[0]?.eventId,
      'event-type': 'TestHappened',
      'correlation-id': 'saga-booking-0',
      'causation-id': events[0]?.causationId,
      producer: 'outbox-int-spec',
    });
    const unsent = await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
    expect(unsent.rows[0]?.n).toBe('0');
  });

  it('republishes a batch after a crash between publish and mark-sent: a duplicate, never a loss', async () => {
    const { database, pool } = await harness.database('crash');
    const topic = await harness.topic('crash');
    const events = Array.from({ length: 10 }, (_, seq) => testEvent(topic, `k-${seq % 3}`, Math.floor(seq / 3)));
    await appendCommitted(pool, events);
    const sink = await harness.consume(topic);

    const crashing = harness.relay(database, {
      name: 'crashing',
      faults: {
        afterPublish: () => {
          throw new Error('simulated crash after publish, before mark-sent');
        },
      },
    });
    await expect(crashing.runOnce()).rejects.toThrow('simulated crash');
    expect(crashing.isLeader()).toBe(false); // its session, and so its lock, is gone
    await waitForDelivery(sink, events, 'the first (unmarked) publication');
    const pending = await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
    expect(pending.rows[0]?.n).toBe(String(events.length));

    const restarted = harness.relay(database, { name: 'restarted' });
    expect(await restarted.runOnce()).toMatchObject({ outcome: 'sent', published: events.length });
    await waitFor('every event twice', () => (events.every((e) => sink.filter((d) => d.eventId === e.eventId).length === 2) ? true : undefined), 30_000);

    expect(sink).toHaveLength(events.length * 2);
    expectOrderedPerKey(sink, new Map([['k-0', 4], ['k-1', 3], ['k-2', 3]]));
  });

  it('keeps rows pending with attempts and error while Kafka is unreachable, then publishes them', async () => {
    const { database, pool } = await harness.database('unreachable');
    const topic = await harness.topic('unreachable');
    const events = Array.from({ length: 5 }, (_, seq) => testEvent(topic, 'k-1', seq));
    await appendCommitted(pool, events);

    const registry = new Registry();
    const down = unreachablePublisher(await closedPort());
    const failing = new OutboxRelay({ database, publisher: down, registry, logger: quietLogger, metricsRefreshInterval_ms: 0 });
    harness.relays.push(failing);
    const first = await failing.runOnce();
    expect(first).toMatchObject({ outcome: 'retried', published: 0, failed: events.length });
    expect(first.error).toMatch(/connect|ECONNREFUSED/i);
    expect(await failing.runOnce()).toMatchObject({ outcome: 'retried' });

    const rows = await pool.query<{ attempts: number; last_error: string | null; sent_at: Date | null }>('SELECT attempts, last_error, sent_at FROM outbox ORDER BY id');
    expect(rows.rows.map((r) => r.attempts)).toEqual(events.map(() => 2));
    expect(rows.rows.every((r) => r.sent_at === null && (r.last_error ?? '').length > 0)).toBe(true);
    expect(await metricValue(registry, 'outbox_pending_rows')).toBe(events.length);
    expect(await metricValue(registry, 'outbox_oldest_unsent_age_seconds')).toBeGreaterThan(0);
    expect(await metricValue(registry, 'outbox_failed_batches_total')).toBe(2);
    expect(await metricValue(registry, 'outbox_published_batches_total')).toBe(0);
    await failing.stop();
    await down.close();

    // Kafka back (here: the relay restarted with a reachable publisher): the rows go out in order.
    const recoveredRegistry = new Registry();
    const recovered = harness.relay(database, { registry: recoveredRegistry });
    expect(await recovered.runOnce()).toMatchObject({ outcome: 'sent', published: events.length });
    expect(await metricValue(recoveredRegistry, 'outbox_pending_rows')).toBe(0);
    expect(await metricValue(recoveredRegistry, 'outbox_oldest_unsent_age_seconds')).toBe(0);
    const sink = await harness.consume(topic);
    await waitForDelivery(sink, events, 'the recovered events');
    expectOrderedPerKey(sink, new Map([['k-1', events.length]]));
  });

  it('deletes sent rows older than the retention, a bounded number per iteration', async () => {
    const { database, pool } = await harness.database('retention');
    const topic = await harness.topic('retention');
    await appendCommitted(pool, [testEvent(topic, 'k', 0), testEvent(topic, 'k', 1)]);
    const relay = harness.relay(database, { retention_ms: 0, cleanupInterval_ms: 0 });
    const sent = await relay.runOnce();
    expect(sent).toMatchObject({ outcome: 'sent', published: 2 });
    const cleaned = sent.deleted === 2 ? sent : await relay.runOnce();
    expect(cleaned.deleted).toBe(2);
    const rows = await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox');
    expect(rows.rows[0]?.n).toBe('0');
  });
});
