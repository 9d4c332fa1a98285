import type { Money } from '@txn/money';
import type { FeeTerms } from './fees';
import { stale, type IntentContext } from '@txn/domain-kernel';
import { awaitedOperation, isTerminalPayment, lifecycleCall, type Payment, type PaymentDecision } from './payment';
import { applied, firstQuery, lifecycleKey, outcomeUnknownDraft } from './transition';
import { compensateAuthorization } from './compensation';
import { authorizationExpiry } from './authorization-window';

/** How we learned a PSP outcome; it becomes the event's reason. Webhooks enter here too. */
export type AnswerSource = 'PSP_RESPONSE' | 'PSP_WEBHOOK' | 'PSP_QUERY' | 'RECONCILIATION';

export interface NewPayment {
  readonly paymentId: string;
  readonly bookingId: string;
  readonly tenantId: string;
  readonly amount: Money;
  /** The fee schedule's terms for this merchant at the moment of sale. */
  readonly feeTerms: FeeTerms;
}

/**
 * A payment for a held booking, with its AUTHORIZE call to make. Nothing is announced yet: the
 * first event is the PSP's answer. Throws on a non-positive amount: booking never holds one.
 */
export function createPayment(facts: NewPayment, ctx: IntentContext): PaymentDecision {
  if (facts.amount.amountMinor <= 0n) throw new RangeError(`payment ${facts.paymentId}: amount must be positive`);
  const payment: Payment = {
    ...facts,
    status: 'PENDING',
    version: 0n,
    pspPaymentIntentId: null,
    authorizationRequestedAt: ctx.now,
    authorizedAmount: null,
    authorizedAt: null,
    authorizationExpiresAt: null,
    capturedAmount: null,
    pspChargeId: null,
    inFlight: null,
    unknown: null,
    refunds: [],
    bookingRelease: null,
    voidReason: null,
    pspSync: null,
    dispute: null,
  };
  const inFlight = { operation: 'AUTHORIZE', idempotencyKey: lifecycleKey(payment, 'AUTHORIZE'), requestedAt: ctx.now } as const;
  return applied(payment, { ...payment, inFlight }, ctx, [], [lifecycleCall(payment, inFlight)]);
}

export type AuthorizationResult =
  | {
      readonly kind: 'authorized';
      readonly via: AnswerSource;
      readonly pspPaymentIntentId: string;
      readonly authorizedAmount: Money;
      /** The PSP's word on when it drops the authorization (Stripe: the charge's capture_before); null: it did not say. */
      readonly authorizationExpiresAt: Date | null;
      /** The PSP's own time of the authorization, when it says; else the answer is taken as now. */
      readonly authorizedAt: Date | null;
    }
  | { readonly kind: 'requires_action'; readonly via: AnswerSource; readonly pspPaymentIntentId: string; readonly actionType: string }
  | {
      readonly kind: 'declined';
      readonly via: AnswerSource;
      readonly pspPaymentIntentId: string | null;
      readonly failureCode: string;
      readonly declineCode: string | null;
    }
  /** Timeout, 5xx, connection reset: the PSP may or may not have authorized. Never a failure. */
  | { readonly kind: 'unknown'; readonly cause: string; readonly pspPaymentIntentId: string | null };

/**
 * The PSP authorized. Every PaymentAuthorized says when it happened and when it lapses (the PSP's
 * word, else the default validity from then): the ledger's hold and the booking's deadlines judge
 * by these, never by when the event was consumed.
 */
function authorized(payment: Payment, result: Extract<AuthorizationResult, { kind: 'authorized' }>, ctx: IntentContext): PaymentDecision {
  const authorizedAt = result.authorizedAt ?? ctx.now;
  const authorizationExpiresAt = authorizationExpiry(result.authorizationExpiresAt, authorizedAt);
  const after: Payment = {
    ...payment,
    status: 'AUTHORIZED',
    pspPaymentIntentId: result.pspPaymentIntentId,
    authorizedAmount: result.authorizedAmount,
    authorizedAt,
    authorizationExpiresAt,
    inFlight: null,
    unknown: null,
  };
  const draft = {
    eventType: 'PaymentAuthorized',
    payload: {
      paymentId: payment.paymentId,
      bookingId: payment.bookingId,
      statusBefore: payment.status,
      pspIdempotencyKey: lifecycleKey(payment, 'AUTHORIZE'),
      statusAfter: 'AUTHORIZED',
      reason: result.via,
      pspPaymentIntentId: result.pspPaymentIntentId,
      authorizedAmount: result.authorizedAmount,
      authorizationExpiresAt,
      authorizedAt,
    },
  } as const;
  // The booking was released while we waited: the late authorization is compensated at once.
  const compensation = compensateAuthorization(after, ctx);
  return applied(payment, compensation.state, ctx, [draft], compensation.calls);
}

/** The answer to our AUTHORIZE call, a webhook about it, or a query's finding. */
export function recordAuthorizationResult(payment: Payment, result: AuthorizationResult, ctx: IntentContext): PaymentDecision {
  if (awaitedOperation(payment) !== 'AUTHORIZE') {
    return stale(payment, isTerminalPayment(payment) ? 'PAYMENT_CLOSED' : 'AUTHORIZATION_ALREADY_SETTLED');
  }
  const key = lifecycleKey(payment, 'AUTHORIZE');
  const common = { paymentId: payment.paymentId, bookingId: payment.bookingId, statusBefore: payment.status, pspIdempotencyKey: key };
  switch (result.kind) {
    case 'authorized':
      return authorized(payment, result, ctx);
    case 'requires_action': {
      if (payment.status === 'REQUIRES_ACTION') return stale(payment, 'ALREADY_REQUIRES_ACTION');
      const after: Payment = { ...payment, status: 'REQUIRES_ACTION', pspPaymentIntentId: result.pspPaymentIntentId, inFlight: null, unknown: null };
      const draft = {
        eventType: 'PaymentRequiresAction',
        payload: {
          ...common,
          statusAfter: 'REQUIRES_ACTION',
          reason: result.via,
          pspPaymentIntentId: result.pspPaymentIntentId,
          actionType: result.actionType,
          amount: payment.amount,
        },
      } as const;
      const compensation = compensateAuthorization(after, ctx);
      return applied(payment, compensation.state, ctx, [draft], compensation.calls);
    }
    case 'declined': {
      const after: Payment = { ...payment, status: 'FAILED', pspPaymentIntentId: result.pspPaymentIntentId ?? payment.pspPaymentIntentId, inFlight: null, unknown: null };
      const draft = {
        eventType: 'PaymentFailed',
        payload: {
          ...common,
          statusAfter: 'FAILED',
          reason: result.via,
          pspPaymentIntentId: after.pspPaymentIntentId,
          failureCode: result.failureCode,
          declineCode: result.declineCode,
          amount: payment.amount,
        },
      } as const;
      return applied(payment, after, ctx, [draft]);
    }
    case 'unknown':
      return recordUnknownLifecycleAnswer(payment, 'AUTHORIZE', result.cause, ctx, result.pspPaymentIntentId);
  }
}

/**
 * A lifecycle call (authorize, capture, void) got no usable answer. The first time, the payment
 * goes to OUTCOME_UNKNOWN and the query schedule starts; when a call re-issued during resolution
 * fails the same way, the schedule simply continues.
 */
export function recordUnknownLifecycleAnswer(
  payment: Payment,
  operation: 'AUTHORIZE' | 'CAPTURE' | 'VOID',
  cause: string,
  ctx: IntentContext,
  pspPaymentIntentId: string | null = null,
): PaymentDecision {
  if (payment.inFlight?.operation !== operation) return stale(payment, 'NO_CALL_IN_FLIGHT');
  if (payment.status === 'OUTCOME_UNKNOWN') return applied(payment, { ...payment, inFlight: null }, ctx, []);
  const key = payment.inFlight.idempotencyKey;
  const query = firstQuery(ctx.now);
  const after: Payment = {
    ...payment,
    status: 'OUTCOME_UNKNOWN',
    pspPaymentIntentId: payment.pspPaymentIntentId ?? pspPaymentIntentId,
    inFlight: null,
    unknown: { ...query, operation, idempotencyKey: key, cause },
  };
  const amount = payment.authorizedAmount ?? payment.amount;
  return applied(payment, after, ctx, [outcomeUnknownDraft(payment, after, operation, key, amount, cause, ctx.now)]);
}

