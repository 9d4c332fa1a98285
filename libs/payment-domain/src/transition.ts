import type { Money } from '@txn/money';
import { type IntentContext } from '@txn/domain-kernel';
import { pspIdempotencyKey } from './idempotency-key';
import { outcomeQueryDelay_ms, outcomeResolveBy } from './query-schedule';
import type { LifecycleOperation, OutcomeQuery, Payment, PaymentDecision, PaymentEvent, PaymentStatus, PspCall } from './payment';

/**
 * Every status change the payment can make, and no other: the property tests check each applied
 * event against this table. A refund whose outcome is unknown is announced without a status
 * change (the captured money is still captured), hence CAPTURED → CAPTURED.
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  PENDING: ['REQUIRES_ACTION', 'AUTHORIZED', 'FAILED', 'OUTCOME_UNKNOWN'],
  REQUIRES_ACTION: ['AUTHORIZED', 'FAILED', 'VOIDED', 'OUTCOME_UNKNOWN'],
  OUTCOME_UNKNOWN: ['REQUIRES_ACTION', 'AUTHORIZED', 'FAILED', 'CAPTURED', 'CAPTURE_FAILED', 'VOIDED'],
  AUTHORIZED: ['CAPTURED', 'CAPTURE_FAILED', 'VOIDED', 'OUTCOME_UNKNOWN'],
  // The PSP may report a capture after all (a sync finds the intent succeeded): the money was taken.
  CAPTURE_FAILED: ['CAPTURED', 'VOIDED', 'OUTCOME_UNKNOWN'],
  CAPTURED: ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  FAILED: [],
  VOIDED: [],
  REFUNDED: [],
};

type Draft<E = PaymentEvent> = E extends PaymentEvent ? Omit<E, 'aggregateId' | 'aggregateVersion' | 'occurredAt' | 'actor' | 'eventId'> : never;

/**
 * The one place a payment's status and version change: numbers the events from the current
 * version, and asserts each status change is in the table (a violation is a bug, not an outcome).
 */
export function applied(before: Payment, after: Payment, ctx: IntentContext, drafts: readonly Draft[], calls: readonly PspCall[] = []): PaymentDecision {
  let status = before.status;
  const events = drafts.map((draft, index) => {
    const { statusBefore, statusAfter } = draft.payload;
    if (statusBefore !== status || !PAYMENT_TRANSITIONS[statusBefore].includes(statusAfter)) {
      throw new Error(`payment ${before.paymentId}: illegal transition ${statusBefore} → ${statusAfter} (current ${status})`);
    }
    status = statusAfter;
    return { ...draft, aggregateId: before.paymentId, aggregateVersion: before.version + BigInt(index + 1), occurredAt: ctx.now, actor: ctx.actor } as PaymentEvent;
  });
  if (status !== after.status) throw new Error(`payment ${before.paymentId}: events end in ${status}, state says ${after.status}`);
  return { outcome: 'applied', state: { ...after, version: before.version + BigInt(events.length) }, events, calls };
}

/** The key of a lifecycle call: one per operation per payment, whatever the attempt. */
export function lifecycleKey(payment: Payment, operation: LifecycleOperation): string {
  return pspIdempotencyKey(payment.paymentId, operation);
}

export function firstQuery(now: Date): OutcomeQuery {
  return { since: now, attempts: 0, nextQueryAt: afterDelay(now, 1), alertedAt: null };
}

/** One more query was made (or answered inconclusively): schedule the next, or give up and alert. */
export function nextQuery(query: OutcomeQuery, now: Date): OutcomeQuery {
  const attempts = query.attempts + 1;
  const nextQueryAt = afterDelay(now, attempts + 1);
  return { ...query, attempts, nextQueryAt, alertedAt: nextQueryAt === null ? now : null };
}

function afterDelay(from: Date, attempt: number): Date | null {
  const delay_ms = outcomeQueryDelay_ms(attempt);
  return delay_ms === null ? null : new Date(from.getTime() + delay_ms);
}

/** The announcement that a call's outcome is unknown; `before`/`after` give the status change (none for a refund). */
export function outcomeUnknownDraft(
  before: Payment,
  after: Payment,
  operation: LifecycleOperation | 'REFUND',
  key: string,
  amount: Money,
  cause: string,
  since: Date,
): Draft {
  return {
    eventType: 'PaymentOutcomeUnknown',
    payload: {
      paymentId: before.paymentId,
      bookingId: before.bookingId,
      statusBefore: before.status,
      statusAfter: after.status,
      reason: cause,
      operation,
      pspPaymentIntentId: after.pspPaymentIntentId,
      pspIdempotencyKey: key,
      amount,
      resolveBy: outcomeResolveBy(since),
    },
  };
}

export type { Draft };
