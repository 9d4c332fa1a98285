import type { Money } from '@txn/money';
import { refused, stale, type IntentContext } from '@txn/domain-kernel';
import { awaitedOperation, isTerminalPayment, pspIntentId, type Payment, type PaymentDecision } from './payment';
import { type AnswerSource, recordUnknownLifecycleAnswer } from './authorization';
import { compensateCapture, startCapture, startVoid } from './compensation';
import { applied, lifecycleKey } from './transition';
import { platformFeeOf } from './fees';

/** Capture the authorized amount (on BookingConfirmed). */
export function requestCapture(payment: Payment, ctx: IntentContext): PaymentDecision {
  if (awaitedOperation(payment) === 'CAPTURE' || payment.capturedAmount !== null) return stale(payment, 'CAPTURE_ALREADY_REQUESTED');
  if (isTerminalPayment(payment)) return stale(payment, 'PAYMENT_CLOSED');
  if (payment.status !== 'AUTHORIZED' || payment.inFlight !== null) return refused(payment, 'NOT_AUTHORIZED');
  if (payment.bookingRelease !== null) return refused(payment, 'BOOKING_RELEASED');
  const step = startCapture(payment, ctx);
  return applied(payment, step.state, ctx, [], step.calls);
}

export type CaptureResult =
  | {
      readonly kind: 'captured';
      readonly via: AnswerSource;
      readonly pspChargeId: string | null;
      readonly capturedAmount: Money;
    }
  /** The PSP refused for good (e.g. the authorization expired): compensate by voiding. */
  | { readonly kind: 'refused'; readonly via: AnswerSource; readonly failureCode: string }
  | { readonly kind: 'unknown'; readonly cause: string };

export function recordCaptureResult(payment: Payment, result: CaptureResult, ctx: IntentContext): PaymentDecision {
  if (awaitedOperation(payment) !== 'CAPTURE') return stale(payment, isTerminalPayment(payment) ? 'PAYMENT_CLOSED' : 'NO_CAPTURE_AWAITED');
  const key = lifecycleKey(payment, 'CAPTURE');
  const authorized = payment.authorizedAmount ?? payment.amount;
  const common = {
    paymentId: payment.paymentId,
    bookingId: payment.bookingId,
    statusBefore: payment.status,
    pspPaymentIntentId: pspIntentId(payment),
    pspIdempotencyKey: key,
  };
  switch (result.kind) {
    case 'captured': {
      const { capturedAmount } = result;
      // A PSP taking more than it authorized, or in another currency, is not a business outcome:
      // stop and let a person look (the message parks on the dead-letter topic).
      if (capturedAmount.currency !== authorized.currency || capturedAmount.amountMinor <= 0n || capturedAmount.amountMinor > authorized.amountMinor) {
        throw new Error(`payment ${payment.paymentId}: PSP reports capture of ${capturedAmount.amountMinor} ${capturedAmount.currency} against ${authorized.amountMinor} ${authorized.currency} authorized`);
      }
      const after: Payment = { ...payment, status: 'CAPTURED', capturedAmount, pspChargeId: result.pspChargeId, inFlight: null, unknown: null };
      // The fee is decided here, once, by the terms fixed at creation; the ledger books it as said.
      const { feeTerms } = payment;
      const fee = { platformFee: platformFeeOf(feeTerms, capturedAmount), feeBps: feeTerms.bps, feeRule: feeTerms.rule, feeScheduleVersion: feeTerms.scheduleVersion };
      const draft = {
        eventType: 'PaymentCaptured',
        payload: { ...common, statusAfter: 'CAPTURED', reason: result.via, pspChargeId: result.pspChargeId, capturedAmount, ...fee },
      } as const;
      // Cancelled while the capture was under way: refund by policy now.
      const compensation = compensateCapture(after, ctx);
      return applied(payment, compensation.state, ctx, [draft], compensation.calls);
    }
    case 'refused': {
      const after: Payment = { ...payment, status: 'CAPTURE_FAILED', inFlight: null, unknown: null };
      const draft = {
        eventType: 'PaymentCaptureFailed',
        payload: { ...common, statusAfter: 'CAPTURE_FAILED', reason: result.via, failureCode: result.failureCode, amount: authorized },
      } as const;
      // The booking will be cancelled; release whatever the authorization still holds.
      const step = startVoid(after, 'CAPTURE_FAILED', ctx);
      return applied(payment, step.state, ctx, [draft], step.calls);
    }
    case 'unknown':
      return recordUnknownLifecycleAnswer(payment, 'CAPTURE', result.cause, ctx);
  }
}

/** Release an authorization before capture; `reason` becomes the PaymentVoided reason. */
export function requestVoid(payment: Payment, reason: string, ctx: IntentContext): PaymentDecision {
  if (awaitedOperation(payment) === 'VOID') return stale(payment, 'VOID_ALREADY_REQUESTED');
  if (isTerminalPayment(payment)) return stale(payment, 'PAYMENT_CLOSED');
  if (payment.inFlight !== null || payment.unknown !== null) return refused(payment, 'CALL_UNDER_WAY');
  if (payment.status === 'CAPTURED' || payment.status === 'PARTIALLY_REFUNDED') return refused(payment, 'CAPTURED_REFUND_INSTEAD');
  if (payment.status === 'PENDING') return refused(payment, 'NOT_AUTHORIZED');
  const step = startVoid(payment, reason, ctx);
  return applied(payment, step.state, ctx, [], step.calls);
}

export type VoidResult = { readonly kind: 'voided'; readonly via: AnswerSource } | { readonly kind: 'unknown'; readonly cause: string };

export function recordVoidResult(payment: Payment, result: VoidResult, ctx: IntentContext): PaymentDecision {
  if (awaitedOperation(payment) !== 'VOID') return stale(payment, isTerminalPayment(payment) ? 'PAYMENT_CLOSED' : 'NO_VOID_AWAITED');
  if (result.kind === 'unknown') return recordUnknownLifecycleAnswer(payment, 'VOID', result.cause, ctx);
  const after: Payment = { ...payment, status: 'VOIDED', inFlight: null, unknown: null };
  const draft = {
    eventType: 'PaymentVoided',
    payload: {
      paymentId: payment.paymentId,
      bookingId: payment.bookingId,
      statusBefore: payment.status,
      statusAfter: 'VOIDED',
      reason: payment.bookingRelease?.reason ?? (payment.status === 'CAPTURE_FAILED' ? 'CAPTURE_FAILED' : result.via),
      pspPaymentIntentId: pspIntentId(payment),
      pspIdempotencyKey: lifecycleKey(payment, 'VOID'),
      voidedAmount: payment.authorizedAmount ?? payment.amount,
    },
  } as const;
  return applied(payment, after, ctx, [draft]);
}
