import type { Actor, BookingCancelled, BookingConfirmed, BookingExpired, BookingHeld } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import { isCurrencyCode, money } from '@txn/money';
import { createPayment, onBookingConfirmed, onBookingReleased, type Payment, type PaymentDecision } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import type { Cause, PaymentDecisions } from '../decisions';
import { paymentIdOf } from '../payment-id';
import { loadPaymentForUpdate } from '../../persistence/payments';

export interface BookingFactDeps {
  readonly decisions: PaymentDecisions;
  readonly now: Date;
  readonly actor: Actor;
  /** The PSP payment method for a customer (until bookings carry the customer's own). */
  paymentMethodOf(customerId: string): string;
}

/** BookingHeld: a payment for the booking's price, its authorization made after this commits. */
export async function onBookingHeld(tx: SqlTransaction, fact: BookingHeld, cause: Cause, deps: BookingFactDeps): Promise<HandlerOutcome> {
  const paymentId = paymentIdOf(fact.bookingId);
  const existing = await loadPaymentForUpdate(tx, paymentId);
  if (existing !== undefined) {
    return deps.decisions.unapplied(tx, { paymentId, status: existing.payment.status, outcome: 'stale', reason: 'PAYMENT_ALREADY_CREATED' }, cause, cause.eventType);
  }
  if (!isCurrencyCode(fact.price.currency) || fact.price.amountMinor <= 0n) {
    return deps.decisions.unapplied(tx, { paymentId, status: null, outcome: 'rejected', reason: 'INVALID_PRICE' }, cause, cause.eventType);
  }
  const decision = createPayment(
    { paymentId, bookingId: fact.bookingId, tenantId: fact.envelope.tenantId, amount: money(fact.price.amountMinor, fact.price.currency) },
    { now: deps.now, actor: deps.actor },
  );
  return deps.decisions.settle(tx, decision, {
    before: undefined,
    extras: { customerId: fact.customerId, paymentMethod: deps.paymentMethodOf(fact.customerId) },
    cause,
    messageType: cause.eventType,
    now: deps.now,
  });
}

/**
 * The shape of every reaction on an existing payment: lock the row, check it is this merchant's
 * booking's payment, let the domain decide, carry out the decision in the same transaction.
 */
async function changePayment(
  tx: SqlTransaction,
  fact: { readonly envelope: { readonly tenantId: string }; readonly bookingId: string },
  cause: Cause,
  deps: BookingFactDeps,
  decide: (payment: Payment) => PaymentDecision,
): Promise<HandlerOutcome> {
  const paymentId = paymentIdOf(fact.bookingId);
  const stored = await loadPaymentForUpdate(tx, paymentId);
  // Another merchant's payment is answered like an unknown one.
  if (stored === undefined || stored.payment.tenantId !== fact.envelope.tenantId) {
    return deps.decisions.unapplied(tx, { paymentId, status: null, outcome: 'stale', reason: 'UNKNOWN_PAYMENT' }, cause, cause.eventType);
  }
  return deps.decisions.settle(tx, decide(stored.payment), { before: stored, cause, messageType: cause.eventType, now: deps.now });
}

/** BookingConfirmed: capture what was authorized. */
export function onConfirmed(tx: SqlTransaction, fact: BookingConfirmed, cause: Cause, deps: BookingFactDeps): Promise<HandlerOutcome> {
  return changePayment(tx, fact, cause, deps, (payment) => onBookingConfirmed(payment, { now: deps.now, actor: deps.actor }));
}

/**
 * BookingExpired / BookingCancelled: void or refund by the policy booking applied (its
 * refundAmount; null = everything). The refund id is the releasing event's id: a redelivery
 * names the same refund, so it cannot be paid twice.
 */
export function onReleased(tx: SqlTransaction, fact: BookingExpired | BookingCancelled, cause: Cause, deps: BookingFactDeps): Promise<HandlerOutcome> {
  const refundAmount = 'refundAmount' in fact ? fact.refundAmount : null;
  return changePayment(tx, fact, cause, deps, (payment) =>
    onBookingReleased(
      payment,
      {
        reason: fact.reason,
        refundId: fact.envelope.eventId,
        refundAmount: refundAmount === null ? null : money(refundAmount.amountMinor, refundAmount.currency),
      },
      { now: deps.now, actor: deps.actor },
    ),
  );
}
