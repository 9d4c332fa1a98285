import { type PaymentRefunded } from '@txn/contracts';
import { type SqlTransaction } from '@txn/sql';
import { refundEscrow } from '../../persistence/escrow-repository';
import { entryPosted, isRefusal, ledgerRejected, moneyOf, NOTHING_TO_DO, type LedgerHandling } from '../ledger-events';

/**
 * PaymentRefunded → a REFUND entry out of escrow (before delivery) or out of the merchant payable
 * (after), split in proportion between the fee and the merchant's share. Refunds of one payment
 * are serialised on its escrow row; one that would exceed the capture is refused.
 */
export async function onPaymentRefunded(tx: SqlTransaction, event: PaymentRefunded): Promise<LedgerHandling> {
  const { envelope } = event;
  const rejectedEvent = { eventId: envelope.eventId, eventType: envelope.eventType, paymentId: event.paymentId, bookingId: event.bookingId, amount: event.refundedAmount };
  const amount = moneyOf(event.refundedAmount, 'refundedAmount');
  if (isRefusal(amount)) return ledgerRejected(rejectedEvent, amount);
  const written = await refundEscrow(tx, event.paymentId, { entryId: envelope.eventId, amount, reason: event.reason });
  switch (written.outcome) {
    case 'applied':
      return { outcome: 'applied', events: [entryPosted(written.value.refund.entry)] };
    case 'duplicate':
      return NOTHING_TO_DO.duplicate;
    case 'rejected':
      return ledgerRejected(rejectedEvent, written.refusal);
  }
}
