import { type BookingCompleted } from '@txn/contracts';
import { type SqlTransaction } from '@txn/sql';
import { releaseEscrow } from '../../persistence/escrow-repository';
import { entryPosted, escrowReleased, ledgerRejected, NOTHING_TO_DO, type LedgerHandling } from '../ledger-events';

/**
 * BookingCompleted → what is left in escrow goes to the merchant payable and the fee becomes
 * revenue. Booking completes only after it saw PaymentCaptured, but the ledger reads the two
 * topics independently: a completion that arrives first is stored and applied by the capture.
 */
export async function onBookingCompleted(tx: SqlTransaction, event: BookingCompleted): Promise<LedgerHandling> {
  const { envelope } = event;
  const written = await releaseEscrow(tx, { paymentId: event.paymentId, bookingId: event.bookingId, entryId: envelope.eventId, reason: event.reason });
  switch (written.outcome) {
    case 'applied':
      return { outcome: 'applied', events: [escrowReleased(written.value.release, written.value.escrow.version), entryPosted(written.value.release.entry)] };
    case 'deferred':
      // Stored for the capture to apply; ledger_release_requests_waiting counts it meanwhile.
      return { outcome: 'applied', events: [] };
    case 'duplicate':
      return NOTHING_TO_DO.duplicate;
    case 'rejected':
      return ledgerRejected({ eventId: envelope.eventId, eventType: envelope.eventType, paymentId: event.paymentId, bookingId: event.bookingId, amount: null }, written.refusal);
  }
}
