import type { DeliveryRecord, DeliveryStore } from '../ports';
import { catchUp, catchUpSince, CATCH_UP_FIRST_WINDOW_MS, CATCH_UP_OVERLAP_MS, type PspEventList } from './catch-up';

/** A typed fake of the store port: remembers PSP event ids, like the dedup row. */
function memoryStore(): DeliveryStore & { readonly records: DeliveryRecord[] } {
  const seen = new Set<string>();
  const records: DeliveryRecord[] = [];
  return {
    records,
    store: (record) => {
      records.push(record);
      const first = !seen.has(record.event.pspEventId);
      seen.add(record.event.pspEventId);
      return Promise.resolve({ first });
    },
    newestEventAt: (_provider, account) => {
      const mine = records.filter((record) => record.delivery.account === account);
      return Promise.resolve(mine.length === 0 ? null : new Date(Math.max(...mine.map((record) => record.event.pspCreatedAt.getTime()))));
    },
  };
}

const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const NOW = new Date('2026-12-02T12:00:00Z');

function event(index: number, type = 'payment_intent.succeeded'): unknown {
  return { id: `evt_${index}`, object: 'event', type, created: 1_764_000_000 + index, livemode: false, data: { object: { id: `pi_${index}`, object: 'payment_intent' } } };
}

/** A list of `count` events, newest first, `pageSize` per page, like Stripe's. */
function listOf(count: number, pageSize: number): PspEventList & { readonly calls: (string | undefined)[] } {
  const all = Array.from({ length: count }, (_, index) => event(count - index));
  const calls: (string | undefined)[] = [];
  return {
    calls,
    page: (_since, startingAfter) => {
      calls.push(startingAfter);
      const start = startingAfter === undefined ? 0 : all.findIndex((candidate) => (candidate as { id: string }).id === startingAfter) + 1;
      return Promise.resolve({ events: all.slice(start, start + pageSize), hasMore: start + pageSize < all.length });
    },
  };
}

describe('catch-up from the PSP event list', () => {
  it('reads every page, stores what it did not hold, counts what it held, publishes the families payment consumes', async () => {
    const store = memoryStore();
    await store.store({ delivery: {} as DeliveryRecord['delivery'], event: { pspEventId: 'evt_3' } as DeliveryRecord['event'], source: { kind: 'FETCHED' }, publish: null });
    const report = await catchUp({ account: 'default', store, events: listOf(7, 3), logger, now: NOW, maxPages: 10 }, NOW);
    expect(report).toMatchObject({ pages: 3, fetched: 7, stored: 6, known: 1, unreadable: 0, complete: true });
    expect(store.records.slice(1).every((record) => record.source.kind === 'FETCHED' && record.publish !== null)).toBe(true);
  });

  it('stops at its page bound and says where, so the next run continues after the oldest event it read', async () => {
    const list = listOf(10, 2);
    const store = memoryStore();
    const first = await catchUp({ account: 'default', store, events: list, logger, now: NOW, maxPages: 2 }, NOW);
    expect(first).toMatchObject({ pages: 2, fetched: 4, complete: false, resumeAfter: 'evt_7' });
    const second = await catchUp({ account: 'default', store, events: list, logger, now: NOW, maxPages: 10 }, NOW, first.resumeAfter);
    expect(second).toMatchObject({ fetched: 6, stored: 6, complete: true });
    expect(new Set(store.records.map((record) => record.event.pspEventId)).size).toBe(10);
  });

  it('skips an entry that is not an event, and counts it', async () => {
    const store = memoryStore();
    const events: PspEventList = { page: () => Promise.resolve({ events: [event(1), { object: 'nonsense' }], hasMore: false }) };
    expect(await catchUp({ account: 'default', store, events, logger, now: NOW, maxPages: 1 }, NOW)).toMatchObject({ stored: 1, unreadable: 1, complete: true });
  });

  it('starts an hour before the newest event held, or three days back when none is held', async () => {
    const store = memoryStore();
    expect(await catchUpSince({ account: 'default', store, now: NOW }, 'stripe')).toEqual(new Date(NOW.getTime() - CATCH_UP_FIRST_WINDOW_MS));
    await catchUp({ account: 'default', store, events: listOf(1, 1), logger, now: NOW, maxPages: 1 }, NOW);
    expect(await catchUpSince({ account: 'default', store, now: NOW }, 'stripe')).toEqual(new Date((1_764_000_001 * 1000) - CATCH_UP_OVERLAP_MS));
    // Another account's list is its own: what `default` holds says nothing of where `eu` starts.
    expect(await catchUpSince({ account: 'eu', store, now: NOW }, 'stripe')).toEqual(new Date(NOW.getTime() - CATCH_UP_FIRST_WINDOW_MS));
  });

  it('stores what it fetched under the account whose list it read', async () => {
    const store = memoryStore();
    const report = await catchUp({ account: 'eu', store, events: listOf(2, 2), logger, now: NOW, maxPages: 1 }, NOW);
    expect(report).toMatchObject({ account: 'eu', stored: 2, complete: true });
    expect(store.records.map((record) => record.delivery.account)).toEqual(['eu', 'eu']);
  });
});
