import type { Actor, BookingCancelled, BookingExpired } from '@txn/contracts';
import { money } from '@txn/money';
import { onBookingReleased } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import { decideOnPayment } from '../existing-payment';
import type { PaymentDecided } from '../payment-decided';
import type { Payments } from '../ports';

/**
 * BookingExpired / BookingCancelled: void, or refund by the policy booking applied (its
 * refundAmount; null = everything). The refund id is the releasing event's id: a redelivery names
 * the same refund, so it cannot be paid twice.
 */
export function releasePayment(tx: SqlTransaction, fact: BookingExpired | BookingCancelled, deps: { readonly payments: Payments; readonly now: Date; readonly actor: Actor }): Promise<PaymentDecided> {
  const refundAmount = 'refundAmount' in fact ? fact.refundAmount : null;
  return decideOnPayment(tx, fact, deps.payments, (payment) =>
    onBookingReleased(
      payment,
      { reason: fact.reason, refundId: fact.envelope.eventId, refundAmount: refundAmount === null ? null : money(refundAmount.amountMinor, refundAmount.currency) },
      { now: deps.now, actor: deps.actor },
    ),
  );
}
