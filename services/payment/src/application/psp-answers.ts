import type { AuthorizationResult, CaptureResult, PspIntentSnapshot, PspRefundSnapshot, RefundResult, VoidResult } from '@txn/payment-domain';
import type { IntentView, PspAnswer, PspFailure, RefundView } from './psp-port';

/**
 * PSP answers as payment-domain facts. Pure: the application makes the call, these say what it
 * means. A request the PSP refused as malformed is not a business fact: it comes back as
 * `invalid_request`, and the caller logs it and leaves the call for a person.
 */

export type InvalidRequest = Extract<PspFailure, { kind: 'invalid_request' }>;

/** The intent's status seen by the PSP that settles nothing by itself. */
function openIntent(intent: IntentView): string {
  return `PSP_INTENT_${intent.status.toUpperCase()}`;
}

export function authorizationResult(answer: PspAnswer<IntentView>): AuthorizationResult | InvalidRequest {
  const via = 'PSP_RESPONSE';
  if (!answer.ok) {
    const failure = answer.failure;
    switch (failure.kind) {
      case 'declined':
        return { kind: 'declined', via, pspPaymentIntentId: failure.intentId, failureCode: failure.code, declineCode: failure.declineCode };
      case 'invalid_request':
        return failure;
      case 'unknown':
        return { kind: 'unknown', cause: failure.cause, pspPaymentIntentId: null };
      default:
        return { kind: 'unknown', cause: `PSP_${failure.kind.toUpperCase()}`, pspPaymentIntentId: null };
    }
  }
  const intent = answer.value;
  switch (intent.status) {
    case 'requires_capture':
      return { kind: 'authorized', via, pspPaymentIntentId: intent.id, authorizedAmount: intent.amount, authorizationExpiresAt: intent.captureBefore, authorizedAt: intent.authorizedAt };
    case 'requires_action':
      return { kind: 'requires_action', via, pspPaymentIntentId: intent.id, actionType: intent.actionType ?? 'unknown' };
    case 'requires_payment_method':
      if (intent.lastError !== null) return { kind: 'declined', via, pspPaymentIntentId: intent.id, failureCode: intent.lastError.code, declineCode: intent.lastError.declineCode };
      return { kind: 'unknown', cause: openIntent(intent), pspPaymentIntentId: intent.id };
    default:
      return { kind: 'unknown', cause: openIntent(intent), pspPaymentIntentId: intent.id };
  }
}

/**
 * What a query (a retrieve, or the search for an authorization's intent by our metadata) says
 * about the intent. The times the PSP gives (capture_before, created) travel as they are; the
 * domain fills in the default validity when the PSP says none.
 */
export function intentSnapshot(answer: PspAnswer<IntentView>): PspIntentSnapshot {
  if (!answer.ok) {
    const failure = answer.failure;
    if (failure.kind === 'not_found') return { pspStatus: 'not_found' };
    if (failure.kind === 'declined') return { pspStatus: 'declined', pspPaymentIntentId: failure.intentId, failureCode: failure.code, declineCode: failure.declineCode };
    return { pspStatus: 'unreachable' };
  }
  const intent = answer.value;
  switch (intent.status) {
    case 'requires_capture':
      return { pspStatus: 'requires_capture', pspPaymentIntentId: intent.id, authorizedAmount: intent.amount, authorizationExpiresAt: intent.captureBefore, authorizedAt: intent.authorizedAt };
    case 'requires_action':
      return { pspStatus: 'requires_action', pspPaymentIntentId: intent.id, actionType: intent.actionType ?? 'unknown' };
    case 'succeeded':
      return { pspStatus: 'succeeded', pspPaymentIntentId: intent.id, pspChargeId: intent.chargeId, capturedAmount: intent.amount };
    case 'canceled':
      return { pspStatus: 'canceled', pspPaymentIntentId: intent.id };
    case 'requires_payment_method':
      if (intent.lastError !== null) return { pspStatus: 'declined', pspPaymentIntentId: intent.id, failureCode: intent.lastError.code, declineCode: intent.lastError.declineCode };
      return { pspStatus: 'unreachable' };
    default:
      // processing, requires_confirmation: nothing settled yet; ask again on schedule.
      return { pspStatus: 'unreachable' };
  }
}

export function captureResult(answer: PspAnswer<IntentView>): CaptureResult | InvalidRequest {
  const via = 'PSP_RESPONSE';
  if (!answer.ok) {
    const failure = answer.failure;
    if (failure.kind === 'invalid_request') return failure;
    if (failure.kind === 'declined') return { kind: 'refused', via, failureCode: failure.code };
    // A state conflict (already captured or canceled) is settled by asking the PSP, not by guessing.
    return { kind: 'unknown', cause: failure.kind === 'unknown' ? failure.cause : `PSP_${failure.kind.toUpperCase()}` };
  }
  const intent = answer.value;
  if (intent.status === 'succeeded') return { kind: 'captured', via, pspChargeId: intent.chargeId, capturedAmount: intent.amount };
  if (intent.status === 'canceled') return { kind: 'refused', via, failureCode: 'PAYMENT_INTENT_CANCELED' };
  return { kind: 'unknown', cause: openIntent(intent) };
}

export function voidResult(answer: PspAnswer<IntentView>): VoidResult | InvalidRequest {
  if (!answer.ok) {
    const failure = answer.failure;
    if (failure.kind === 'invalid_request') return failure;
    return { kind: 'unknown', cause: failure.kind === 'unknown' ? failure.cause : `PSP_${failure.kind.toUpperCase()}` };
  }
  if (answer.value.status === 'canceled') return { kind: 'voided', via: 'PSP_RESPONSE' };
  return { kind: 'unknown', cause: openIntent(answer.value) };
}

export function refundResult(answer: PspAnswer<RefundView>): RefundResult | InvalidRequest {
  const via = 'PSP_RESPONSE';
  if (!answer.ok) {
    const failure = answer.failure;
    if (failure.kind === 'invalid_request') return failure;
    if (failure.kind === 'declined') return { kind: 'failed', via, failureCode: failure.code };
    return { kind: 'unknown', cause: failure.kind === 'unknown' ? failure.cause : `PSP_${failure.kind.toUpperCase()}` };
  }
  const refund = answer.value;
  if (refund.status === 'succeeded') return { kind: 'succeeded', via, pspRefundId: refund.id };
  if (refund.status === 'failed' || refund.status === 'canceled') return { kind: 'failed', via, failureCode: refund.failureReason ?? `REFUND_${refund.status.toUpperCase()}` };
  return { kind: 'unknown', cause: `PSP_REFUND_${refund.status.toUpperCase()}` };
}

export function refundSnapshot(answer: PspAnswer<RefundView>): PspRefundSnapshot {
  if (!answer.ok) return answer.failure.kind === 'not_found' ? { pspRefundStatus: 'not_found' } : { pspRefundStatus: 'unreachable' };
  const refund = answer.value;
  if (refund.status === 'succeeded') return { pspRefundStatus: 'succeeded', pspRefundId: refund.id };
  if (refund.status === 'failed' || refund.status === 'canceled') return { pspRefundStatus: 'failed', failureCode: refund.failureReason ?? `REFUND_${refund.status.toUpperCase()}` };
  return { pspRefundStatus: 'pending' };
}
