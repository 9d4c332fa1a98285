import type { Money } from '@txn/money';
import { refused, stale, type IntentContext } from '@txn/domain-kernel';
import { MAX_REFUNDS_PER_PAYMENT, pspIntentId, refundableMinor, refundedMinor, type Payment, type PaymentDecision, type PaymentEvent, type Refund } from './payment';
import type { AnswerSource } from './authorization';
import { startRefund } from './compensation';
import { applied, firstQuery, outcomeUnknownDraft } from './transition';

export interface RefundRequest {
  /** Ours (a UUID), chosen by the requester: asking twice with the same id is one refund. */
  readonly refundId: string;
  readonly amount: Money;
  readonly reason: string;
}

/** Why payment refuses a refund request; each is announced with PaymentRefundRejected. */
export type RefundRefusal =
  | 'REFUND_ID_REUSED_WITH_OTHER_AMOUNT'
  | 'ALREADY_FULLY_REFUNDED'
  | 'NOT_CAPTURED'
  | 'CURRENCY_MISMATCH'
  | 'AMOUNT_NOT_POSITIVE'
  | 'EXCEEDS_REFUNDABLE'
  | 'TOO_MANY_REFUNDS';

const REFUSAL_DETAIL: Readonly<Record<RefundRefusal, (payment: Payment, request: RefundRequest) => string>> = {
  REFUND_ID_REUSED_WITH_OTHER_AMOUNT: (_payment, request) => `refund ${request.refundId} was already asked for with another amount`,
  ALREADY_FULLY_REFUNDED: () => 'the payment is already refunded in full',
  NOT_CAPTURED: (payment) => `only captured money can be refunded; the payment is ${payment.status}`,
  CURRENCY_MISMATCH: (payment, request) => `the payment is in ${payment.capturedAmount?.currency ?? payment.amount.currency}, the refund asks for ${request.amount.currency}`,
  AMOUNT_NOT_POSITIVE: () => 'a refund must be more than zero',
  EXCEEDS_REFUNDABLE: (payment, request) => `${request.amount.amountMinor} is more than the ${refundableMinor(payment)} that remains refundable`,
  TOO_MANY_REFUNDS: () => `a payment takes at most ${MAX_REFUNDS_PER_PAYMENT} refunds`,
};

/**
 * A refused request, announced: whoever asked (the API, a person) learns the code and the figure
 * to act on (what remains refundable), since the command crossed a topic and nobody waits on it.
 */
function refusedRefund(payment: Payment, request: RefundRequest, code: RefundRefusal, ctx: IntentContext): PaymentDecision {
  const detail = REFUSAL_DETAIL[code](payment, request);
  const currency = payment.capturedAmount?.currency ?? payment.amount.currency;
  const event: PaymentEvent = {
    eventType: 'PaymentRefundRejected',
    aggregateId: payment.paymentId,
    aggregateVersion: payment.version,
    occurredAt: ctx.now,
    actor: ctx.actor,
    payload: {
      paymentId: payment.paymentId,
      bookingId: payment.bookingId,
      statusBefore: payment.status,
      statusAfter: payment.status,
      reason: request.reason,
      refundId: request.refundId,
      requestedAmount: request.amount,
      code,
      detail,
      refundableAmount: { amountMinor: refundableMinor(payment), currency },
    },
  };
  return { ...refused(payment, code, detail), events: [event] };
}

function refusalOf(payment: Payment, request: RefundRequest): RefundRefusal | null {
  if (payment.status === 'REFUNDED') return 'ALREADY_FULLY_REFUNDED';
  if ((payment.status !== 'CAPTURED' && payment.status !== 'PARTIALLY_REFUNDED') || payment.capturedAmount === null) return 'NOT_CAPTURED';
  if (request.amount.currency !== payment.capturedAmount.currency) return 'CURRENCY_MISMATCH';
  if (request.amount.amountMinor <= 0n) return 'AMOUNT_NOT_POSITIVE';
  if (request.amount.amountMinor > refundableMinor(payment)) return 'EXCEEDS_REFUNDABLE';
  if (payment.refunds.length >= MAX_REFUNDS_PER_PAYMENT) return 'TOO_MANY_REFUNDS';
  return null;
}

/**
 * Reserve and request a refund. Refunds in flight or with an unknown outcome count against the
 * capture, so concurrent requests (serialized on the payment row) can never together exceed it.
 * The same refund id asked again is one refund (stale); every refusal is announced.
 */
export function requestRefund(payment: Payment, request: RefundRequest, ctx: IntentContext): PaymentDecision {
  const existing = payment.refunds.find((refund) => refund.refundId === request.refundId);
  if (existing !== undefined) {
    const same = existing.amount.amountMinor === request.amount.amountMinor && existing.amount.currency === request.amount.currency;
    return same ? stale(payment, 'REFUND_ALREADY_REQUESTED') : refusedRefund(payment, request, 'REFUND_ID_REUSED_WITH_OTHER_AMOUNT', ctx);
  }
  const refusal = refusalOf(payment, request);
  if (refusal !== null) return refusedRefund(payment, request, refusal, ctx);
  const step = startRefund(payment, request.refundId, request.amount, request.reason, ctx);
  return applied(payment, step.state, ctx, [], step.calls);
}

export type RefundResult =
  | { readonly kind: 'succeeded'; readonly via: AnswerSource; readonly pspRefundId: string }
  /** The PSP refused the refund: the reservation is released and the amount may be asked again. */
  | { readonly kind: 'failed'; readonly via: AnswerSource; readonly failureCode: string }
  | { readonly kind: 'unknown'; readonly cause: string };

function replaceRefund(payment: Payment, updated: Refund): readonly Refund[] {
  return payment.refunds.map((refund) => (refund.refundId === updated.refundId ? updated : refund));
}

export function recordRefundResult(payment: Payment, refundId: string, result: RefundResult, ctx: IntentContext): PaymentDecision {
  const refund = payment.refunds.find((candidate) => candidate.refundId === refundId);
  if (refund === undefined) return refused(payment, 'UNKNOWN_REFUND');
  if (refund.status === 'SUCCEEDED' || refund.status === 'FAILED') return stale(payment, 'REFUND_ALREADY_SETTLED');
  const captured = payment.capturedAmount;
  if (captured === null) throw new Error(`payment ${payment.paymentId}: refund ${refundId} without a capture`);
  switch (result.kind) {
    case 'succeeded': {
      const total_minor = refundedMinor(payment) + refund.amount.amountMinor;
      const status = total_minor === captured.amountMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
      const after: Payment = { ...payment, status, refunds: replaceRefund(payment, { ...refund, status: 'SUCCEEDED', pspRefundId: result.pspRefundId, query: null }) };
      const draft = {
        eventType: 'PaymentRefunded',
        payload: {
          paymentId: payment.paymentId,
          bookingId: payment.bookingId,
          statusBefore: payment.status,
          statusAfter: status,
          reason: refund.reason,
          refundId,
          pspPaymentIntentId: pspIntentId(payment),
          pspRefundId: result.pspRefundId,
          pspIdempotencyKey: refund.idempotencyKey,
          refundedAmount: refund.amount,
          totalRefunded: { amountMinor: total_minor, currency: captured.currency },
        },
      } as const;
      return applied(payment, after, ctx, [draft]);
    }
    case 'failed': {
      // The money did not move: the status stays, the reservation is released, and the event says
      // so (the customer is still owed the amount: needsAttention flags the payment for a person).
      const draft = {
        eventType: 'PaymentRefundFailed',
        payload: {
          paymentId: payment.paymentId,
          bookingId: payment.bookingId,
          statusBefore: payment.status,
          statusAfter: payment.status,
          reason: refund.reason,
          refundId,
          pspPaymentIntentId: pspIntentId(payment),
          pspIdempotencyKey: refund.idempotencyKey,
          requestedAmount: refund.amount,
          failureCode: result.failureCode,
          via: result.via,
        },
      } as const;
      return applied(payment, { ...payment, refunds: replaceRefund(payment, { ...refund, status: 'FAILED', query: null }) }, ctx, [draft]);
    }
    case 'unknown': {
      if (refund.status === 'OUTCOME_UNKNOWN') return stale(payment, 'REFUND_ALREADY_UNKNOWN');
      if (refund.query !== null) {
        // A re-issued call during resolution failed again: keep querying on the same schedule.
        return applied(payment, { ...payment, refunds: replaceRefund(payment, { ...refund, status: 'OUTCOME_UNKNOWN' }) }, ctx, []);
      }
      const after: Payment = { ...payment, refunds: replaceRefund(payment, { ...refund, status: 'OUTCOME_UNKNOWN', query: firstQuery(ctx.now) }) };
      return applied(payment, after, ctx, [outcomeUnknownDraft(payment, after, 'REFUND', refund.idempotencyKey, refund.amount, result.cause, ctx.now)]);
    }
  }
}
