import { Registry } from 'prom-client';
import { waitFor } from '@txn/testing';
import type { OutboxRelay } from '../../src';
import { appendCommitted, DELIVERY_TIMEOUT_MS, expectOrderedPerKey, metricValue, OutboxHarness, testEvent, waitForDelivery } from './support';

const KEYS = 12;
const EVENTS_PER_KEY_PER_PHASE = 5;

describe('outbox relay: one active relay per database (session advisory lock)', () => {
  let harness: OutboxHarness;

  beforeAll(async () => {
    harness = await OutboxHarness.create('outbox-leader');
  });

  afterAll(async () => {
    await harness?.dispose();
  });

  it('lets only the lock holder publish, and a standby take over when the holder dies or stops, in order', async () => {
    const { database, pool } = await harness.database('leader');
    const topic = await harness.topic('leader');
    const keys = Array.from({ length: KEYS }, (_, i) => `wallet-${i}`);
    let nextSeq = 0;
    const phase = () => {
      const events = Array.from({ length: EVENTS_PER_KEY_PER_PHASE }, (_, i) => keys.map((key) => testEvent(topic, key, nextSeq + i))).flat();
      nextSeq += EVENTS_PER_KEY_PER_PHASE;
      return events;
    };
    const registries = { a: new Registry(), b: new Registry() };
    const relays: Record<'a' | 'b', OutboxRelay> = {
      a: harness.relay(database, { name: 'a', registry: registries.a, maxBatchSize: 20 }),
      b: harness.relay(database, { name: 'b', registry: registries.b, maxBatchSize: 20 }),
    };
    const published = async (name: 'a' | 'b') => metricValue(registries[name], 'outbox_published_records_total');
    const heldLocks = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).rows[0]?.n);
    const sink = await harness.consume(topic);

    // Phase 1: a takes the lock first; b stands by and publishes nothing.
    expect(await relays.a.runOnce()).toMatchObject({ outcome: 'idle' });
    expect(await relays.b.runOnce()).toMatchObject({ outcome: 'standby' });
    relays.a.start();
    relays.b.start();
    const first = phase();
    await appendCommitted(pool, first);
    await waitForDelivery(sink, first, 'phase 1 events');
    // Counters move after mark-sent, which may follow the consumer seeing the records.
    await waitFor('a to count phase 1 as published', async () => ((await published('a')) === first.length ? true : undefined), DELIVERY_TIMEOUT_MS);
    expect(await published('b')).toBe(0);
    expect(relays.b.isLeader()).toBe(false);
    expect(await heldLocks()).toBe(1);

    // Phase 2: a's session dies (terminated server-side, as when its host vanishes). Whichever
    // relay gets the lock next publishes; never both at once.
    await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'outbox-relay:a'");
    const second = phase();
    await appendCommitted(pool, second);
    await waitForDelivery(sink, second, 'phase 2 events');
    const leader = await waitFor('one leader after the session loss', () => {
      const leaders = (['a', 'b'] as const).filter((name) => relays[name].isLeader());
      return leaders.length === 1 ? leaders[0] : undefined;
    }, DELIVERY_TIMEOUT_MS);
    expect(await heldLocks()).toBe(1);

    // Phase 3: the leader stops; the other takes over and publishes the rest.
    const standby = leader === 'a' ? 'b' : 'a';
    await relays[leader].stop();
    const before = await published(standby);
    const third = phase();
    await appendCommitted(pool, third);
    await waitForDelivery(sink, third, 'phase 3 events');
    expect(relays[standby].isLeader()).toBe(true);
    await waitFor(`${standby} to count phase 3 as published`, async () => ((await published(standby)) >= before + third.length ? true : undefined), DELIVERY_TIMEOUT_MS);

    expectOrderedPerKey(sink, new Map(keys.map((key) => [key, nextSeq])));
    const unsent = await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
    expect(unsent.rows[0]?.n).toBe('0');
  });
});
