import type { Money } from '@txn/money';
import { stale, type IntentContext } from '@txn/domain-kernel';
import { lifecycleCall, refundCall, type Payment, type PaymentDecision, type UnknownOutcome } from './payment';
import { recordAuthorizationResult } from './authorization';
import { recordCaptureResult, recordVoidResult } from './capture-and-void';
import { recordRefundResult } from './refunds';
import { applied, nextQuery } from './transition';
import { mayCreateAuthorization } from './authorization-window';

/**
 * What the PSP says about our PaymentIntent when asked, normalised by the service. `not_found`
 * means the call never reached the PSP (for an authorization whose intent id we never learned: no
 * intent carries our payment id in the search window); `unreachable` means the query itself failed.
 */
export type PspIntentSnapshot =
  | { readonly pspStatus: 'unreachable' }
  | { readonly pspStatus: 'not_found' }
  | { readonly pspStatus: 'requires_action'; readonly pspPaymentIntentId: string; readonly actionType: string }
  | { readonly pspStatus: 'requires_capture'; readonly pspPaymentIntentId: string; readonly authorizedAmount: Money; readonly authorizationExpiresAt: Date | null; readonly authorizedAt: Date | null }
  | { readonly pspStatus: 'succeeded'; readonly pspPaymentIntentId: string; readonly pspChargeId: string | null; readonly capturedAmount: Money }
  | { readonly pspStatus: 'canceled'; readonly pspPaymentIntentId: string }
  | { readonly pspStatus: 'declined'; readonly pspPaymentIntentId: string | null; readonly failureCode: string; readonly declineCode: string | null };

/** Payments whose next outcome query is due at `now` (the service's poller selects these, with a LIMIT). */
export function outcomeQueryDue(payment: Payment, now: Date): boolean {
  const due = (at: Date | null): boolean => at !== null && at.getTime() <= now.getTime();
  return (payment.unknown !== null && payment.inFlight === null && due(payment.unknown.nextQueryAt)) || due(payment.pspSync?.nextQueryAt ?? null) ||
    payment.refunds.some((refund) => refund.status === 'OUTCOME_UNKNOWN' && due(refund.query?.nextQueryAt ?? null));
}

/** The answer proves nothing: count the query, schedule the next, or give up and alert. */
function inconclusive(payment: Payment, unknown: UnknownOutcome, ctx: IntentContext): PaymentDecision {
  return applied(payment, { ...payment, unknown: { ...unknown, ...nextQuery(unknown, ctx.now) } }, ctx, []);
}

/**
 * The PSP has no PaymentIntent of this authorization and its key may be gone (decision 0022):
 * nothing is created again. The queries stop and a person decides (needs attention), who can
 * see whether the customer was asked to pay by other means or the booking is released.
 */
function leaveToAPerson(payment: Payment, unknown: UnknownOutcome, ctx: IntentContext): PaymentDecision {
  return applied(payment, { ...payment, unknown: { ...unknown, attempts: unknown.attempts + 1, nextQueryAt: null, alertedAt: ctx.now } }, ctx, []);
}

/**
 * The PSP has no trace of the call: make it again with the same idempotency key (never a new
 * one), so that if it did arrive after all, the PSP answers with the original result.
 */
function reissue(payment: Payment, unknown: UnknownOutcome, ctx: IntentContext): PaymentDecision {
  const inFlight = { operation: unknown.operation, idempotencyKey: unknown.idempotencyKey, requestedAt: ctx.now };
  const after: Payment = { ...payment, inFlight, unknown: { ...unknown, ...nextQuery(unknown, ctx.now) } };
  return applied(payment, after, ctx, [], [lifecycleCall(after, inFlight)]);
}

/**
 * Resolve an unknown authorize, capture or void from what the PSP says. Only an answer that
 * settles the question moves the payment; anything else is inconclusive and waits for the next
 * scheduled query. An unknown authorization never becomes FAILED without the PSP saying so.
 */
export function resolveOutcomeByQuery(payment: Payment, snapshot: PspIntentSnapshot, ctx: IntentContext): PaymentDecision {
  const unknown = payment.unknown;
  if (unknown === null) return stale(payment, 'NOTHING_UNKNOWN');
  if (payment.inFlight !== null) return stale(payment, 'REISSUED_CALL_IN_FLIGHT');
  const via = 'PSP_QUERY';
  switch (unknown.operation) {
    case 'AUTHORIZE':
      switch (snapshot.pspStatus) {
        case 'requires_capture':
          return recordAuthorizationResult(payment, { kind: 'authorized', via, ...snapshot }, ctx);
        case 'requires_action':
          return recordAuthorizationResult(payment, { kind: 'requires_action', via, ...snapshot }, ctx);
        case 'declined':
          return recordAuthorizationResult(payment, { kind: 'declined', via, ...snapshot }, ctx);
        case 'canceled': {
          // Cancelled at the PSP (by the customer's bank, or a void we cannot remember): nothing is held.
          const withIntent: Payment = { ...payment, pspPaymentIntentId: snapshot.pspPaymentIntentId, voidReason: payment.voidReason ?? 'PSP_CANCELED', inFlight: { operation: 'VOID', idempotencyKey: unknown.idempotencyKey, requestedAt: ctx.now }, unknown: null };
          return recordVoidResult(withIntent, { kind: 'voided', via }, ctx);
        }
        case 'not_found':
          // Asked by a search that cannot create anything: no intent exists. Within the window the
          // create is sent again with the same key; past it the key may be gone and a create could
          // charge twice, so a person decides.
          return mayCreateAuthorization(payment, ctx.now) ? reissue(payment, unknown, ctx) : leaveToAPerson(payment, unknown, ctx);
        default:
          return inconclusive(payment, unknown, ctx);
      }
    case 'CAPTURE':
      switch (snapshot.pspStatus) {
        case 'succeeded':
          return recordCaptureResult(payment, { kind: 'captured', via, ...snapshot }, ctx);
        case 'canceled':
          return recordCaptureResult(payment, { kind: 'refused', via, failureCode: 'PAYMENT_INTENT_CANCELED' }, ctx);
        case 'requires_capture':
          return reissue(payment, unknown, ctx);
        default:
          return inconclusive(payment, unknown, ctx);
      }
    case 'VOID':
      switch (snapshot.pspStatus) {
        case 'canceled':
          return recordVoidResult(payment, { kind: 'voided', via }, ctx);
        case 'requires_capture':
        case 'requires_action':
          return reissue(payment, unknown, ctx);
        default:
          return inconclusive(payment, unknown, ctx);
      }
  }
}

export type PspRefundSnapshot =
  | { readonly pspRefundStatus: 'unreachable' }
  | { readonly pspRefundStatus: 'not_found' }
  | { readonly pspRefundStatus: 'pending' }
  | { readonly pspRefundStatus: 'succeeded'; readonly pspRefundId: string }
  | { readonly pspRefundStatus: 'failed'; readonly failureCode: string };

/** Resolve a refund whose outcome is unknown, the same way. */
export function resolveRefundByQuery(payment: Payment, refundId: string, snapshot: PspRefundSnapshot, ctx: IntentContext): PaymentDecision {
  const refund = payment.refunds.find((candidate) => candidate.refundId === refundId);
  if (refund?.status !== 'OUTCOME_UNKNOWN' || refund.query === null) return stale(payment, 'REFUND_NOT_UNKNOWN');
  switch (snapshot.pspRefundStatus) {
    case 'succeeded':
      return recordRefundResult(payment, refundId, { kind: 'succeeded', via: 'PSP_QUERY', pspRefundId: snapshot.pspRefundId }, ctx);
    case 'failed':
      return recordRefundResult(payment, refundId, { kind: 'failed', via: 'PSP_QUERY', failureCode: snapshot.failureCode }, ctx);
    case 'not_found': {
      const updated = { ...refund, status: 'IN_FLIGHT', query: nextQuery(refund.query, ctx.now) } as const;
      const after: Payment = { ...payment, refunds: payment.refunds.map((r) => (r.refundId === refundId ? updated : r)) };
      return applied(payment, after, ctx, [], [refundCall(after, updated)]);
    }
    case 'pending':
    case 'unreachable': {
      const updated = { ...refund, query: nextQuery(refund.query, ctx.now) };
      return applied(payment, { ...payment, refunds: payment.refunds.map((r) => (r.refundId === refundId ? updated : r)) }, ctx, []);
    }
  }
}
