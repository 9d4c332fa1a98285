import type { PaymentAuthorized } from '@txn/contracts';
import { authorizationHold, isUuid, ledgerError, sameHold } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import { alreadyApplied, appliedWrite, writeOf, type LedgerDecided } from '../ledger-decided';
import type { LedgerDeps } from '../ledger-context';
import { onFact } from '../on-fact';
import { holdPlaced } from '../ledger-events';
import { lockAndAdmit, moneyOf } from '../posting';

export const AUTHORIZATION_REASON = 'PAYMENT_AUTHORIZED';

/**
 * PaymentAuthorized → a pending hold (PSP clearing → customer funds held) for the authorized
 * amount, expiring with the PSP authorization. Hold id = payment id: one authorization per payment,
 * so the same hold placed again is already applied. An authorization the books cannot hold (a
 * different one under its id, one already expired when it arrives) raises a break: no money moved
 * yet, and a capture that follows finds no hold and goes to suspense with its own break.
 * Rules judge by the event's occurredAt, so a lagging or replayed consumer decides the same way.
 */
export async function onPaymentAuthorized(tx: SqlTransaction, event: PaymentAuthorized, deps: LedgerDeps): Promise<LedgerDecided> {
  const { envelope } = event;
  const fact = onFact(tx, envelope, deps, { paymentId: event.paymentId, bookingId: event.bookingId, amount: event.authorizedAmount });
  const amount = moneyOf(event.authorizedAmount, 'authorizedAmount');
  if (amount.outcome !== 'applied') return fact.unplaced('FACT_UNREADABLE', amount);
  if (!isUuid(event.paymentId)) return fact.unplaced('FACT_UNREADABLE', ledgerError('INVALID_ENTRY', `hold id "${event.paymentId}" is not a UUID`));
  const hold = authorizationHold(
    { holdId: event.paymentId, tenantId: envelope.tenantId, amount: amount.value, expiresAt: event.authorizationExpiresAt, reason: AUTHORIZATION_REASON, paymentId: event.paymentId, bookingId: event.bookingId },
    envelope.occurredAt,
  );
  await deps.book.lockPayment(tx, event.paymentId);
  const existing = await deps.book.readHold(tx, event.paymentId);
  if (existing !== undefined) {
    // Compared with what this event would have placed; a refused event cannot be the stored hold.
    if (hold.outcome !== 'applied') return fact.unplaced('AUTHORIZATION_UNPLACED', hold);
    if (sameHold(existing.hold, hold.value.after)) return fact.answer(alreadyApplied());
    return fact.unplaced('AUTHORIZATION_UNPLACED', ledgerError('DUPLICATE_CONFLICT', `hold ${event.paymentId} exists with different content`));
  }
  if (hold.outcome !== 'applied') return fact.unplaced('AUTHORIZATION_UNPLACED', hold);
  const balances = await lockAndAdmit(tx, deps.book, [hold.value]);
  if (balances.outcome !== 'applied') return fact.unplaced('AUTHORIZATION_UNPLACED', balances);
  const write = writeOf({ holds: [{ change: hold.value, closedByEventId: null }], balances: balances.value });
  return fact.answer(appliedWrite(write, [holdPlaced(hold.value.after, fact.ctx)]));
}
