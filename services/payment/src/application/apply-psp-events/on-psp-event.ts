import type { Actor, PspEventReceived } from '@txn/contracts';
import { stale } from '@txn/domain-kernel';
import { money } from '@txn/money';
import { notePspEvent, recordDispute, type Payment } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import { paymentSubject, type PaymentDecided } from '../payment-decided';
import type { Payments, StoredPayment, UnmatchedPspEvents } from '../ports';
import type { PspBreakRecorder } from './break-recorder';

export interface PspEventDeps {
  readonly payments: Payments;
  readonly unmatched: UnmatchedPspEvents;
  readonly breaks: PspBreakRecorder;
  readonly now: Date;
  readonly actor: Actor;
  /** The actor of what the PSP did by itself (the dispute's PaymentDisputed). */
  readonly pspActor: Actor;
}

/** What the ingress sends when the object carries none of our metadata (webhook-ingress UNKNOWN_TENANT). */
const NO_TENANT = 'unknown';
/** The PSP objects a payment of ours can be behind; events about others (customers, products …) concern no payment. */
const PAYMENT_OBJECTS = new Set(['payment_intent', 'charge', 'refund', 'dispute']);

/** The payment a PSP event is about: by our metadata, else by the intent or charge id we recorded. */
async function paymentOf(tx: SqlTransaction, fact: PspEventReceived, payments: Payments): Promise<StoredPayment | undefined> {
  const paymentId = fact.paymentId ?? (await payments.findIdByPspObject(tx, { pspPaymentIntentId: fact.pspPaymentIntentId, pspChargeId: fact.pspChargeId }));
  if (paymentId === undefined) return undefined;
  const stored = await payments.lockForUpdate(tx, paymentId);
  // Metadata naming one of our payments for another merchant is not that payment's event.
  if (stored !== undefined && fact.envelope.tenantId !== NO_TENANT && stored.payment.tenantId !== fact.envelope.tenantId) return undefined;
  return stored;
}

function unknownSubject(fact: PspEventReceived): ReturnType<typeof paymentSubject> {
  return { aggregateId: fact.pspObjectId, tenantId: fact.envelope.tenantId, correlationId: fact.envelope.correlationId, status: null };
}

/** An event no payment of ours names: checked against the PSP later (the intent's metadata), or a break at once when nothing could match it. */
async function unmatched(tx: SqlTransaction, fact: PspEventReceived, deps: PspEventDeps): Promise<PaymentDecided> {
  const kept = { pspEventId: fact.pspEventId, pspEventType: fact.pspEventType, pspObjectType: fact.pspObjectType, pspObjectId: fact.pspObjectId, pspPaymentIntentId: fact.pspPaymentIntentId, pspChargeId: fact.pspChargeId, tenantId: fact.envelope.tenantId === NO_TENANT ? null : fact.envelope.tenantId };
  if (fact.pspPaymentIntentId !== null) {
    // The answer naming this intent may still be on its way to us (a charge event can overtake it).
    await deps.unmatched.keep(tx, kept, deps.now);
  } else {
    await deps.breaks.raise(tx, { kind: 'UNKNOWN_PSP_OBJECT', paymentId: null, tenantId: kept.tenantId, pspObjectId: fact.pspObjectId, pspEventId: fact.pspEventId, detail: `${fact.pspEventType}: a ${fact.pspObjectType} with no PaymentIntent of ours` });
  }
  return { decision: stale(undefined, 'UNMATCHED_PSP_OBJECT'), subject: unknownSubject(fact), write: { before: undefined } };
}

/**
 * psp.events.v1: a verified PSP event. Our state reflects it (the echo of our own call): stale.
 * News: the payment asks for a sync, which the outcome poller makes at once, fetching the PSP's
 * objects and applying them by state (psp-sync.ts). A dispute is a break for a person, and the
 * payment needs attention. An event about no payment of ours is never accepted silently.
 */
export async function onPspEvent(tx: SqlTransaction, fact: PspEventReceived, deps: PspEventDeps): Promise<PaymentDecided> {
  if (!PAYMENT_OBJECTS.has(fact.pspObjectType)) return { decision: stale(undefined, 'NOT_ABOUT_A_PAYMENT'), subject: unknownSubject(fact), write: { before: undefined } };
  const stored = await paymentOf(tx, fact, deps.payments);
  if (stored === undefined) return unmatched(tx, fact, deps);
  const { payment } = stored;
  const subject = paymentSubject(payment, payment);
  if (fact.pspObjectType === 'dispute') {
    await deps.breaks.raise(tx, { kind: 'DISPUTE_OPENED', paymentId: payment.paymentId, bookingId: payment.bookingId, tenantId: payment.tenantId, pspObjectId: fact.pspObjectId, pspEventId: fact.pspEventId, detail: `${fact.pspEventType} on ${fact.pspChargeId ?? 'its charge'}` });
    await deps.payments.flagNeedsAttention(tx, payment.paymentId);
    if (fact.pspEventType !== 'charge.dispute.created') return { decision: stale<Payment>(payment, 'DISPUTE_RAISED_AS_BREAK'), subject, write: { before: stored } };
    const amount = fact.amount === null ? null : money(fact.amount.amountMinor, fact.amount.currency);
    const dispute = { pspDisputeId: fact.pspObjectId, pspEventType: fact.pspEventType, pspChargeId: fact.pspChargeId, amount, status: fact.pspStatus };
    return { decision: recordDispute(payment, dispute, { now: deps.now, actor: deps.actor, pspActor: deps.pspActor }), subject, write: { before: stored } };
  }
  const facts = { pspEventId: fact.pspEventId, pspEventType: fact.pspEventType, pspObjectType: fact.pspObjectType, pspStatus: fact.pspStatus, pspRefundId: fact.pspRefundId, amount: fact.amount };
  return { decision: notePspEvent(payment, facts, { now: deps.now, actor: deps.actor }), subject, write: { before: stored } };
}
