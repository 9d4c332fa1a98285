import { DEFAULT_DEADLINE_POLICY } from '@txn/booking-domain';
import { DecisionSettler, type OutboxWriter } from '@txn/nest-messaging';
import pino from 'pino';
import { Registry } from 'prom-client';
import { booking, FakeBookings, NOW, runInFakeTransaction } from '../../../test/unit/fake-bookings';
import { bookingDecisionStore } from '../booking-decided';
import { expireDueHolds, expireHoldsIteration, SWEEPER_ACTOR } from './expire-holds';

/** The default grace (BOOKING_HOLD_EXPIRY_GRACE_MS), as the ledger's. */
const GRACE_MS = 15 * 60_000;

function sweep(bookings: FakeBookings, batchSize: number) {
  const published: string[] = [];
  const outbox: OutboxWriter = { publishAll: async (_tx, events) => void published.push(...events.map((pending) => pending.event.envelope.eventType)) };
  const settler = new DecisionSettler({ service: 'booking', outbox, store: bookingDecisionStore(bookings, DEFAULT_DEADLINE_POLICY), logger: pino({ level: 'silent' }), metrics: new Registry() });
  const deps = { transactions: runInFakeTransaction, bookings, settler, batchSize, clock: () => NOW, logger: pino({ level: 'silent' }) };
  return { deps, published };
}

describe('the hold expiry sweep', () => {
  it('leaves a hold alone for the grace after its expiry: an authorization made in time may still be on its way', async () => {
    const bookings = new FakeBookings();
    const inGrace = bookings.put(booking({ holdExpiresAt: new Date(NOW.getTime() - GRACE_MS + 1) }));
    const { deps, published } = sweep(bookings, 10);
    expect(await expireDueHolds(deps)).toBe(0);
    expect(bookings.stored(inGrace.bookingId)?.status).toBe('HELD');
    expect(published).toEqual([]);
  });

  it('expires holds past their expiry and its grace, as the sweeper, and leaves holds still running alone', async () => {
    const bookings = new FakeBookings();
    const lapsed = bookings.put(booking({ holdExpiresAt: new Date(NOW.getTime() - GRACE_MS) }));
    const running = bookings.put(booking());
    const { deps, published } = sweep(bookings, 10);
    expect(await expireDueHolds(deps)).toBe(1);
    expect(bookings.stored(lapsed.bookingId)).toMatchObject({ status: 'EXPIRED', version: 2n });
    expect(bookings.stored(running.bookingId)?.status).toBe('HELD');
    expect(published).toEqual(['BookingExpired']);
    expect(bookings.rows.get(lapsed.bookingId)?.deadline).toBeNull();
    expect(SWEEPER_ACTOR.type).toBe('SYSTEM');
  });

  it('sweeps again at once after a full batch, and waits after a partial one', async () => {
    const bookings = new FakeBookings();
    for (let n = 0; n < 3; n += 1) bookings.put(booking({ holdExpiresAt: new Date(NOW.getTime() - GRACE_MS - 1_000 + n) }));
    const { deps } = sweep(bookings, 2);
    expect(await expireHoldsIteration(deps)).toBe('more-due');
    expect(await expireHoldsIteration(deps)).toBe('caught-up');
  });
});
