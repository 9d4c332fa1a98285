import type { Actor } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import type { Money } from '@txn/money';
import { awaitedOperation, recordAuthorizationResult, recordCaptureResult, recordVoidResult, stale, type IntentContext, type Payment, type PaymentDecision } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import type { Cause, PaymentDecisions } from '../decisions';
import type { IntentView } from '../../psp/psp-port';
import { loadPaymentForUpdate } from '../../persistence/payments';

/**
 * A PSP event whose signature the webhook ingress already verified (stripe.webhooks.constructEvent),
 * normalised: the event's id and type and the payment intent it carries. `paymentId` is our
 * metadata.payment_id on the intent.
 */
export interface VerifiedPspEvent {
  readonly pspEventId: string;
  readonly type: string;
  readonly paymentId: string;
  readonly intent: IntentView;
}

const WEBHOOK: Actor = { type: 'SERVICE', id: 'psp-webhook' };

/** What the event says about the call the payment is waiting for; stale when it waits for nothing it settles. */
export function decideOnPspEvent(payment: Payment, event: VerifiedPspEvent, feeOf: (captured: Money) => Money, ctx: IntentContext): PaymentDecision {
  const via = 'PSP_WEBHOOK';
  const intent = event.intent;
  const awaited = awaitedOperation(payment);
  if (awaited === 'AUTHORIZE' && intent.status === 'requires_capture') {
    return recordAuthorizationResult(payment, { kind: 'authorized', via, pspPaymentIntentId: intent.id, authorizedAmount: intent.amount, authorizationExpiresAt: null }, ctx);
  }
  if (awaited === 'AUTHORIZE' && event.type === 'payment_intent.payment_failed') {
    const code = intent.lastError?.code ?? 'card_declined';
    return recordAuthorizationResult(payment, { kind: 'declined', via, pspPaymentIntentId: intent.id, failureCode: code, declineCode: intent.lastError?.declineCode ?? null }, ctx);
  }
  if (awaited === 'CAPTURE' && intent.status === 'succeeded') {
    return recordCaptureResult(payment, { kind: 'captured', via, pspChargeId: intent.chargeId, capturedAmount: intent.amount, platformFee: feeOf(intent.amount) }, ctx);
  }
  if (awaited === 'VOID' && intent.status === 'canceled') return recordVoidResult(payment, { kind: 'voided', via }, ctx);
  return stale(payment, 'WEBHOOK_SETTLES_NOTHING_AWAITED');
}

/**
 * The entry point for PSP webhooks (the ingress service, or a psp.events.v1 consumer, calls it in
 * its transaction): the same record…Result functions as a call's answer, with via PSP_WEBHOOK,
 * so a webhook and a query or a late answer can arrive in any order and the first one wins.
 */
export async function recordPspEvent(
  tx: SqlTransaction,
  event: VerifiedPspEvent,
  deps: { readonly decisions: PaymentDecisions; readonly feeFor: (tenantId: string) => (captured: Money) => Money; readonly now: Date; readonly cause?: Cause },
): Promise<HandlerOutcome> {
  const stored = await loadPaymentForUpdate(tx, event.paymentId);
  const messageType = `PSP_WEBHOOK:${event.type}`;
  if (stored === undefined || (stored.payment.pspPaymentIntentId !== null && stored.payment.pspPaymentIntentId !== event.intent.id)) {
    return deps.decisions.unapplied(tx, { paymentId: event.paymentId, status: stored?.payment.status ?? null, outcome: 'stale', reason: 'UNKNOWN_PAYMENT_INTENT' }, deps.cause, messageType);
  }
  const decision = decideOnPspEvent(stored.payment, event, deps.feeFor(stored.payment.tenantId), { now: deps.now, actor: WEBHOOK });
  return deps.decisions.settle(tx, decision, { before: stored, cause: deps.cause, messageType, now: deps.now });
}
