import type { Actor } from '@txn/contracts';
import { stale, uuidV5, type IntentContext } from '@txn/domain-kernel';
import type { Money } from '@txn/money';
import { recordAuthorizationResult } from './authorization';
import { recordCaptureResult, recordVoidResult } from './capture-and-void';
import { pspIdempotencyKey } from './idempotency-key';
import type { PspIntentSnapshot } from './outcome-query';
import { awaitedOperation, MAX_REFUNDS_PER_PAYMENT, pspIntentId, refundableMinor, refundedMinor, type Payment, type PaymentDecision, type PaymentStatus, type PspSync, type Refund } from './payment';
import { recordRefundResult } from './refunds';
import { applied, lifecycleKey, nextQuery } from './transition';

/**
 * Webhooks in: a PSP event is a hint, the PSP's object is the truth. An event our state already
 * reflects (or has overtaken) is stale; any other asks for a sync, and the sync fetches the
 * PaymentIntent and its refunds and applies what they say, by state. Events arriving twice, late
 * or in reverse order therefore all end in the state the PSP holds, and an aggregate never moves
 * backwards. A change made at the PSP outside the platform (a dashboard refund, a cancellation,
 * an authorization the bank dropped) is applied as a fact with the PSP as its actor; what cannot
 * be applied (the PSP and we disagree in a way no transition explains) is a break for a person.
 */

/** Names our record of a refund made at the PSP outside the platform, from the PSP's refund id (so a second sync finds it). */
const EXTERNAL_REFUND_NAMESPACE = '0b6a2f0e-4c7d-5d8e-9f10-2a3b4c5d6e7f';
export const EXTERNAL_REFUND_REASON = 'PSP_EXTERNAL_REFUND';

/** What a PSP event says, as psp.events.v1 carries it (normalised by the ingress). */
export interface PspEventFacts {
  readonly pspEventId: string;
  readonly pspEventType: string;
  readonly pspObjectType: string;
  readonly pspStatus: string | null;
  readonly pspRefundId: string | null;
  /** A charge.refunded event's amount is the charge's total refunded (only compared: any currency text). */
  readonly amount: { readonly amountMinor: bigint; readonly currency: string } | null;
}

/** A refund as the PSP lists it on our PaymentIntent. */
export interface ObservedRefund {
  readonly pspRefundId: string;
  /** Our refund id from the refund's metadata; null for a refund made outside the platform. */
  readonly refundId: string | null;
  /** pending, requires_action, succeeded, failed, canceled. */
  readonly status: string;
  readonly amount: Money;
  /** When the PSP created it: refunds made outside the platform are numbered in this order. */
  readonly createdAt: Date;
}

/** What a sync fetched: the intent as a query sees it, its refunds, and the sync's request count when the fetch began. */
export interface PspObservation {
  readonly intent: PspIntentSnapshot;
  readonly refunds: readonly ObservedRefund[];
  readonly requestsSeen: number;
  /** The actor of changes made at the PSP rather than by us (a dashboard refund, a dropped authorization). */
  readonly pspActor: Actor;
}

export type PspBreakKind = 'STATUS_MISMATCH' | 'REFUND_EXCEEDS_CAPTURE' | 'UNKNOWN_PSP_OBJECT' | 'DISPUTE_OPENED';

/** A difference between the PSP and us that no transition explains: stored, counted and shown to a person. */
export interface PspBreakFinding {
  readonly kind: PspBreakKind;
  /** A stable description (also the break's identity with the payment and kind: the same finding twice is one break). */
  readonly detail: string;
}

export interface PspSyncOutcome {
  readonly decision: PaymentDecision;
  readonly breaks: readonly PspBreakFinding[];
}

/** The state of the PSP's intent an event or a fetch reports, in our words. */
type IntentClaim = 'ACTION' | 'DECLINED' | 'AUTHORIZED' | 'CAPTURED' | 'CANCELED';
type EventClaim = { readonly kind: 'intent'; readonly state: IntentClaim } | { readonly kind: 'refunds' } | { readonly kind: 'refund' };

/** The intent states a payment in this status has reached or passed: an event claiming one of them is no news. */
const REFLECTED: Readonly<Record<PaymentStatus, readonly IntentClaim[]>> = {
  PENDING: [],
  REQUIRES_ACTION: ['ACTION'],
  OUTCOME_UNKNOWN: [],
  AUTHORIZED: ['ACTION', 'AUTHORIZED'],
  CAPTURE_FAILED: ['ACTION', 'AUTHORIZED'],
  CAPTURED: ['ACTION', 'AUTHORIZED', 'CAPTURED'],
  PARTIALLY_REFUNDED: ['ACTION', 'AUTHORIZED', 'CAPTURED'],
  REFUNDED: ['ACTION', 'AUTHORIZED', 'CAPTURED'],
  VOIDED: ['ACTION', 'AUTHORIZED', 'CANCELED'],
  FAILED: ['ACTION', 'DECLINED'],
};

const INTENT_STATUS_CLAIMS: Readonly<Record<string, IntentClaim>> = { requires_action: 'ACTION', requires_capture: 'AUTHORIZED', succeeded: 'CAPTURED', canceled: 'CANCELED' };
/** Every payment we make captures manually: a succeeded charge is an authorization until charge.captured. */
const CHARGE_EVENT_CLAIMS: Readonly<Record<string, IntentClaim>> = { 'charge.succeeded': 'AUTHORIZED', 'charge.captured': 'CAPTURED', 'charge.failed': 'DECLINED', 'charge.expired': 'CANCELED' };

function claimOf(facts: PspEventFacts): EventClaim | null {
  switch (facts.pspObjectType) {
    case 'payment_intent': {
      if (facts.pspEventType === 'payment_intent.payment_failed') return { kind: 'intent', state: 'DECLINED' };
      const state = facts.pspStatus === null ? undefined : INTENT_STATUS_CLAIMS[facts.pspStatus];
      return state === undefined ? null : { kind: 'intent', state };
    }
    case 'charge': {
      if (facts.pspEventType === 'charge.refunded' || facts.pspEventType === 'charge.refund.updated') return { kind: 'refunds' };
      const state = CHARGE_EVENT_CLAIMS[facts.pspEventType];
      return state === undefined ? null : { kind: 'intent', state };
    }
    case 'refund':
      return { kind: 'refund' };
    default:
      return null;
  }
}

function reflectedClaims(payment: Payment): readonly IntentClaim[] {
  // An unknown capture or void was asked of an authorized intent.
  if (payment.status === 'OUTCOME_UNKNOWN' && payment.unknown !== null && payment.unknown.operation !== 'AUTHORIZE') return REFLECTED.AUTHORIZED;
  return REFLECTED[payment.status];
}

function reflects(payment: Payment, claim: EventClaim, facts: PspEventFacts): boolean {
  switch (claim.kind) {
    case 'intent':
      return reflectedClaims(payment).includes(claim.state);
    case 'refunds':
      return facts.amount !== null && facts.amount.amountMinor === refundedMinor(payment);
    case 'refund': {
      const known = payment.refunds.find((refund) => refund.pspRefundId !== null && refund.pspRefundId === facts.pspRefundId);
      if (known === undefined) return false;
      return (known.status === 'SUCCEEDED' && facts.pspStatus === 'succeeded') || (known.status === 'FAILED' && (facts.pspStatus === 'failed' || facts.pspStatus === 'canceled'));
    }
  }
}

/** Ask for the PSP's objects to be fetched and applied; a sync already waiting is asked again (its fetch may predate this news). */
export function requestPspSync(payment: Payment, cause: string, ctx: IntentContext, via: PspSync['via'] = 'PSP_WEBHOOK'): PaymentDecision {
  const pending = payment.pspSync;
  const pspSync: PspSync =
    pending === null || pending.alertedAt !== null
      ? { since: ctx.now, attempts: 0, nextQueryAt: ctx.now, alertedAt: null, cause, requests: 1, via }
      : { ...pending, nextQueryAt: ctx.now, cause, requests: pending.requests + 1, via };
  return applied(payment, { ...payment, pspSync }, ctx, []);
}

/** A PSP event about this payment: stale when our state already says it, else a sync of the PSP's objects. */
export function notePspEvent(payment: Payment, facts: PspEventFacts, ctx: IntentContext): PaymentDecision {
  const claim = claimOf(facts);
  if (claim === null) return stale(payment, 'NOTHING_TO_APPLY');
  if (reflects(payment, claim, facts)) return stale(payment, 'ALREADY_REFLECTED');
  return requestPspSync(payment, `${facts.pspEventType} ${facts.pspEventId}`, ctx);
}

/** Payments whose sync is due at `now`. */
export function pspSyncDue(payment: Payment, now: Date): boolean {
  const at = payment.pspSync?.nextQueryAt ?? null;
  return at !== null && at.getTime() <= now.getTime();
}

/** The first decision, then the next on its state, as one decision (events numbered on; calls together). */
function andThen(first: PaymentDecision, next: (payment: Payment) => PaymentDecision): PaymentDecision {
  const second = next(first.state);
  if (first.outcome !== 'applied') return second;
  if (second.outcome !== 'applied') return first;
  return { ...second, events: [...first.events, ...second.events], calls: [...first.calls, ...second.calls] };
}

const unchanged = (payment: Payment): PaymentDecision => stale(payment, 'PSP_AGREES');

/** The intent's context, who acted when the PSP changed something by itself, and how the news came. */
interface SyncContext extends IntentContext {
  readonly pspActor: Actor;
  readonly via: PspSync['via'];
}

/**
 * The PSP captured what we did not ask it to capture (its dashboard, after our void was asked, or
 * after it told us the capture failed). Only an authorization we know of can have been captured;
 * anything else (captured while we still wait for the customer's 3-D Secure) is a break.
 */
function externalCapture(payment: Payment, intent: Extract<PspIntentSnapshot, { pspStatus: 'succeeded' }>, ctx: SyncContext, breaks: PspBreakFinding[]): PaymentDecision {
  if (payment.status !== 'AUTHORIZED' && payment.status !== 'CAPTURE_FAILED' && payment.status !== 'OUTCOME_UNKNOWN') return mismatch(payment, intent, breaks);
  const inFlight = { operation: 'CAPTURE', idempotencyKey: lifecycleKey(payment, 'CAPTURE'), requestedAt: ctx.now } as const;
  return recordCaptureResult({ ...payment, inFlight, unknown: null }, { kind: 'captured', via: ctx.via, pspChargeId: intent.pspChargeId, capturedAmount: intent.capturedAmount }, { ...ctx, actor: ctx.pspActor });
}

/** The PSP cancelled the intent without our asking (its dashboard, or the bank dropped the authorization). */
function externalCancel(payment: Payment, ctx: SyncContext): PaymentDecision {
  const inFlight = { operation: 'VOID', idempotencyKey: lifecycleKey(payment, 'VOID'), requestedAt: ctx.now } as const;
  return recordVoidResult({ ...payment, inFlight, unknown: null, voidReason: payment.voidReason ?? 'PSP_CANCELED' }, { kind: 'voided', via: ctx.via }, { ...ctx, actor: ctx.pspActor });
}

function mismatch(payment: Payment, intent: PspIntentSnapshot, breaks: PspBreakFinding[]): PaymentDecision {
  breaks.push({ kind: 'STATUS_MISMATCH', detail: `payment is ${payment.status}, the PSP's intent is ${intent.pspStatus}` });
  return unchanged(payment);
}

/** An authorization we wait for (our call, a lost answer, or 3-D Secure), settled by what the PSP holds. */
function settleAuthorization(payment: Payment, intent: PspIntentSnapshot, ctx: SyncContext, breaks: PspBreakFinding[]): PaymentDecision {
  switch (intent.pspStatus) {
    case 'requires_capture':
      return recordAuthorizationResult(payment, { kind: 'authorized', via: ctx.via, ...intent }, ctx);
    case 'requires_action':
      return payment.status === 'REQUIRES_ACTION' ? unchanged(payment) : recordAuthorizationResult(payment, { kind: 'requires_action', via: ctx.via, ...intent }, ctx);
    case 'declined':
      return recordAuthorizationResult(payment, { kind: 'declined', via: ctx.via, ...intent }, ctx);
    case 'canceled':
      // Never authorized as far as we heard: the authorization failed. Once announced (3-D Secure, an unknown outcome), it is voided.
      if (payment.status === 'PENDING') return recordAuthorizationResult(payment, { kind: 'declined', via: ctx.via, pspPaymentIntentId: intent.pspPaymentIntentId, failureCode: 'PAYMENT_INTENT_CANCELED', declineCode: null }, ctx);
      return externalCancel({ ...payment, pspPaymentIntentId: intent.pspPaymentIntentId }, ctx);
    case 'succeeded': {
      // Authorized and captured before we heard either: both facts, in order.
      const authorization = recordAuthorizationResult(payment, { kind: 'authorized', via: ctx.via, pspPaymentIntentId: intent.pspPaymentIntentId, authorizedAmount: intent.capturedAmount, authorizationExpiresAt: null, authorizedAt: null }, ctx);
      return andThen(authorization, (authorized) => (authorized.capturedAmount === null && awaitedOperation(authorized) === null ? externalCapture(authorized, intent, ctx, breaks) : unchanged(authorized)));
    }
    default:
      return unchanged(payment);
  }
}

/** A dispute the PSP reports (charge.dispute.created), as the ingress normalised it. */
export interface DisputeFacts {
  readonly pspDisputeId: string;
  readonly pspEventType: string;
  readonly pspChargeId: string | null;
  readonly amount: Money | null;
  readonly status: string | null;
}

/**
 * The customer opened a chargeback: announced (the ledger holds the escrow back from release) with
 * the PSP as the actor, and the payment needs a person until the dispute is answered. Only a
 * payment with money captured and not all refunded can hold anything back; for any other the
 * dispute is a break only (the application raises it either way).
 */
export function recordDispute(payment: Payment, dispute: DisputeFacts, ctx: IntentContext & { readonly pspActor: Actor }): PaymentDecision {
  if (payment.dispute?.pspDisputeId === dispute.pspDisputeId) return stale(payment, 'DISPUTE_ALREADY_RECORDED');
  if (payment.status !== 'CAPTURED' && payment.status !== 'PARTIALLY_REFUNDED') return stale(payment, 'NOTHING_CAPTURED_TO_HOLD');
  const after: Payment = { ...payment, dispute: { pspDisputeId: dispute.pspDisputeId, openedAt: ctx.now } };
  const draft = {
    eventType: 'PaymentDisputed',
    payload: {
      paymentId: payment.paymentId,
      bookingId: payment.bookingId,
      statusBefore: payment.status,
      statusAfter: payment.status,
      reason: dispute.pspEventType,
      pspDisputeId: dispute.pspDisputeId,
      pspPaymentIntentId: pspIntentId(payment),
      pspChargeId: dispute.pspChargeId ?? payment.pspChargeId,
      disputedAmount: dispute.amount ?? payment.capturedAmount ?? payment.amount,
      disputeStatus: dispute.status,
    },
  } as const;
  return applied(payment, after, { ...ctx, actor: ctx.pspActor }, [draft]);
}

/** The payment's lifecycle against the PSP's intent; what no transition explains becomes a break. */
function syncLifecycle(payment: Payment, intent: PspIntentSnapshot, ctx: SyncContext, breaks: PspBreakFinding[]): PaymentDecision {
  const awaited = awaitedOperation(payment);
  if (awaited === 'AUTHORIZE') return settleAuthorization(payment, intent, ctx, breaks);
  if (awaited === 'CAPTURE') {
    if (intent.pspStatus === 'succeeded') return recordCaptureResult(payment, { kind: 'captured', via: ctx.via, pspChargeId: intent.pspChargeId, capturedAmount: intent.capturedAmount }, ctx);
    if (intent.pspStatus === 'canceled') return recordCaptureResult(payment, { kind: 'refused', via: ctx.via, failureCode: 'PAYMENT_INTENT_CANCELED' }, ctx);
    return unchanged(payment);
  }
  if (awaited === 'VOID') {
    if (intent.pspStatus === 'canceled') return recordVoidResult(payment, { kind: 'voided', via: ctx.via }, ctx);
    // Captured while we asked for a void: the money was taken; a released booking refunds it by policy.
    if (intent.pspStatus === 'succeeded') return externalCapture(payment, intent, ctx, breaks);
    return unchanged(payment);
  }
  switch (payment.status) {
    case 'AUTHORIZED':
    case 'CAPTURE_FAILED':
      if (intent.pspStatus === 'succeeded') return externalCapture(payment, intent, ctx, breaks);
      if (intent.pspStatus === 'canceled') return externalCancel(payment, ctx);
      return intent.pspStatus === 'requires_capture' ? unchanged(payment) : mismatch(payment, intent, breaks);
    case 'CAPTURED':
    case 'PARTIALLY_REFUNDED':
    case 'REFUNDED':
      return intent.pspStatus === 'succeeded' ? unchanged(payment) : mismatch(payment, intent, breaks);
    case 'VOIDED':
      return intent.pspStatus === 'canceled' ? unchanged(payment) : mismatch(payment, intent, breaks);
    case 'FAILED':
      return intent.pspStatus === 'succeeded' || intent.pspStatus === 'requires_capture' ? mismatch(payment, intent, breaks) : unchanged(payment);
    default:
      return unchanged(payment);
  }
}

function sameRefund(ours: Refund, observed: ObservedRefund): boolean {
  return ours.refundId === observed.refundId || (ours.pspRefundId !== null && ours.pspRefundId === observed.pspRefundId);
}

/** A refund made at the PSP outside the platform: recorded as ours to keep, and announced as the PSP's act. */
function externalRefund(payment: Payment, observed: ObservedRefund, ctx: SyncContext, breaks: PspBreakFinding[]): PaymentDecision {
  const captured = payment.capturedAmount;
  // Our refunds still in flight count too: the PSP will refuse whichever no longer fits, and until
  // it has, booking this one as well would promise more back than was captured. It is a break
  // instead, which reconciliation explains once our refund's answer is in.
  const room_minor = refundableMinor(payment);
  if (captured === null || observed.amount.currency !== captured.currency || observed.amount.amountMinor <= 0n || observed.amount.amountMinor > room_minor || payment.refunds.length >= MAX_REFUNDS_PER_PAYMENT) {
    breaks.push({ kind: 'REFUND_EXCEEDS_CAPTURE', detail: `PSP refund ${observed.pspRefundId} of ${observed.amount.amountMinor} ${observed.amount.currency} does not fit what the payment has left to refund` });
    return unchanged(payment);
  }
  const sequence = payment.refunds.length + 1;
  const refund: Refund = {
    refundId: uuidV5(EXTERNAL_REFUND_NAMESPACE, observed.pspRefundId),
    sequence,
    amount: observed.amount,
    reason: EXTERNAL_REFUND_REASON,
    // Never sent (we made no call): the key its place in the sequence would have had.
    idempotencyKey: pspIdempotencyKey(payment.paymentId, 'REFUND', sequence),
    status: 'IN_FLIGHT',
    pspRefundId: null,
    requestedAt: ctx.now,
    query: null,
  };
  return recordRefundResult({ ...payment, refunds: [...payment.refunds, refund] }, refund.refundId, { kind: 'succeeded', via: ctx.via, pspRefundId: observed.pspRefundId }, { ...ctx, actor: ctx.pspActor });
}

function syncRefund(payment: Payment, observed: ObservedRefund, ctx: SyncContext, breaks: PspBreakFinding[]): PaymentDecision {
  const ours = payment.refunds.find((refund) => sameRefund(refund, observed));
  const failedAtPsp = observed.status === 'failed' || observed.status === 'canceled';
  if (ours === undefined) return observed.status === 'succeeded' ? externalRefund(payment, observed, ctx, breaks) : unchanged(payment);
  if (ours.status === 'IN_FLIGHT' || ours.status === 'OUTCOME_UNKNOWN') {
    if (observed.status === 'succeeded') return recordRefundResult(payment, ours.refundId, { kind: 'succeeded', via: ctx.via, pspRefundId: observed.pspRefundId }, ctx);
    if (failedAtPsp) return recordRefundResult(payment, ours.refundId, { kind: 'failed', via: ctx.via, failureCode: `PSP_REFUND_${observed.status.toUpperCase()}` }, ctx);
    return unchanged(payment);
  }
  if ((ours.status === 'SUCCEEDED' && failedAtPsp) || (ours.status === 'FAILED' && observed.status === 'succeeded')) {
    breaks.push({ kind: 'STATUS_MISMATCH', detail: `refund ${ours.refundId} is ${ours.status}, the PSP's refund ${observed.pspRefundId} is ${observed.status}` });
  }
  return unchanged(payment);
}

/** The sync is over (or asked again by news that came during the fetch: then once more at once). */
function closeSync(payment: Payment, requestsSeen: number, ctx: IntentContext): PaymentDecision {
  const pending = payment.pspSync;
  if (pending === null) return unchanged(payment);
  const after: Payment = { ...payment, pspSync: pending.requests === requestsSeen ? null : { ...pending, nextQueryAt: ctx.now } };
  return applied(payment, after, ctx, []);
}

/**
 * Apply what the PSP holds. The lifecycle first (the intent's status), then every refund it
 * lists; each step only ever moves the payment forward. An answer that says nothing (the PSP
 * unreachable, the intent not found yet) counts as a query on the bounded schedule, after which
 * the payment needs a person.
 */
export function reconcileWithPsp(payment: Payment, observation: PspObservation, ctx: IntentContext): PspSyncOutcome {
  const pending = payment.pspSync;
  if (pending === null) return { decision: stale(payment, 'NO_SYNC_REQUESTED'), breaks: [] };
  const { intent } = observation;
  if (intent.pspStatus === 'unreachable' || intent.pspStatus === 'not_found') {
    return { decision: applied(payment, { ...payment, pspSync: { ...pending, ...nextQuery(pending, ctx.now) } }, ctx, []), breaks: [] };
  }
  const breaks: PspBreakFinding[] = [];
  const sync: SyncContext = { ...ctx, pspActor: observation.pspActor, via: pending.via };
  let decision = syncLifecycle(payment, intent, sync, breaks);
  const oldestFirst = [...observation.refunds].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.pspRefundId.localeCompare(b.pspRefundId));
  for (const observed of oldestFirst) decision = andThen(decision, (current) => syncRefund(current, observed, sync, breaks));
  return { decision: andThen(decision, (current) => closeSync(current, observation.requestsSeen, ctx)), breaks };
}
