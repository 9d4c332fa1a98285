import { type PaymentAuthorized } from '@txn/contracts';
import { type SqlTransaction } from '@txn/sql';
import { authorizationHold } from '@txn/ledger-domain';
import { refusalOf } from '../../domain/refusal';
import { placeHold } from '../../persistence/ledger-repository';
import { holdPlaced, isRefusal, ledgerRejected, moneyOf, NOTHING_TO_DO, type LedgerHandling } from '../ledger-events';

export const AUTHORIZATION_REASON = 'PAYMENT_AUTHORIZED';

/**
 * PaymentAuthorized → a pending hold (PSP clearing → customer funds held) for the authorized
 * amount, expiring with the PSP authorization. Hold id = payment id: one authorization per payment.
 * "Now" is the event's occurredAt, so a lagging or replayed consumer decides the same way.
 */
export async function onPaymentAuthorized(tx: SqlTransaction, event: PaymentAuthorized): Promise<LedgerHandling> {
  const { envelope } = event;
  const rejectedEvent = { eventId: envelope.eventId, eventType: envelope.eventType, paymentId: event.paymentId, bookingId: event.bookingId, amount: event.authorizedAmount };
  const amount = moneyOf(event.authorizedAmount, 'authorizedAmount');
  if (isRefusal(amount)) return ledgerRejected(rejectedEvent, amount);
  const change = authorizationHold(
    {
      holdId: event.paymentId,
      tenantId: envelope.tenantId,
      amount,
      expiresAt: event.authorizationExpiresAt,
      reason: AUTHORIZATION_REASON,
      paymentId: event.paymentId,
      bookingId: event.bookingId,
    },
    envelope.occurredAt,
  );
  if (!change.ok) return ledgerRejected(rejectedEvent, refusalOf(change.error));
  const written = await placeHold(tx, change.value.after, envelope.occurredAt);
  switch (written.outcome) {
    case 'applied':
      return { outcome: 'applied', events: [holdPlaced(written.value.after)] };
    case 'duplicate':
      return NOTHING_TO_DO.duplicate;
    case 'rejected':
      return ledgerRejected(rejectedEvent, written.refusal);
  }
}
