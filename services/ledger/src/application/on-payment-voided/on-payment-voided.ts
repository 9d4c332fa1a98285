import { type PaymentVoided } from '@txn/contracts';
import { type SqlTransaction } from '@txn/sql';
import { expireHold, lockHold, voidHold, type HoldWrite } from '../../persistence/ledger-repository';
import { holdVoided, ledgerRejected, NOTHING_TO_DO, type LedgerHandling } from '../ledger-events';

/**
 * PaymentVoided → the authorization hold is voided (nothing journaled). A hold that lapsed
 * meanwhile is expired instead (HOLD_EXPIRED): the money is released either way. A hold already
 * voided by something else is stale; a posted hold cannot be voided and is reported.
 */
export async function onPaymentVoided(tx: SqlTransaction, event: PaymentVoided): Promise<LedgerHandling> {
  const { envelope } = event;
  const rejectedEvent = { eventId: envelope.eventId, eventType: envelope.eventType, paymentId: event.paymentId, bookingId: event.bookingId, amount: event.voidedAmount };
  let written: HoldWrite = await voidHold(tx, event.paymentId, { eventId: envelope.eventId, reason: event.reason, now: envelope.occurredAt });
  if (written.outcome === 'rejected' && written.refusal.rejectionCode === 'HOLD_EXPIRED') {
    written = await expireHold(tx, event.paymentId, { eventId: envelope.eventId, now: envelope.occurredAt });
  }
  switch (written.outcome) {
    case 'applied':
      return { outcome: 'applied', events: [holdVoided(written.value.after)] };
    case 'duplicate':
      return NOTHING_TO_DO.duplicate;
    case 'rejected': {
      if (written.refusal.rejectionCode === 'HOLD_NOT_PENDING' && (await lockHold(tx, event.paymentId))?.hold.status === 'VOIDED') {
        return NOTHING_TO_DO.stale;
      }
      return ledgerRejected(rejectedEvent, written.refusal);
    }
  }
}
