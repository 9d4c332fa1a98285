import fc from 'fast-check';
import type { Actor } from '@txn/contracts';
import { money } from '@txn/money';
import { DEFAULT_REFUND_POLICY } from './refund-policy';
import { BOOKING_TRANSITIONS, isTerminalBooking, type Booking, type BookingDecision } from './booking';
import { deadlineStage, onDeadlineReached, sagaDeadline, type BookingDeadlineStage } from './deadlines';
import { cancel, complete, expire, hold, reject, REJECTION_CODES, requestBooking } from './intents';
import { onPaymentAuthorized, onPaymentCaptured, onPaymentCaptureFailed, onPaymentFailed } from './saga';

const ACTOR: Actor = { type: 'SERVICE', id: 'booking' };
const START = new Date('2030-01-01T10:00:00Z');
const PRICE = money(10_000n, 'EUR');
const PAYMENTS = ['p1', 'p2'];
const STAGES: readonly BookingDeadlineStage[] = ['HOLD', 'CAPTURE', 'COMPLETION'];
const SYSTEM: Actor = { type: 'SYSTEM', id: 'booking-deadline-watcher' };

/** How far along a booking is: requested, a stage, or terminal. Never decreases. */
function progress(booking: Booking): number {
  if (isTerminalBooking(booking)) return STAGES.length + 1;
  const stage = deadlineStage(booking);
  return stage === null ? 0 : STAGES.indexOf(stage) + 1;
}

const action = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('hold' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('reject' as const) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('authorized' as const), paymentId: fc.constantFrom(...PAYMENTS), lag_ms: fc.integer({ min: -600_000, max: 600_000 }), amountMinor: fc.constantFrom(10_000n, 10_000n, 9_999n) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('failed' as const), paymentId: fc.constantFrom(...PAYMENTS) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('captured' as const), paymentId: fc.constantFrom(...PAYMENTS) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('captureFailed' as const), paymentId: fc.constantFrom(...PAYMENTS) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('cancel' as const), by: fc.constantFrom('CUSTOMER', 'MERCHANT', 'PLATFORM' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('expire' as const) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('complete' as const) }) },
  // A BookingDeadlineReached for any stage, possibly sent long before it is consumed (the booking may have moved on).
  { weight: 2, arbitrary: fc.record({ type: fc.constant('deadline' as const), stage: fc.constantFrom(...STAGES), early_ms: fc.integer({ min: -60_000, max: 3_600_000 }) }) },
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
    case 'deadline': return onDeadlineReached(booking, { stage: a.stage, deadlineAt: new Date(now.getTime() - a.early_ms), reachedAt: now }, { now, actor: SYSTEM });
  }
}

const step = fc.tuple(action, fc.integer({ min: 0, max: 10 * 60_000 }));
/**
 * Most runs start by holding the booking, so that enough of them get far into the saga (confirmed,
 * captured, completed, timed out) for the coverage checks below to hold on every seed; the rest
 * start anywhere.
 */
const steps = fc.oneof(
  { weight: 3, arbitrary: fc.array(step, { minLength: 4, maxLength: 39 }).map((rest): [Action, number][] => [[{ type: 'hold' }, 0], ...rest]) },
  { weight: 1, arbitrary: fc.array(step, { minLength: 5, maxLength: 40 }) },
);

/** How many runs reached each status, and how the timeouts were decided: the coverage the checks below need. */
const runsReaching = new Map<string, number>();
const timeouts = new Map<string, number>();

describe('booking state machine under any sequence of commands and payment facts', () => {
  it('only moves forward along legal transitions, one version per event, and never leaves a terminal state', () => {
    fc.assert(
      fc.property(steps, (run) => {
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
        const statusesOfRun = new Set<string>([booking.status]);
        for (const [a, advance_ms] of run) {
          now = new Date(now.getTime() + advance_ms);
          const before = booking;
          const decision = apply(before, a, now);
          booking = decision.state;
          if (!statusesOfRun.has(booking.status)) {
            statusesOfRun.add(booking.status);
            runsReaching.set(booking.status, (runsReaching.get(booking.status) ?? 0) + 1);
          }
          // A timeout for a stage the booking has already left is stale: overtaken, not an error.
          if (a.type === 'deadline' && progress(before) > STAGES.indexOf(a.stage) + 1) expect(decision.outcome).toBe('stale');
          if (a.type === 'deadline') timeouts.set(decision.outcome, (timeouts.get(decision.outcome) ?? 0) + 1);
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
          // Nothing moves the saga backwards; a live booking always has a deadline, a finished one none.
          expect(progress(booking)).toBeGreaterThanOrEqual(progress(before));
          expect(sagaDeadline(booking) === null).toBe(booking.status !== 'HELD' && booking.status !== 'CONFIRMED');
          // A timeout applies only to the stage it names, and always ends the saga.
          if (a.type === 'deadline') {
            expect(deadlineStage(before)).toBe(a.stage);
            expect(isTerminalBooking(booking)).toBe(true);
          }
          // A booking completes only with captured money, and confirms only with the full price authorized.
          if (booking.status === 'COMPLETED') expect(booking.capturedAmount).not.toBeNull();
          if (booking.status === 'CONFIRMED') expect(booking.authorizedAmount).toEqual(PRICE);
        }
      }),
      { numRuns: 1_000 },
    );
    if (process.env.BOOKING_COVERAGE) process.stdout.write(`${JSON.stringify([...runsReaching])} ${JSON.stringify([...timeouts])}\n`);
    for (const status of ['HELD', 'REJECTED', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'COMPLETED']) expect(runsReaching.get(status) ?? 0).toBeGreaterThan(0);
    // The runs exercised timeouts that applied, that were overtaken and that were refused.
    for (const outcome of ['applied', 'stale', 'refused']) expect(timeouts.get(outcome) ?? 0).toBeGreaterThan(0);
  });
});
