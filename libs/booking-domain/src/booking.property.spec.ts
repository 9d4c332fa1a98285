import fc from 'fast-check';
import type { Actor } from '@txn/contracts';
import { money } from '@txn/money';
import { DEFAULT_REFUND_POLICY } from '@txn/payment-domain';
import { BOOKING_TRANSITIONS, isTerminalBooking, type Booking, type BookingDecision } from './booking';
import { cancel, complete, expire, hold, reject, REJECTION_CODES, requestBooking } from './intents';
import { onPaymentAuthorized, onPaymentCaptured, onPaymentCaptureFailed, onPaymentFailed } from './saga';

const ACTOR: Actor = { type: 'SERVICE', id: 'booking' };
const START = new Date('2030-01-01T10:00:00Z');
const PRICE = money(10_000n, 'EUR');
const PAYMENTS = ['p1', 'p2'];

const action = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('hold' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('reject' as const) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('authorized' as const), paymentId: fc.constantFrom(...PAYMENTS), lag_ms: fc.integer({ min: -600_000, max: 600_000 }), amountMinor: fc.constantFrom(10_000n, 10_000n, 9_999n) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('failed' as const), paymentId: fc.constantFrom(...PAYMENTS) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('captured' as const), paymentId: fc.constantFrom(...PAYMENTS) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('captureFailed' as const), paymentId: fc.constantFrom(...PAYMENTS) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('cancel' as const), by: fc.constantFrom('CUSTOMER', 'MERCHANT', 'PLATFORM' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('expire' as const) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('complete' as const) }) },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

function apply(booking: Booking, a: Action, now: Date): BookingDecision {
  const ctx = { now, actor: ACTOR };
  switch (a.type) {
    case 'hold': return hold(booking, ctx);
    case 'reject': return reject(booking, REJECTION_CODES.slotUnavailable, 'slot taken', ctx);
    case 'authorized': return onPaymentAuthorized(booking, { paymentId: a.paymentId, authorizedAmount: money(a.amountMinor, 'EUR'), authorizedAt: new Date(now.getTime() + a.lag_ms) }, ctx);
    case 'failed': return onPaymentFailed(booking, { paymentId: a.paymentId }, ctx);
    case 'captured': return onPaymentCaptured(booking, { paymentId: a.paymentId, capturedAmount: PRICE }, ctx);
    case 'captureFailed': return onPaymentCaptureFailed(booking, { paymentId: a.paymentId }, ctx);
    case 'cancel': return cancel(booking, { reason: 'CUSTOMER_REQUEST', cancelledBy: a.by, refundPolicy: DEFAULT_REFUND_POLICY }, ctx);
    case 'expire': return expire(booking, ctx);
    case 'complete': return complete(booking, { deliveredAt: now, reason: null }, ctx);
  }
}

const reached = new Map<string, number>();

describe('booking state machine under any sequence of commands and payment facts', () => {
  it('only moves forward along legal transitions, one version per event, and never leaves a terminal state', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(action, fc.integer({ min: 0, max: 10 * 60_000 })), { minLength: 5, maxLength: 40 }), (run) => {
        let now = START;
        let booking = requestBooking(
          {
            bookingId: 'b1',
            tenantId: 't1',
            customerId: 'c1',
            customerEmail: null,
            slot: { resourceId: 'r1', startsAt: new Date(START.getTime() + 26 * 3_600_000), endsAt: new Date(START.getTime() + 27 * 3_600_000) },
            price: PRICE,
            holdExpiresAt: new Date(START.getTime() + 3_600_000),
          },
          START,
        );
        for (const [a, advance_ms] of run) {
          now = new Date(now.getTime() + advance_ms);
          const before = booking;
          const decision = apply(before, a, now);
          booking = decision.state;
          reached.set(booking.status, (reached.get(booking.status) ?? 0) + 1);
          if (decision.outcome !== 'applied') {
            expect(decision.state).toBe(before);
            continue;
          }
          expect(booking.version).toBe(before.version + BigInt(decision.events.length));
          expect(decision.events.length <= 1).toBe(true);
          for (const event of decision.events) {
            expect(event.aggregateVersion).toBe(booking.version);
            expect(event.payload.statusBefore).toBe(before.status === 'REQUESTED' ? null : before.status);
            expect(BOOKING_TRANSITIONS[before.status]).toContain(event.payload.statusAfter);
            expect(event.payload.statusAfter).toBe(booking.status);
            expect(event.payload.reason.length > 0).toBe(true);
          }
          if (isTerminalBooking(before)) expect(booking.status).toBe(before.status);
          // A booking completes only with captured money, and confirms only with the full price authorized.
          if (booking.status === 'COMPLETED') expect(booking.capturedAmount).not.toBeNull();
          if (booking.status === 'CONFIRMED') expect(booking.authorizedAmount).toEqual(PRICE);
        }
      }),
      { numRuns: 500 },
    );
    if (process.env.BOOKING_COVERAGE) process.stdout.write(`${JSON.stringify([...reached])}\n`);
    for (const status of ['HELD', 'REJECTED', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'COMPLETED']) expect(reached.get(status) ?? 0).toBeGreaterThan(0);
  });
});
