import type {
  PaymentAuthorized,
  PaymentCaptured,
  PaymentCaptureFailed,
  PaymentDisputed,
  PaymentFailed,
  PaymentOutcomeUnknown,
  PaymentRefunded,
  PaymentRefundFailed,
  PaymentRefundRejected,
  PaymentRequiresAction,
  PaymentStatus,
  PaymentVoided,
  PspOperation,
} from '@txn/contracts';
import type { Money } from '@txn/money';
import type { Decision, DomainEventsOf } from '@txn/domain-kernel';
import type { FeeTerms } from './fees';

export type { PaymentStatus, PspOperation } from '@txn/contracts';

/** No transition leaves these: a late fact about such a payment is stale. */
export const TERMINAL_PAYMENT_STATUSES: ReadonlySet<PaymentStatus> = new Set(['FAILED', 'VOIDED', 'REFUNDED']);
/** A payment that needs more refunds than this is a support case, not a flow. */
export const MAX_REFUNDS_PER_PAYMENT = 20;

/** The PSP calls a payment makes once (refunds are numbered and tracked one by one). */
export type LifecycleOperation = Exclude<PspOperation, 'REFUND'>;

/** A PSP call the service must make (or make again, with the same key, after a crash or a lost answer). */
export interface PspCall {
  readonly operation: PspOperation;
  readonly idempotencyKey: string;
  readonly amount: Money;
  readonly pspPaymentIntentId: string | null;
  /** Set for REFUND calls. */
  readonly refundId: string | null;
}

/** A call requested and not answered yet. */
export interface InFlightCall {
  readonly operation: LifecycleOperation;
  readonly idempotencyKey: string;
  readonly requestedAt: Date;
}

/** Where we stand in asking the PSP what happened to a call whose answer was lost. */
export interface OutcomeQuery {
  readonly since: Date;
  /** Queries made so far. */
  readonly attempts: number;
  /** Null once the schedule is exhausted. */
  readonly nextQueryAt: Date | null;
  /** Set when we gave up querying: a person must look (webhooks or reconciliation may still resolve it). */
  readonly alertedAt: Date | null;
}

export interface UnknownOutcome extends OutcomeQuery {
  readonly operation: LifecycleOperation;
  readonly idempotencyKey: string;
  readonly cause: string;
}

/**
 * The PSP told us something (a webhook) that our state does not reflect yet: the PSP's object is
 * fetched and applied (psp-sync.ts), on the outcome queries' bounded schedule, starting at once.
 */
export interface PspSync extends OutcomeQuery {
  /** Why: the PSP event that was news (its type and id), or what else asked for the sync. */
  readonly cause: string;
  /** How the news came: the sync's events say so (their reason). */
  readonly via: 'PSP_WEBHOOK' | 'RECONCILIATION';
  /**
   * How many times the sync was asked for. A fetch applies and closes the sync only if no news
   * came while it was under way (the count is unchanged); else it applies and asks once more.
   */
  readonly requests: number;
}

export type RefundStatus = 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED' | 'OUTCOME_UNKNOWN';

export interface Refund {
  readonly refundId: string;
  /** 1, 2, ...: the `n` of the REFUND idempotency key, fixed when the refund is requested. */
  readonly sequence: number;
  readonly amount: Money;
  readonly reason: string;
  readonly idempotencyKey: string;
  readonly status: RefundStatus;
  readonly pspRefundId: string | null;
  readonly requestedAt: Date;
  readonly query: OutcomeQuery | null;
}

/**
 * The booking behind this payment was released (expired or cancelled) while the payment could
 * not be compensated yet (authorization or capture in flight or unknown). When the answer comes,
 * the payment compensates by itself: void an authorization, refund a capture by policy.
 */
export interface BookingRelease {
  readonly reason: string;
  /** What policy gives back once captured; null = everything (nothing was due to the merchant). */
  readonly refundAmount: Money | null;
  /** Ours (a UUID), chosen by the caller from the releasing event, so a redelivery names the same refund. */
  readonly refundId: string;
}

export interface Payment {
  readonly paymentId: string;
  readonly bookingId: string;
  readonly tenantId: string;
  readonly amount: Money;
  /** Fixed at creation: the fee of a capture is decided by these terms, once, here. */
  readonly feeTerms: FeeTerms;
  readonly status: PaymentStatus;
  /** Number of events applied; the envelope's aggregateVersion. */
  readonly version: bigint;
  readonly pspPaymentIntentId: string | null;
  /**
   * When the AUTHORIZE call was first asked for (the payment's creation): every create with the
   * payment's key is sent within AUTHORIZATION_CREATE_WINDOW_MS of it, and the search for an
   * intent whose id we never learned starts here (authorization-window.ts).
   */
  readonly authorizationRequestedAt: Date;
  readonly authorizedAmount: Money | null;
  /** When the PSP authorized, by its own clock when it says (else when we heard it). */
  readonly authorizedAt: Date | null;
  /** When the PSP drops the uncaptured authorization: its word (capture_before), else the default validity from authorizedAt. */
  readonly authorizationExpiresAt: Date | null;
  readonly capturedAmount: Money | null;
  readonly pspChargeId: string | null;
  readonly inFlight: InFlightCall | null;
  readonly unknown: UnknownOutcome | null;
  readonly refunds: readonly Refund[];
  readonly bookingRelease: BookingRelease | null;
  /** Why the void under way (or done) was requested: the PaymentVoided reason. */
  readonly voidReason: string | null;
  /** Set while a PSP event waits to be checked against the PSP's own object. */
  readonly pspSync: PspSync | null;
  /** A chargeback the customer opened at the PSP: a person responds; until then the payment needs attention. */
  readonly dispute: Dispute | null;
}

export interface Dispute {
  readonly pspDisputeId: string;
  readonly openedAt: Date;
}

/** What a payment emits: its contracts' payloads, as domain events. */
export type PaymentEvent = DomainEventsOf<{
  PaymentAuthorized: PaymentAuthorized; PaymentRequiresAction: PaymentRequiresAction; PaymentFailed: PaymentFailed; PaymentOutcomeUnknown: PaymentOutcomeUnknown; PaymentCaptured: PaymentCaptured;
  PaymentCaptureFailed: PaymentCaptureFailed; PaymentVoided: PaymentVoided; PaymentRefunded: PaymentRefunded; PaymentRefundFailed: PaymentRefundFailed; PaymentDisputed: PaymentDisputed;
  PaymentRefundRejected: PaymentRefundRejected;
}>;

/** An applied payment decision also lists the PSP calls to make after the transaction commits. */
export type PaymentDecision = Decision<Payment, PaymentEvent, { readonly calls: readonly PspCall[] }>;

export function isTerminalPayment(payment: Payment): boolean {
  return TERMINAL_PAYMENT_STATUSES.has(payment.status);
}

/** The lifecycle call whose answer the payment waits for, if any. */
export function awaitedOperation(payment: Payment): LifecycleOperation | null {
  if (payment.inFlight !== null) return payment.inFlight.operation;
  if (payment.unknown !== null) return payment.unknown.operation;
  // 3-D Secure: the authorization completes when the customer acts (reported by webhook or query).
  if (payment.status === 'REQUIRES_ACTION') return 'AUTHORIZE';
  return null;
}

function sumMinor(refunds: readonly Refund[], statuses: readonly RefundStatus[]): bigint {
  return refunds.filter((refund) => statuses.includes(refund.status)).reduce((sum, refund) => sum + refund.amount.amountMinor, 0n);
}

/** Refunds the PSP confirmed. */
export function refundedMinor(payment: Payment): bigint {
  return sumMinor(payment.refunds, ['SUCCEEDED']);
}

/**
 * What may still be refunded: captured minus refunds that succeeded, are in flight or have an
 * unknown outcome. Counting the unanswered ones is what stops two concurrent refund requests
 * from together exceeding the capture.
 */
export function refundableMinor(payment: Payment): bigint {
  if (payment.capturedAmount === null) return 0n;
  return payment.capturedAmount.amountMinor - sumMinor(payment.refunds, ['SUCCEEDED', 'IN_FLIGHT', 'OUTCOME_UNKNOWN']);
}

/** The PSP's id of our PaymentIntent; every call after authorization names it. */
export function pspIntentId(payment: Payment): string {
  if (payment.pspPaymentIntentId === null) throw new Error(`payment ${payment.paymentId}: no PSP payment intent id after authorization`);
  return payment.pspPaymentIntentId;
}

/** The instruction for the payment's current in-flight lifecycle call. */
export function lifecycleCall(payment: Payment, call: InFlightCall): PspCall {
  return {
    operation: call.operation,
    idempotencyKey: call.idempotencyKey,
    amount: payment.authorizedAmount ?? payment.amount,
    pspPaymentIntentId: payment.pspPaymentIntentId,
    refundId: null,
  };
}

export function refundCall(payment: Payment, refund: Refund): PspCall {
  return { operation: 'REFUND', idempotencyKey: refund.idempotencyKey, amount: refund.amount, pspPaymentIntentId: payment.pspPaymentIntentId, refundId: refund.refundId };
}

/**
 * Every call that was requested and not answered: what a restarted service (re)issues. Same keys
 * as the first time, so a call the PSP already performed is answered, not repeated.
 */
export function pendingPspCalls(payment: Payment): readonly PspCall[] {
  const calls: PspCall[] = [];
  if (payment.inFlight !== null) calls.push(lifecycleCall(payment, payment.inFlight));
  for (const refund of payment.refunds) if (refund.status === 'IN_FLIGHT') calls.push(refundCall(payment, refund));
  return calls;
}

/**
 * Payments a person must look at: an unknown outcome that outlived the query schedule, or a refund
 * the PSP refused while the customer is still owed money. The alert query and metric read this.
 */
export function needsAttention(payment: Payment): boolean {
  const unresolved = (payment.unknown !== null && payment.unknown.alertedAt !== null) || (payment.pspSync !== null && payment.pspSync.alertedAt !== null) || payment.refunds.some((refund) => refund.query !== null && refund.query.alertedAt !== null);
  // A refused refund leaves the customer owed money until someone refunds again (or explains why not).
  const owed = payment.status !== 'REFUNDED' && payment.refunds.some((refund) => refund.status === 'FAILED');
  return unresolved || owed || payment.dispute !== null;
}
