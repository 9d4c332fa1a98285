import type { Money } from '@txn/money';
import { stale, type IntentContext } from '@txn/domain-kernel';
import type { Booking, BookingDecision } from './booking';
import { authorizedWithinHold } from './hold-expiry';
import { cancelWithRefund, confirm, expire, type Authorization } from './intents';

/** Cancellation reasons the saga writes (BookingCancelled.reason). */
export const SAGA_REASONS = {
  paymentFailed: 'PAYMENT_FAILED',
  captureFailed: 'CAPTURE_FAILED',
  amountMismatch: 'AUTHORIZED_AMOUNT_MISMATCH',
  authorizedAfterHold: 'AUTHORIZED_AFTER_HOLD_EXPIRED',
} as const;

/**
 * PaymentAuthorized. Confirm when the authorization happened within the hold (at or before its
 * expiry, however late booking consumes the fact: hold-expiry.ts). When it happened too late,
 * expire the booking now even if the sweeper has not: BookingExpired is what makes payment void
 * the late authorization. When the booking was already released, the fact is stale: payment saw
 * the release and voids by itself (no second request is needed, so none is sent).
 */
export function onPaymentAuthorized(booking: Booking, authorization: Authorization, ctx: IntentContext): BookingDecision {
  if (booking.status !== 'HELD') {
    if (booking.status === 'CONFIRMED' && booking.paymentId === authorization.paymentId) return stale(booking, 'ALREADY_CONFIRMED');
    return stale(booking, `BOOKING_${booking.status}`);
  }
  if (!authorizedWithinHold(booking, authorization.authorizedAt)) {
    return expire(booking, { ...ctx, now: maxDate(ctx.now, booking.holdExpiresAt) }, SAGA_REASONS.authorizedAfterHold);
  }
  const decision = confirm(booking, authorization, ctx);
  if (decision.outcome === 'refused' && decision.refused === 'AUTHORIZED_AMOUNT_MISMATCH') {
    return cancelWithRefund(booking, SAGA_REASONS.amountMismatch, null, ctx, authorization.paymentId);
  }
  return decision;
}

/** PaymentFailed: nothing was reserved; release the slot. */
export function onPaymentFailed(booking: Booking, failure: { readonly paymentId: string }, ctx: IntentContext): BookingDecision {
  if (booking.status !== 'HELD') return stale(booking, `BOOKING_${booking.status}`);
  return cancelWithRefund(booking, SAGA_REASONS.paymentFailed, null, ctx, failure.paymentId);
}

/** PaymentCaptured: escrow is funded; the booking may now complete. No status change, no event. */
export function onPaymentCaptured(booking: Booking, capture: { readonly paymentId: string; readonly capturedAmount: Money }, _ctx: IntentContext): BookingDecision {
  if (booking.status !== 'CONFIRMED' || booking.paymentId !== capture.paymentId) return stale(booking, `BOOKING_${booking.status}`);
  if (booking.capturedAmount !== null) return stale(booking, 'ALREADY_CAPTURED');
  return { outcome: 'applied', state: { ...booking, capturedAmount: capture.capturedAmount }, events: [] };
}

/** PaymentCaptureFailed: cancel; payment voids the authorization by itself. Nothing was taken. */
export function onPaymentCaptureFailed(booking: Booking, failure: { readonly paymentId: string }, ctx: IntentContext): BookingDecision {
  if (booking.status !== 'CONFIRMED' || booking.paymentId !== failure.paymentId) return stale(booking, `BOOKING_${booking.status}`);
  return cancelWithRefund(booking, SAGA_REASONS.captureFailed, null, ctx);
}

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
