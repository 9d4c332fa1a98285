import fc from 'fast-check';
import type { Actor } from '@txn/contracts';
import { money } from '@txn/money';
import type { Booking, BookingDecision } from './booking';
import { DEFAULT_DEADLINE_POLICY, expireLapsedHold, sagaDeadline, type SagaDeadline } from './deadlines';
import { hold, requestBooking } from './intents';
import { onPaymentAuthorized, SAGA_REASONS } from './saga';

const START = new Date('2030-01-01T10:00:00Z');
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const PRICE = money(10_000n, 'EUR');
const BOOKING_SERVICE: Actor = { type: 'SERVICE', id: 'booking' };
const SWEEPER: Actor = { type: 'SYSTEM', id: 'booking-expiry-sweeper' };

/** A booking held at START for `hold_ms`, and its HOLD deadline as the store keeps it. */
function heldFor(hold_ms: number, grace_ms: number): { booking: Booking; stored: SagaDeadline } {
  const requested = requestBooking(
    {
      bookingId: 'b1',
      tenantId: 't1',
      customerId: 'c1',
      customerEmail: null,
      slot: { resourceId: 'r1', startsAt: new Date(START.getTime() + 48 * HOUR_MS), endsAt: new Date(START.getTime() + 49 * HOUR_MS) },
      price: PRICE,
      holdExpiresAt: new Date(START.getTime() + hold_ms),
    },
    START,
  );
  const booking = hold(requested, { now: START, actor: { type: 'USER', id: 'c1' } }).state;
  const stored = sagaDeadline(booking, { ...DEFAULT_DEADLINE_POLICY, holdExpiryGrace_ms: grace_ms });
  if (stored === null) throw new Error('a held booking has a deadline');
  return { booking, stored };
}

/** The expiry sweeper's decision on a held booking it found (the store hands it over with its stored deadline). */
function sweep(booking: Booking, stored: SagaDeadline, now: Date): BookingDecision {
  return expireLapsedHold(booking, stored, { now, actor: SWEEPER });
}

/** Offsets that often land exactly on a boundary (the hold's expiry, the end of its grace), and anywhere else. */
const nearOrFar = (far_ms: number) => fc.oneof(fc.integer({ min: -2, max: 2 }), fc.integer({ min: -far_ms, max: far_ms }));

const race = fc.record({
  hold_ms: fc.integer({ min: MINUTE_MS, max: 2 * HOUR_MS }),
  grace_ms: fc.oneof(fc.constant(15 * MINUTE_MS), fc.integer({ min: 0, max: 2 * HOUR_MS })),
  /** When the PSP authorized, from the hold's expiry (never before the booking was held). */
  authorizedFromExpiry_ms: nearOrFar(2 * HOUR_MS),
  /** How long after the authorization booking consumed it: from the end of the grace, so that both sides of it are tried. */
  consumedFromGraceEnd_ms: nearOrFar(3 * HOUR_MS),
  /** When the sweeper ran, from the end of the grace. */
  sweepsFromGraceEnd_ms: fc.array(nearOrFar(3 * HOUR_MS), { maxLength: 4 }),
});

describe('the race between a hold expiring and its authorization, decided by when the authorization happened', () => {
  it('confirms iff the PSP authorized at or before the hold expiry and the booking was still held; the sweeper never takes a hold before its expiry plus the grace', () => {
    fc.assert(
      fc.property(race, (r) => {
        const { booking: held, stored } = heldFor(r.hold_ms, r.grace_ms);
        const expiry_ms = held.holdExpiresAt.getTime();
        const graceEnd_ms = expiry_ms + r.grace_ms;
        const authorizedAt = new Date(Math.max(START.getTime(), expiry_ms + r.authorizedFromExpiry_ms));
        const consumedAt = new Date(Math.max(authorizedAt.getTime(), graceEnd_ms + r.consumedFromGraceEnd_ms));

        // Every sweep up to the consumption, in time order; at the same millisecond the sweep goes first.
        let booking = held;
        const sweeps = r.sweepsFromGraceEnd_ms.map((offset_ms) => Math.max(START.getTime(), graceEnd_ms + offset_ms)).sort((a, b) => a - b);
        for (const at_ms of sweeps.filter((at) => at <= consumedAt.getTime())) booking = sweep(booking, stored, new Date(at_ms)).state;
        const heldWhenConsumed = booking.status === 'HELD';

        const decision = onPaymentAuthorized(booking, { paymentId: 'p1', authorizedAmount: PRICE, authorizedAt }, { now: consumedAt, actor: BOOKING_SERVICE });
        const inTime = authorizedAt.getTime() <= expiry_ms;

        expect(decision.state.status === 'CONFIRMED').toBe(inTime && heldWhenConsumed);
        // Consumer lag up to the grace costs no customer their booking.
        if (consumedAt.getTime() < graceEnd_ms) expect(heldWhenConsumed).toBe(true);
        // A late authorization never confirms: the booking expires and payment voids it.
        if (!inTime && heldWhenConsumed) expect(decision).toMatchObject({ outcome: 'applied', state: { status: 'EXPIRED' }, events: [{ payload: { reason: SAGA_REASONS.authorizedAfterHold } }] });
        if (!heldWhenConsumed) expect(decision).toMatchObject({ outcome: 'stale', state: { status: 'EXPIRED' } });
      }),
      { numRuns: 2_000 },
    );
  });
});
