import { money } from '@txn/money';
import { MAX_OUTCOME_QUERY_ATTEMPTS, needsAttention, OUTCOME_QUERY_DELAYS_MS, refundedMinor } from '@txn/payment-domain';
import { SagaSimulation } from '../test/saga-simulation';

const START = new Date('2030-01-01T10:00:00Z');
const IN_THREE_DAYS = new Date('2030-01-04T10:00:00Z');
const EUR = (minor: bigint) => money(minor, 'EUR');
const PI = 'pi_123';
const authorized = { kind: 'authorized', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: null, authorizedAt: null } as const;
const captured = { kind: 'captured', via: 'PSP_RESPONSE', pspChargeId: 'ch_1', capturedAmount: EUR(10_000n), platformFee: EUR(1_000n) } as const;

function heldBooking(slotStartsAt = IN_THREE_DAYS): SagaSimulation {
  return new SagaSimulation(START, slotStartsAt).requestBooking();
}

function operations(saga: SagaSimulation): string[] {
  return saga.issuedCalls.map((call) => call.operation);
}

describe('the booking saga, as the customer and the merchant see it', () => {
  it('a customer who pays in time gets a confirmed booking, is charged once, and the merchant is paid on delivery', () => {
    const saga = heldBooking().advance(1_000).pspAnswers('AUTHORIZE', authorized).pspAnswers('CAPTURE', captured).advance(1_000).merchantDelivers();
    expect(saga.booking.status).toBe('COMPLETED');
    expect(saga.payment?.status).toBe('CAPTURED');
    expect(operations(saga)).toEqual(['AUTHORIZE', 'CAPTURE']);
    expect(saga.eventTypes()).toEqual(['BookingHeld', 'PaymentAuthorized', 'BookingConfirmed', 'PaymentCaptured', 'BookingCompleted']);
    expect(saga.notApplied).toEqual([]);
  });

  it('a declined card releases the slot and nothing is charged', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', { kind: 'declined', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, failureCode: 'card_declined', declineCode: 'insufficient_funds' });
    expect(saga.booking.status).toBe('CANCELLED');
    expect(saga.payment?.status).toBe('FAILED');
    expect(operations(saga)).toEqual(['AUTHORIZE']);
    expect(saga.events.at(-1)).toMatchObject({ eventType: 'BookingCancelled', payload: { reason: 'PAYMENT_FAILED', refundAmount: null } });
  });

  it('a customer who pays after the hold expired is not charged: the late authorization is voided (sweeper first)', () => {
    const saga = heldBooking().advance(3_600_000).sweepExpiredHolds().pspAnswers('AUTHORIZE', authorized).pspAnswers('VOID', { kind: 'voided', via: 'PSP_RESPONSE' });
    expect(saga.booking.status).toBe('EXPIRED');
    expect(saga.payment?.status).toBe('VOIDED');
    expect(operations(saga)).toEqual(['AUTHORIZE', 'VOID']);
    expect(saga.notApplied).toContainEqual({ aggregate: 'booking', outcome: 'stale', why: 'BOOKING_EXPIRED' });
  });

  it('a customer who pays after the hold expired is not charged, even when the authorization beats the sweeper', () => {
    const saga = heldBooking().advance(3_600_001).pspAnswers('AUTHORIZE', authorized);
    expect(saga.booking.status).toBe('EXPIRED');
    saga.pspAnswers('VOID', { kind: 'voided', via: 'PSP_RESPONSE' }).sweepExpiredHolds();
    expect(saga.payment?.status).toBe('VOIDED');
    expect(operations(saga)).toEqual(['AUTHORIZE', 'VOID']);
  });

  it('a customer whose card the PSP authorized within the hold keeps the booking, though payment learns it from a query after the hold expired', () => {
    // The hold (15 min, the default policy) is nearly over when the PSP authorizes, and times out on us.
    const saga = heldBooking().advance(14 * 60_000).pspAnswers('AUTHORIZE', { kind: 'unknown', cause: 'PSP_TIMEOUT', pspPaymentIntentId: null });
    // The sweeper runs on the wall clock meanwhile; the grace keeps the hold for the answer on its way.
    saga.advance(5 * 60_000).sweepExpiredHolds();
    expect(saga.booking.holdExpiresAt.getTime()).toBeLessThan(saga.now.getTime());
    expect(saga.booking.status).toBe('HELD');
    saga.pspQueried({ pspStatus: 'requires_capture', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: null, authorizedAt: new Date(START.getTime() + 14 * 60_000) });
    expect(saga.booking.status).toBe('CONFIRMED');
    expect(operations(saga)).toEqual(['AUTHORIZE', 'CAPTURE']);
  });

  it('a customer who never finishes 3-D Secure loses the hold and cannot be charged later', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', { kind: 'requires_action', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, actionType: 'use_stripe_sdk' });
    saga.advance(3_600_000).sweepExpiredHolds();
    expect(operations(saga)).toEqual(['AUTHORIZE', 'VOID']);
    saga.pspAnswers('VOID', { kind: 'voided', via: 'PSP_RESPONSE' });
    expect(saga.booking.status).toBe('EXPIRED');
    expect(saga.payment?.status).toBe('VOIDED');
  });

  it('a capture the PSP refuses cancels the booking and releases the reserved money', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', authorized).pspAnswers('CAPTURE', { kind: 'refused', via: 'PSP_RESPONSE', failureCode: 'authorization_expired' });
    expect(saga.booking.status).toBe('CANCELLED');
    saga.pspAnswers('VOID', { kind: 'voided', via: 'PSP_RESPONSE' });
    expect(saga.payment?.status).toBe('VOIDED');
    expect(saga.events.find((event) => event.eventType === 'PaymentVoided')?.payload.reason).toBe('CAPTURE_FAILED');
  });

  it('a customer who cancels three days ahead gets everything back', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', authorized).pspAnswers('CAPTURE', captured).customerCancels();
    saga.pspAnswers('REFUND', { kind: 'succeeded', via: 'PSP_RESPONSE', pspRefundId: 're_1' });
    expect(saga.booking.status).toBe('CANCELLED');
    expect(saga.payment?.status).toBe('REFUNDED');
    expect(refundedMinor(saga.requirePayment())).toBe(10_000n);
  });

  it('a customer who cancels on the day gets half back, the merchant keeps the rest', () => {
    const saga = heldBooking(new Date(START.getTime() + 5 * 3_600_000)).pspAnswers('AUTHORIZE', authorized).pspAnswers('CAPTURE', captured).customerCancels();
    saga.pspAnswers('REFUND', { kind: 'succeeded', via: 'PSP_RESPONSE', pspRefundId: 're_1' });
    expect(saga.payment?.status).toBe('PARTIALLY_REFUNDED');
    expect(refundedMinor(saga.requirePayment())).toBe(5_000n);
  });

  it('a merchant who cancels on the day refunds the customer in full', () => {
    const saga = heldBooking(new Date(START.getTime() + 3_600_000 + 60_000)).pspAnswers('AUTHORIZE', authorized).pspAnswers('CAPTURE', captured).customerCancels('MERCHANT');
    saga.pspAnswers('REFUND', { kind: 'succeeded', via: 'PSP_RESPONSE', pspRefundId: 're_1' });
    expect(saga.payment?.status).toBe('REFUNDED');
  });

  it('a cancellation while the capture is still under way is refunded once the capture lands', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', authorized).customerCancels();
    expect(operations(saga)).toEqual(['AUTHORIZE', 'CAPTURE']);
    saga.pspAnswers('CAPTURE', captured).pspAnswers('REFUND', { kind: 'succeeded', via: 'PSP_RESPONSE', pspRefundId: 're_1' });
    expect(saga.payment?.status).toBe('REFUNDED');
    expect(operations(saga)).toEqual(['AUTHORIZE', 'CAPTURE', 'REFUND']);
  });

  it('a customer who cancels before paying is never charged', () => {
    const saga = heldBooking().customerCancels().pspAnswers('AUTHORIZE', authorized).pspAnswers('VOID', { kind: 'voided', via: 'PSP_RESPONSE' });
    expect(saga.booking.status).toBe('CANCELLED');
    expect(saga.payment?.status).toBe('VOIDED');
  });

  it('a PSP timeout is not a decline: the query finds the authorization and the booking is confirmed', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', { kind: 'unknown', cause: 'PSP_TIMEOUT', pspPaymentIntentId: null });
    expect(saga.payment?.status).toBe('OUTCOME_UNKNOWN');
    expect(saga.booking.status).toBe('HELD');
    saga.advance(60_000).pspQueried({ pspStatus: 'requires_capture', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: null, authorizedAt: null });
    expect(saga.booking.status).toBe('CONFIRMED');
    expect(saga.events.find((event) => event.eventType === 'PaymentAuthorized')?.payload).toMatchObject({ statusBefore: 'OUTCOME_UNKNOWN', reason: 'PSP_QUERY' });
  });

  it('a PSP 5xx that hid a decline ends in a released slot once the query says so', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', { kind: 'unknown', cause: 'PSP_5XX', pspPaymentIntentId: null });
    saga.advance(60_000).pspQueried({ pspStatus: 'declined', pspPaymentIntentId: PI, failureCode: 'card_declined', declineCode: null });
    expect(saga.payment?.status).toBe('FAILED');
    expect(saga.booking.status).toBe('CANCELLED');
  });

  it('a call that never reached the PSP is sent again with the same key, so it cannot charge twice', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', { kind: 'unknown', cause: 'CONNECTION_RESET', pspPaymentIntentId: null });
    saga.advance(60_000).pspQueried({ pspStatus: 'not_found' });
    const [first, second] = saga.issuedCalls;
    expect(second?.operation).toBe('AUTHORIZE');
    expect(second?.idempotencyKey).toBe(first?.idempotencyKey);
    saga.pspAnswers('AUTHORIZE', authorized);
    expect(saga.booking.status).toBe('CONFIRMED');
  });

  it('an outcome nobody can establish raises an alert after the bounded schedule instead of guessing', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', { kind: 'unknown', cause: 'PSP_TIMEOUT', pspPaymentIntentId: null });
    for (const delay_ms of OUTCOME_QUERY_DELAYS_MS) saga.advance(delay_ms).pspQueried({ pspStatus: 'unreachable' });
    const payment = saga.requirePayment();
    expect(payment.status).toBe('OUTCOME_UNKNOWN');
    expect(payment.unknown?.attempts).toBe(MAX_OUTCOME_QUERY_ATTEMPTS);
    expect(payment.unknown?.nextQueryAt).toBeNull();
    expect(needsAttention(payment)).toBe(true);
    // Meanwhile the hold ran out: the slot is released, and a later authorization would be voided.
    saga.sweepExpiredHolds();
    expect(saga.booking.status).toBe('EXPIRED');
    saga.pspQueried({ pspStatus: 'requires_capture', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: null, authorizedAt: null });
    expect(operations(saga).at(-1)).toBe('VOID');
  });

  it('a duplicated or late authorization confirms the booking once and charges once', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', authorized).redeliver('PaymentAuthorized').redeliver('BookingConfirmed');
    expect(saga.eventTypes().filter((type) => type === 'BookingConfirmed')).toHaveLength(1);
    expect(operations(saga)).toEqual(['AUTHORIZE', 'CAPTURE']);
    expect(saga.notApplied.map((entry) => entry.outcome)).toEqual(['stale', 'stale']);
  });

  it('two refund requests racing for the same money can never return more than was captured', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', authorized).pspAnswers('CAPTURE', captured);
    expect(saga.refund('e0000000-0000-4000-8000-000000000001', 7_000n).outcome).toBe('applied');
    expect(saga.refund('e0000000-0000-4000-8000-000000000002', 7_000n)).toMatchObject({ outcome: 'refused', refused: 'EXCEEDS_REFUNDABLE' });
    expect(saga.refund('e0000000-0000-4000-8000-000000000003', 3_000n).outcome).toBe('applied');
  });

  it('a merchant cannot mark a booking delivered before the money was captured', () => {
    const saga = heldBooking().pspAnswers('AUTHORIZE', authorized).merchantDelivers();
    expect(saga.booking.status).toBe('CONFIRMED');
    expect(saga.notApplied).toContainEqual({ aggregate: 'booking', outcome: 'refused', why: 'NOT_CAPTURED' });
  });
});
