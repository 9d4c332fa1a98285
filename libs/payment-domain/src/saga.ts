import { stale, type IntentContext } from '@txn/domain-kernel';
import { awaitedOperation, isTerminalPayment, type BookingRelease, type Payment, type PaymentDecision } from './payment';
import { compensateAuthorization, compensateCapture, type Step } from './compensation';
import { requestCapture } from './capture-and-void';
import { applied } from './transition';

/** BookingConfirmed: take the money. */
export function onBookingConfirmed(payment: Payment, ctx: IntentContext): PaymentDecision {
  return requestCapture(payment, ctx);
}

/**
 * BookingExpired or BookingCancelled: give back what is not due. What happens depends on where
 * the payment stands, because the booking's events and the PSP's answers race:
 * - authorization still unanswered (pending, unknown): remember; compensate when it answers;
 * - waiting for 3-D Secure or authorized: void (or, when policy keeps part, capture then refund);
 * - capture under way or unknown: remember; refund by policy when the capture answers;
 * - captured: refund by policy now;
 * - void under way, capture failed, or closed: nothing more to do.
 */
export function onBookingReleased(payment: Payment, release: BookingRelease, ctx: IntentContext): PaymentDecision {
  if (isTerminalPayment(payment)) return stale(payment, 'PAYMENT_CLOSED');
  if (payment.bookingRelease !== null) return stale(payment, 'ALREADY_RELEASED');
  const awaited = awaitedOperation(payment);
  if (awaited === 'VOID' || payment.status === 'CAPTURE_FAILED') return stale(payment, 'ALREADY_VOIDING');
  const remembered: Payment = { ...payment, bookingRelease: release };
  let step: Step;
  if (payment.status === 'CAPTURED' || payment.status === 'PARTIALLY_REFUNDED') step = compensateCapture(remembered, ctx);
  else if (awaited === 'CAPTURE' || (awaited === 'AUTHORIZE' && payment.status !== 'REQUIRES_ACTION')) step = { state: remembered, calls: [] };
  else step = compensateAuthorization(remembered, ctx);
  return applied(payment, step.state, ctx, [], step.calls);
}
