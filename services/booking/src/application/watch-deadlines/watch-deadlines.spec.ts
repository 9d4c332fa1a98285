import type { OutboxWriter, PendingEvent } from '@txn/nest-messaging';
import pino from 'pino';
import { Registry } from 'prom-client';
import { captured, FakeBookings, HOUR_MS, NOW, runInFakeTransaction, TX } from '../../../test/unit/fake-bookings';
import { DeadlineMetrics } from './deadline-metrics';
import { DEADLINE_WATCHER_ACTOR, watchDeadlines } from './watch-deadlines';

function watcher(bookings: FakeBookings, registry: Registry) {
  const published: PendingEvent[] = [];
  const outbox: OutboxWriter = { publishAll: async (_tx, events) => void published.push(...events) };
  const deps = {
    transactions: runInFakeTransaction,
    reads: TX,
    bookings,
    outbox,
    metrics: new DeadlineMetrics(registry),
    logger: pino({ level: 'silent' }),
    producer: 'booking',
    batchSize: 10,
    interval_ms: 1_000,
    holdSweepInterval_ms: 1_000,
    clock: () => NOW,
  };
  return { deps, published };
}

describe('the saga deadline watcher', () => {
  it('sends one BookingDeadlineReached per passed deadline, from the platform, and never asks twice', async () => {
    const bookings = new FakeBookings();
    const stuck = bookings.put(captured({ capturedAmount: null, confirmedAt: new Date(NOW.getTime() - 2 * HOUR_MS) }));
    bookings.put(captured({ capturedAmount: null, confirmedAt: NOW }));
    const { deps, published } = watcher(bookings, new Registry());
    expect(await watchDeadlines(deps)).toBe(1);
    expect(published.map((pending) => pending.event.envelope)).toEqual([
      expect.objectContaining({ eventType: 'BookingDeadlineReached', aggregateId: stuck.bookingId, correlationId: stuck.bookingId, causationId: null, actor: DEADLINE_WATCHER_ACTOR }),
    ]);
    expect(published[0]?.event).toMatchObject({ stage: 'CAPTURE', statusSeen: 'CONFIRMED' });
    expect(await watchDeadlines(deps)).toBe(0);
  });

  it('reports how many sagas are past their deadline by stage', async () => {
    const bookings = new FakeBookings();
    const registry = new Registry();
    bookings.put(captured({ capturedAmount: null, confirmedAt: new Date(NOW.getTime() - 2 * HOUR_MS) }));
    await watchDeadlines(watcher(bookings, registry).deps);
    const gauge = await registry.getSingleMetric('booking_sagas_overdue')?.get();
    expect(gauge?.values.find((value) => value.labels.stage === 'CAPTURE')?.value).toBe(1);
  });
});
