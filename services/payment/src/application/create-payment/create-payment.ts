import type { Actor, BookingHeld } from '@txn/contracts';
import { refusal, stale } from '@txn/domain-kernel';
import { isCurrencyCode, money } from '@txn/money';
import { createPayment as create, type FeeTerms } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import { paymentSubject, type PaymentDecided } from '../payment-decided';
import { paymentIdOf } from '../payment-id';
import type { Payments } from '../ports';

export interface CreatePaymentDeps {
  readonly payments: Payments;
  readonly now: Date;
  readonly actor: Actor;
  /** The PSP payment method for a customer (until bookings carry the customer's own). */
  paymentMethodOf(customerId: string): string;
  /** The fee schedule's terms for the merchant, fixed on the payment now. */
  feeTermsOf(tenantId: string): FeeTerms;
}

/**
 * BookingHeld: a payment for the booking's price, whose authorization is made after this commits.
 * The payment id is derived from the booking (one payment per booking, however often the fact
 * arrives), so a redelivery finds the payment it created.
 */
export async function createPayment(tx: SqlTransaction, fact: BookingHeld, deps: CreatePaymentDeps): Promise<PaymentDecided> {
  const paymentId = paymentIdOf(fact.bookingId);
  const fallback = { paymentId, tenantId: fact.envelope.tenantId, bookingId: fact.bookingId };
  const existing = await deps.payments.lockForUpdate(tx, paymentId);
  if (existing !== undefined) {
    return { decision: stale(existing.payment, 'PAYMENT_ALREADY_CREATED'), subject: paymentSubject(existing.payment, fallback), write: { before: existing } };
  }
  if (!isCurrencyCode(fact.price.currency) || fact.price.amountMinor <= 0n) {
    return { decision: refusal('INVALID_PRICE', `not a positive amount of a supported currency: ${fact.price.currency}`), subject: paymentSubject(undefined, fallback), write: { before: undefined } };
  }
  const decision = create(
    { paymentId, bookingId: fact.bookingId, tenantId: fact.envelope.tenantId, amount: money(fact.price.amountMinor, fact.price.currency), feeTerms: deps.feeTermsOf(fact.envelope.tenantId) },
    { now: deps.now, actor: deps.actor },
  );
  return { decision, subject: paymentSubject(undefined, fallback), write: { before: undefined, extras: { customerId: fact.customerId, paymentMethod: deps.paymentMethodOf(fact.customerId) } } };
}
