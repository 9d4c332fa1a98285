import fc from 'fast-check';
import type { Actor } from '@txn/contracts';
import { money } from '@txn/money';
import { DEFAULT_REFUND_POLICY } from './refund-policy';
import { BOOKING_TRANSITIONS, isTerminalBooking, type Booking, type BookingDecision } from './booking';
import { NOT_BOOKING_CUSTOMER } from './authority';
import { deadlineStage, expireLapsedHold, onDeadlineReached, sagaDeadline, type BookingDeadlineStage, type DeadlineReached } from './deadlines';
import { cancel, complete, expire, hold, reject, REJECTION_CODES, requestBooking } from './intents';
import { onPaymentAuthorized, onPaymentCaptured, onPaymentCaptureFailed, onPaymentFailed } from './saga';

const ACTOR: Actor = { type: 'SERVICE', id: 'booking' };
const START = new Date('2030-01-01T10:00:00Z');
const PRICE = money(10_000n, 'EUR');
const PAYMENTS = ['p1', 'p2'];
const STAGES: readonly BookingDeadlineStage[] = ['HOLD', 'CAPTURE', 'COMPLETION'];
const SYSTEM: Actor = { type: 'SYSTEM', id: 'booking-deadline-watcher' };
const SWEEPER: Actor = { type: 'SYSTEM', id: 'booking-expiry-sweeper' };
/** Who gives a command: the platform, the booking's own customer, or another customer of the merchant. */
const COMMANDERS = { platform: ACTOR, customer: { type: 'USER', id: 'c1' }, stranger: { type: 'USER', id: 'c2' } } as const satisfies Record<string, Actor>;
type Commander = keyof typeof COMMANDERS;
const commander = fc.constantFrom<Commander>('platform', 'platform', 'customer', 'stranger');

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
  { weight: 1, arbitrary: fc.record({ type: fc.constant('cancel' as const), by: fc.constantFrom('CUSTOMER', 'MERCHANT', 'PLATFORM' as const), actor: commander }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('expire' as const) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('complete' as const), actor: commander }) },
  // A BookingDeadlineReached for any stage, possibly sent long before it is consumed (the booking may have moved on),
  // naming the booking's stored deadline as the watcher does, or another one (a stale copy, a forgery).
  { weight: 2, arbitrary: fc.record({ type: fc.constant('deadline' as const), stage: fc.constantFrom(...STAGES), namesStored: fc.boolean(), early_ms: fc.integer({ min: -60_000, max: 3_600_000 }) }) },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

/** The command the action sends: the stored deadline when it names it and it is the stage's, else one `early_ms` before now. */
function deadlineCommand(booking: Booking, a: Extract<Action, { type: 'deadline' }>, now: Date): DeadlineReached {
  const stored = sagaDeadline(booking);
  const deadlineAt = a.namesStored && stored?.stage === a.stage ? stored.at : new Date(now.getTime() - a.early_ms);
  return { stage: a.stage, deadlineAt, reachedAt: now };
}

function apply(booking: Booking, a: Action, now: Date): BookingDecision {
  const ctx = { now, actor: ACTOR };
  switch (a.type) {
    case 'hold': return hold(booking, ctx);
    case 'reject': return reject(booking, REJECTION_CODES.slotUnavailable, 'slot taken', ctx);
    case 'authorized': return onPaymentAuthorized(booking, { paymentId: a.paymentId, authorizedAmount: money(a.amountMinor, 'EUR'), authorizedAt: new Date(now.getTime() + a.lag_ms) }, ctx);
    case 'failed': return onPaymentFailed(booking, { paymentId: a.paymentId }, ctx);
    case 'captured': return onPaymentCaptured(booking, { paymentId: a.paymentId, capturedAmount: PRICE }, ctx);
    case 'captureFailed': return onPaymentCaptureFailed(booking, { paymentId: a.paymentId }, ctx);
    case 'cancel': return cancel(booking, { reason: 'CUSTOMER_REQUEST', cancelledBy: a.by, refundPolicy: DEFAULT_REFUND_POLICY }, { now, actor: COMMANDERS[a.actor] });
    // The sweeper finds held bookings only, with the deadline stored with them; anything else is a late expiry.
    case 'expire': {
      const stored = sagaDeadline(booking);
      return booking.status === 'HELD' && stored !== null ? expireLapsedHold(booking, stored, { now, actor: SWEEPER }) : expire(booking, ctx);
    }
    case 'complete': return complete(booking, { deliveredAt: now, reason: null }, { now, actor: COMMANDERS[a.actor] });
    case 'deadline': return onDeadlineReached(booking, sagaDeadline(booking), deadlineCommand(booking, a, now), { now, actor: SYSTEM });
  }
}

/** Mostly minutes between messages; now and then hours, so that stored deadlines pass while the booking is still in their stage. */
const pause_ms = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 10 * 60_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 * 3_600_000 }) });
const step = fc.tuple(action, pause_ms);
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
          // Another customer of the merchant can neither cancel nor complete the booking, whatever its state.
          if ((a.type === 'cancel' || a.type === 'complete') && a.actor === 'stranger') expect(decision).toMatchObject({ outcome: 'refused', refused: NOT_BOOKING_CUSTOMER });
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
          // A timeout applies only to the stage it names, only once the deadline stored for that stage
          // has passed and only when it names that deadline; and it always ends the saga.
          if (a.type === 'deadline') {
            const stored = sagaDeadline(before);
            expect(deadlineStage(before)).toBe(a.stage);
            expect(deadlineCommand(before, a, now).deadlineAt).toEqual(stored?.at);
            expect(stored !== null && stored.at.getTime() <= now.getTime()).toBe(true);
            expect(isTerminalBooking(booking)).toBe(true);
          }
          // The sweeper never takes a hold before its expiry and the grace after it have passed.
          if (a.type === 'expire' && before.status === 'HELD') expect(sagaDeadline(before)?.at.getTime() ?? Infinity).toBeLessThanOrEqual(now.getTime());
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
