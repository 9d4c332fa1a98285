import { stale } from '@txn/domain-kernel';
import type { Payment, PaymentDecision } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import { paymentSubject, type PaymentDecided } from './payment-decided';
import { paymentIdOf } from './payment-id';
import type { Payments } from './ports';

/**
 * The shape of every reaction to a booking fact on an existing payment: lock the row, check it is
 * this merchant's booking's payment, let the domain decide. Another merchant's payment is answered
 * like an unknown one (stale: the fact is about a payment we never made).
 */
export async function decideOnPayment(
  tx: SqlTransaction,
  fact: { readonly envelope: { readonly tenantId: string }; readonly bookingId: string },
  payments: Payments,
  decide: (payment: Payment) => PaymentDecision,
): Promise<PaymentDecided> {
  const paymentId = paymentIdOf(fact.bookingId);
  const stored = await payments.lockForUpdate(tx, paymentId);
  const fallback = { paymentId, tenantId: fact.envelope.tenantId, bookingId: fact.bookingId };
  if (stored === undefined || stored.payment.tenantId !== fact.envelope.tenantId) {
    return { decision: stale(undefined, 'UNKNOWN_PAYMENT'), subject: paymentSubject(undefined, fallback), write: { before: undefined } };
  }
  return { decision: decide(stored.payment), subject: paymentSubject(stored.payment, fallback), write: { before: stored } };
}

