import type { Money } from '@txn/money';
import { type IntentContext } from '@txn/domain-kernel';
import { pspIdempotencyKey } from './idempotency-key';
import { lifecycleCall, refundableMinor, refundCall, type Payment, type PspCall } from './payment';
import { lifecycleKey } from './transition';

/** A state with the calls it asks for; no status change, hence no event. */
export interface Step {
  readonly state: Payment;
  readonly calls: readonly PspCall[];
}

export function startCapture(payment: Payment, ctx: IntentContext): Step {
  const inFlight = { operation: 'CAPTURE', idempotencyKey: lifecycleKey(payment, 'CAPTURE'), requestedAt: ctx.now } as const;
  return { state: { ...payment, inFlight }, calls: [lifecycleCall(payment, inFlight)] };
}

export function startVoid(payment: Payment, reason: string, ctx: IntentContext): Step {
  const inFlight = { operation: 'VOID', idempotencyKey: lifecycleKey(payment, 'VOID'), requestedAt: ctx.now } as const;
  return { state: { ...payment, inFlight, voidReason: reason }, calls: [lifecycleCall(payment, inFlight)] };
}

export function startRefund(payment: Payment, refundId: string, amount: Money, reason: string, ctx: IntentContext): Step {
  const sequence = payment.refunds.length + 1;
  const refund = {
    refundId,
    sequence,
    amount,
    reason,
    idempotencyKey: pspIdempotencyKey(payment.paymentId, 'REFUND', sequence),
    status: 'IN_FLIGHT',
    pspRefundId: null,
    requestedAt: ctx.now,
    query: null,
  } as const;
  return { state: { ...payment, refunds: [...payment.refunds, refund] }, calls: [refundCall(payment, refund)] };
}

/**
 * The authorization answered after the booking was released (expired, cancelled): give the money
 * back. Void when nothing is due to the merchant; when the cancellation policy keeps part of the
 * price, capture and refund the rest (the refund follows the capture's answer).
 */
export function compensateAuthorization(payment: Payment, ctx: IntentContext): Step {
  const release = payment.bookingRelease;
  if (release === null || payment.inFlight !== null) return { state: payment, calls: [] };
  if (payment.status === 'REQUIRES_ACTION') return startVoid(payment, release.reason, ctx);
  if (payment.status !== 'AUTHORIZED') return { state: payment, calls: [] };
  const authorized = payment.authorizedAmount ?? payment.amount;
  const givesAllBack = release.refundAmount === null || release.refundAmount.amountMinor >= authorized.amountMinor;
  return givesAllBack ? startVoid(payment, release.reason, ctx) : startCapture(payment, ctx);
}

/** The capture answered after the booking was cancelled: refund what the policy gives back. */
export function compensateCapture(payment: Payment, ctx: IntentContext): Step {
  const release = payment.bookingRelease;
  if (release === null || payment.capturedAmount === null) return { state: payment, calls: [] };
  if (payment.refunds.some((refund) => refund.refundId === release.refundId)) return { state: payment, calls: [] };
  const wanted_minor = release.refundAmount?.amountMinor ?? payment.capturedAmount.amountMinor;
  const refundable_minor = refundableMinor(payment);
  const amount_minor = wanted_minor < refundable_minor ? wanted_minor : refundable_minor;
  if (amount_minor <= 0n) return { state: payment, calls: [] };
  return startRefund(payment, release.refundId, { amountMinor: amount_minor, currency: payment.capturedAmount.currency }, release.reason, ctx);
}
