import type { Actor } from '@txn/contracts';
import { money } from '@txn/money';
import { refundedMinor } from '@txn/payment-domain';
import type { Booking } from './booking';
import { DEFAULT_DEADLINE_POLICY, deadlineStage, expireLapsedHold, onDeadlineReached, sagaDeadline } from './deadlines';
import { DEFAULT_HOLD_EXPIRY_GRACE_MS } from './hold-expiry';
import { SagaSimulation } from '../test/saga-simulation';

const START = new Date('2030-01-01T10:00:00Z');
const IN_THREE_DAYS = new Date('2030-01-04T10:00:00Z');
const HOUR_MS = 3_600_000;
const EUR = (minor: bigint) => money(minor, 'EUR');
const PI = 'pi_123';
const WATCHER: Actor = { type: 'SYSTEM', id: 'booking-deadline-watcher' };
const SWEEPER: Actor = { type: 'SYSTEM', id: 'booking-expiry-sweeper' };
const authorized = { kind: 'authorized', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: null, authorizedAt: null } as const;
const captured = { kind: 'captured', via: 'PSP_RESPONSE', pspChargeId: 'ch_1', capturedAmount: EUR(10_000n), platformFee: EUR(1_000n) } as const;
const refunded = { kind: 'succeeded', via: 'PSP_RESPONSE', pspRefundId: 're_1' } as const;

function confirmedSaga(): SagaSimulation {
  return new SagaSimulation(START, IN_THREE_DAYS).requestBooking().advance(1_000).pspAnswers('AUTHORIZE', authorized);
}

/** The simulation's booking ends one hour after IN_THREE_DAYS. */
const SLOT_ENDS_AT = new Date(IN_THREE_DAYS.getTime() + HOUR_MS);

describe('saga deadlines: every live booking has one, and a timeout pushes the saga to a terminal state', () => {
  it('gives each stage its deadline: the hold expiry + 15 min of grace, confirmation + 1 h for the capture, slot end + 72 h for the completion', () => {
    const saga = new SagaSimulation(START, IN_THREE_DAYS).requestBooking();
    expect(sagaDeadline(saga.booking)).toEqual({ stage: 'HOLD', at: new Date(saga.booking.holdExpiresAt.getTime() + DEFAULT_HOLD_EXPIRY_GRACE_MS) });
    saga.advance(1_000).pspAnswers('AUTHORIZE', authorized);
    expect(saga.booking.confirmedAt).toEqual(new Date(START.getTime() + 1_000));
    expect(sagaDeadline(saga.booking)).toEqual({ stage: 'CAPTURE', at: new Date(START.getTime() + 1_000 + HOUR_MS) });
    saga.pspAnswers('CAPTURE', captured);
    expect(sagaDeadline(saga.booking)).toEqual({ stage: 'COMPLETION', at: new Date(SLOT_ENDS_AT.getTime() + 72 * HOUR_MS) });
    saga.merchantDelivers();
    expect(saga.booking.status).toBe('COMPLETED');
    expect(sagaDeadline(saga.booking)).toBeNull();
  });

  it('refuses a policy outside its bounds instead of computing a deadline from it', () => {
    const booking = confirmedSaga().booking;
    expect(() => sagaDeadline(booking, { ...DEFAULT_DEADLINE_POLICY, capture_ms: 0 })).toThrow(RangeError);
    expect(() => sagaDeadline(booking, { ...DEFAULT_DEADLINE_POLICY, capture_ms: 8 * 24 * HOUR_MS })).toThrow(RangeError);
    expect(() => sagaDeadline(booking, { ...DEFAULT_DEADLINE_POLICY, completionGrace_ms: -1 })).toThrow(RangeError);
    expect(() => sagaDeadline(booking, { ...DEFAULT_DEADLINE_POLICY, completionGrace_ms: 1.5 })).toThrow(RangeError);
    expect(() => sagaDeadline(booking, { ...DEFAULT_DEADLINE_POLICY, holdExpiryGrace_ms: -1 })).toThrow(RangeError);
    expect(() => sagaDeadline(booking, { ...DEFAULT_DEADLINE_POLICY, holdExpiryGrace_ms: 24 * HOUR_MS + 1 })).toThrow(RangeError);
  });

  it('the expiry sweeper takes a hold only once its expiry and the grace after it have passed (the deadline stored with it)', () => {
    const saga = new SagaSimulation(START, IN_THREE_DAYS).requestBooking();
    const held = saga.booking;
    const stored = saga.storedDeadline() ?? missing('no deadline');
    expect(stored.at.getTime()).toBe(held.holdExpiresAt.getTime() + DEFAULT_HOLD_EXPIRY_GRACE_MS);
    expect(expireLapsedHold(held, stored, { now: held.holdExpiresAt, actor: SWEEPER })).toMatchObject({ outcome: 'refused', refused: 'DEADLINE_NOT_DUE' });
    expect(expireLapsedHold(held, stored, { now: new Date(stored.at.getTime() - 1), actor: SWEEPER })).toMatchObject({ outcome: 'refused', refused: 'DEADLINE_NOT_DUE' });
    expect(expireLapsedHold(held, stored, { now: stored.at, actor: SWEEPER })).toMatchObject({
      outcome: 'applied',
      state: { status: 'EXPIRED' },
      events: [{ eventType: 'BookingExpired', actor: SWEEPER, occurredAt: stored.at, payload: { reason: 'HOLD_EXPIRED', holdExpiresAt: held.holdExpiresAt } }],
    });
    // With no grace configured, the hold goes at its expiry, as it did before the grace existed.
    const noGrace = sagaDeadline(held, { ...DEFAULT_DEADLINE_POLICY, holdExpiryGrace_ms: 0 }) ?? missing('no deadline');
    expect(expireLapsedHold(held, noGrace, { now: held.holdExpiresAt, actor: SWEEPER })).toMatchObject({ outcome: 'applied', state: { status: 'EXPIRED' } });
  });

  it('a capture that never answers in time cancels the booking with a full refund; when the capture lands later, payment refunds all of it', () => {
    const saga = confirmedSaga();
    expect(saga.issuedCalls.map((call) => call.operation)).toEqual(['AUTHORIZE', 'CAPTURE']);
    expect(saga.advance(HOUR_MS - 1).dueDeadline()).toBeNull();
    const reached = saga.advance(1).dueDeadline();
    expect(reached).toMatchObject({ stage: 'CAPTURE' });
    saga.deadlineReached(reached ?? missing('no deadline due'));

    expect(saga.booking.status).toBe('CANCELLED');
    const cancelled = saga.events.at(-1);
    expect(cancelled).toMatchObject({ eventType: 'BookingCancelled', actor: WATCHER, payload: { statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', reason: 'SAGA_DEADLINE_EXCEEDED', refundAmount: EUR(10_000n) } });
    expect(saga.payment?.bookingRelease).toMatchObject({ refundAmount: EUR(10_000n) });

    // The PSP finally answers the capture: payment refunds everything; booking ignores the late capture.
    saga.pspAnswers('CAPTURE', captured).pspAnswers('REFUND', refunded);
    expect(saga.payment?.status).toBe('REFUNDED');
    expect(refundedMinor(saga.requirePayment())).toBe(10_000n);
    expect(saga.issuedCalls.map((call) => call.operation)).toEqual(['AUTHORIZE', 'CAPTURE', 'REFUND']);
    expect(saga.notApplied).toContainEqual({ aggregate: 'booking', outcome: 'stale', why: 'BOOKING_CANCELLED' });
  });

  it('a capture the PSP refuses after the timeout ends voided: nothing taken, nothing to refund', () => {
    const saga = confirmedSaga().advance(HOUR_MS);
    saga.deadlineReached(saga.dueDeadline() ?? missing('no deadline due'));
    saga.pspAnswers('CAPTURE', { kind: 'refused', via: 'PSP_RESPONSE', failureCode: 'authorization_expired' }).pspAnswers('VOID', { kind: 'voided', via: 'PSP_RESPONSE' });
    expect(saga.booking.status).toBe('CANCELLED');
    expect(saga.payment?.status).toBe('VOIDED');
    expect(refundedMinor(saga.requirePayment())).toBe(0n);
  });

  it('a merchant who never reports delivery: the booking completes 72 h after the slot ended, delivered at the slot end, by the system', () => {
    const saga = confirmedSaga().pspAnswers('CAPTURE', captured);
    saga.now = new Date(SLOT_ENDS_AT.getTime() + 72 * HOUR_MS - 1);
    expect(saga.dueDeadline()).toBeNull();
    saga.advance(1);
    saga.deadlineReached(saga.dueDeadline() ?? missing('no deadline due'));
    expect(saga.booking.status).toBe('COMPLETED');
    expect(saga.events.at(-1)).toMatchObject({ eventType: 'BookingCompleted', actor: WATCHER, payload: { statusBefore: 'CONFIRMED', statusAfter: 'COMPLETED', reason: 'DELIVERY_PRESUMED', deliveredAt: SLOT_ENDS_AT } });
  });

  it('a timeout overtaken by the capture is stale: the booking stays confirmed and completes as usual', () => {
    const saga = confirmedSaga().advance(HOUR_MS);
    const reached = saga.dueDeadline() ?? missing('no deadline due');
    // The capture's answer reaches booking before the timeout command does.
    saga.pspAnswers('CAPTURE', captured).deadlineReached(reached);
    expect(saga.booking.status).toBe('CONFIRMED');
    expect(saga.notApplied).toContainEqual({ aggregate: 'booking', outcome: 'stale', why: 'STAGE_PASSED' });
    saga.merchantDelivers();
    expect(saga.booking.status).toBe('COMPLETED');
    expect(saga.payment?.status).toBe('CAPTURED');
  });

  it('a timeout overtaken by the merchant completing is stale, and one for a cancelled booking too', () => {
    const completed = confirmedSaga().pspAnswers('CAPTURE', captured);
    completed.now = new Date(SLOT_ENDS_AT.getTime() + 72 * HOUR_MS);
    const reached = completed.dueDeadline() ?? missing('no deadline due');
    completed.merchantDelivers().deadlineReached(reached);
    expect(completed.notApplied).toContainEqual({ aggregate: 'booking', outcome: 'stale', why: 'ALREADY_COMPLETED' });
    expect(completed.eventTypes().filter((type) => type === 'BookingCompleted')).toHaveLength(1);

    const cancelled = confirmedSaga().advance(HOUR_MS);
    const late = cancelled.dueDeadline() ?? missing('no deadline due');
    cancelled.customerCancels().deadlineReached(late);
    expect(cancelled.notApplied).toContainEqual({ aggregate: 'booking', outcome: 'stale', why: 'ALREADY_CANCELLED' });
    expect(cancelled.eventTypes().filter((type) => type === 'BookingCancelled')).toHaveLength(1);
  });

  it('refuses a timeout that is not the platform\'s, not yet due, or names a stage the booking has not reached', () => {
    const booking: Booking = confirmedSaga().booking;
    const deadline = sagaDeadline(booking) ?? missing('no deadline');
    const due = { stage: deadline.stage, deadlineAt: deadline.at, reachedAt: deadline.at };
    expect(onDeadlineReached(booking, deadline, due, { now: deadline.at, actor: { type: 'API_KEY', id: 'merchant-key' } })).toMatchObject({ outcome: 'refused', refused: 'NOT_SYSTEM' });
    expect(onDeadlineReached(booking, deadline, { ...due, reachedAt: new Date(deadline.at.getTime() - 1) }, { now: deadline.at, actor: WATCHER })).toMatchObject({ outcome: 'refused', refused: 'DEADLINE_NOT_DUE' });
    expect(onDeadlineReached(booking, deadline, { ...due, stage: 'COMPLETION' }, { now: deadline.at, actor: WATCHER })).toMatchObject({ outcome: 'refused', refused: 'STAGE_NOT_REACHED' });
    expect(onDeadlineReached(booking, deadline, due, { now: deadline.at, actor: WATCHER })).toMatchObject({ outcome: 'applied', state: { status: 'CANCELLED' } });
  });

  it('judges a timeout by the deadline stored with the booking: one naming another deadline is refused, however long ago the deadline it names passed', () => {
    const saga = confirmedSaga().advance(HOUR_MS / 2);
    const stored = saga.storedDeadline() ?? missing('no deadline');
    expect(stored.at.getTime()).toBeGreaterThan(saga.now.getTime());
    // The right stage and the platform's actor, but a deadline from long before the booking's own.
    saga.deadlineReached({ stage: 'CAPTURE', deadlineAt: START, reachedAt: saga.now });
    expect(saga.booking.status).toBe('CONFIRMED');
    expect(saga.notApplied).toContainEqual({ aggregate: 'booking', outcome: 'refused', why: 'DEADLINE_MISMATCH' });
    // Nor does one naming a later deadline than the stored one count, even once that has passed.
    const later = new Date(stored.at.getTime() + 1);
    saga.now = later;
    saga.deadlineReached({ stage: 'CAPTURE', deadlineAt: later, reachedAt: later });
    expect(saga.booking.status).toBe('CONFIRMED');
    expect(saga.notApplied.filter((entry) => entry.why === 'DEADLINE_MISMATCH')).toHaveLength(2);
    // The watcher's own command, which copies the stored deadline, ends the saga.
    saga.deadlineReached(saga.dueDeadline() ?? missing('no deadline due'));
    expect(saga.booking.status).toBe('CANCELLED');
  });

  it('a HOLD timeout expires the hold like the sweeper does', () => {
    const saga = new SagaSimulation(START, IN_THREE_DAYS).requestBooking().advance(HOUR_MS);
    expect(deadlineStage(saga.booking)).toBe('HOLD');
    saga.deadlineReached(saga.dueDeadline() ?? missing('no deadline due'));
    expect(saga.booking.status).toBe('EXPIRED');
    expect(saga.events.at(-1)).toMatchObject({ eventType: 'BookingExpired', payload: { reason: 'HOLD_EXPIRED' } });
  });
});

function missing(why: string): never {
  throw new Error(why);
}
