import type { Actor, BookingDeadlineReached } from '@txn/contracts';
import { Registry } from 'prom-client';
import { captured, envelope, FakeBookings, HOUR_MS, NOW, TX } from '../../../test/unit/fake-bookings';
import { DeadlineMetrics } from '../watch-deadlines/deadline-metrics';
import { reachDeadline } from './reach-deadline';

const WATCHER = { type: 'SYSTEM' as const, id: 'booking-deadline-watcher' };

function timeout(bookingId: string, deadlineAt: Date, actor: Actor = WATCHER): BookingDeadlineReached {
  return { envelope: envelope('BookingDeadlineReached', actor, bookingId), bookingId, stage: 'CAPTURE', deadlineAt, statusSeen: 'CONFIRMED' };
}

async function timedOut(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('booking_saga_timeouts_total')?.get();
  return metric?.values.find((value) => value.labels.stage === 'CAPTURE')?.value ?? 0;
}

describe('a saga deadline reached', () => {
  it('cancels a booking whose capture never came, refunding everything, and counts the timeout', async () => {
    const bookings = new FakeBookings();
    const registry = new Registry();
    const waiting = bookings.put(captured({ capturedAmount: null, confirmedAt: new Date(NOW.getTime() - 2 * HOUR_MS) }));
    const decided = await reachDeadline(TX, timeout(waiting.bookingId, new Date(NOW.getTime() - HOUR_MS)), { bookings, now: NOW, metrics: new DeadlineMetrics(registry) });
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { status: 'CANCELLED', refundAmount: { amountMinor: 12_000n } }, events: [{ actor: WATCHER, payload: { reason: 'SAGA_DEADLINE_EXCEEDED' } }] });
    expect(await timedOut(registry)).toBe(1);
  });

  it('is stale once the saga moved on (the capture arrived meanwhile), and is not counted', async () => {
    const bookings = new FakeBookings();
    const registry = new Registry();
    const moved = bookings.put(captured());
    const decided = await reachDeadline(TX, timeout(moved.bookingId, new Date(NOW.getTime() - HOUR_MS)), { bookings, now: NOW, metrics: new DeadlineMetrics(registry) });
    expect(decided.decision).toMatchObject({ outcome: 'stale', stale: 'STAGE_PASSED' });
    expect(await timedOut(registry)).toBe(0);
  });

  it('refuses a timeout sent by anyone but the platform itself', async () => {
    const bookings = new FakeBookings();
    const waiting = bookings.put(captured({ capturedAmount: null }));
    const forged = timeout(waiting.bookingId, new Date(NOW.getTime() - HOUR_MS), { type: 'USER', id: 'customer-1' });
    expect((await reachDeadline(TX, forged, { bookings, now: NOW, metrics: new DeadlineMetrics(new Registry()) })).decision).toMatchObject({ outcome: 'refused', refused: 'NOT_SYSTEM' });
  });

  it('judges a timeout by the deadline stored with the booking: one carrying an earlier deadline is refused (DEADLINE_MISMATCH) and changes nothing', async () => {
    const bookings = new FakeBookings();
    const registry = new Registry();
    // Confirmed just now: its stored capture deadline is an hour ahead.
    const waiting = bookings.put(captured({ capturedAmount: null, confirmedAt: NOW }));
    const stored = bookings.rows.get(waiting.bookingId)?.deadline;
    expect(stored).toEqual({ stage: 'CAPTURE', at: new Date(NOW.getTime() + HOUR_MS) });
    // From the platform, for the right stage, claiming a deadline that passed an hour ago: a stale copy or a forgery.
    const early = timeout(waiting.bookingId, new Date(NOW.getTime() - HOUR_MS));
    const decided = await reachDeadline(TX, early, { bookings, now: NOW, metrics: new DeadlineMetrics(registry) });
    expect(decided.decision).toMatchObject({ outcome: 'refused', refused: 'DEADLINE_MISMATCH' });
    // Unchanged: the same state, nothing for the settle path to store.
    expect(decided.decision).toMatchObject({ state: waiting });
    expect(await timedOut(registry)).toBe(0);
  });

  it('refuses a timeout naming the stored deadline before that deadline has passed, and applies it once it has', async () => {
    const bookings = new FakeBookings();
    const waiting = bookings.put(captured({ capturedAmount: null, confirmedAt: NOW }));
    const storedAt = new Date(NOW.getTime() + HOUR_MS);
    const early = { ...timeout(waiting.bookingId, storedAt), envelope: envelope('BookingDeadlineReached', WATCHER, waiting.bookingId, NOW) };
    expect((await reachDeadline(TX, early, { bookings, now: NOW, metrics: new DeadlineMetrics(new Registry()) })).decision).toMatchObject({ outcome: 'refused', refused: 'DEADLINE_NOT_DUE' });
    const due = { ...timeout(waiting.bookingId, storedAt), envelope: envelope('BookingDeadlineReached', WATCHER, waiting.bookingId, storedAt) };
    expect((await reachDeadline(TX, due, { bookings, now: storedAt, metrics: new DeadlineMetrics(new Registry()) })).decision).toMatchObject({ outcome: 'applied', state: { status: 'CANCELLED' } });
  });
});
