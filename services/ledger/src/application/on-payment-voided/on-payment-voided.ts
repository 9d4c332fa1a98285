import type { PaymentVoided } from '@txn/contracts';
import { expireHold, isUuid, ledgerError, voidHold } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import { alreadyApplied, appliedWrite, writeOf, type LedgerDecided } from '../ledger-decided';
import type { LedgerDeps } from '../ledger-context';
import { onFact } from '../on-fact';
import { holdVoided } from '../ledger-events';
import { lockAndAdmit } from '../posting';

/**
 * PaymentVoided → the authorization hold is voided (nothing journaled). A hold that lapsed
 * meanwhile is expired instead (HOLD_EXPIRED): the money is released either way. A hold already
 * voided by something else is stale. A void the books cannot place (no hold, or one already
 * posted: the PSP says released what we booked as captured) raises a break; no money moved.
 */
export async function onPaymentVoided(tx: SqlTransaction, event: PaymentVoided, deps: LedgerDeps): Promise<LedgerDecided> {
  const { envelope } = event;
  const fact = onFact(tx, envelope, deps, { paymentId: event.paymentId, bookingId: event.bookingId, amount: event.voidedAmount });
  if (!isUuid(event.paymentId)) return fact.unplaced('FACT_UNREADABLE', ledgerError('INVALID_ENTRY', `payment id "${event.paymentId}" is not a UUID`));
  await deps.book.lockPayment(tx, event.paymentId);
  const stored = await deps.book.lockHold(tx, event.paymentId);
  if (stored === undefined) return fact.unplaced('VOID_UNPLACED', ledgerError('HOLD_NOT_FOUND', `no hold ${event.paymentId}`));
  if (stored.hold.status === 'VOIDED' && stored.closedByEventId === envelope.eventId.toLowerCase()) return fact.answer(alreadyApplied());
  let change = voidHold(stored.hold, event.reason, envelope.occurredAt);
  if (change.outcome === 'refused' && change.refused === 'HOLD_EXPIRED') change = expireHold(stored.hold, envelope.occurredAt);
  if (change.outcome !== 'applied') {
    if (change.refused === 'HOLD_NOT_PENDING' && stored.hold.status === 'VOIDED') return fact.answer({ outcome: 'stale', stale: 'HOLD_ALREADY_VOIDED' });
    return fact.unplaced('VOID_UNPLACED', change);
  }
  const balances = await lockAndAdmit(tx, deps.book, [change.value]);
  if (balances.outcome !== 'applied') return fact.unplaced('VOID_UNPLACED', balances);
  const write = writeOf({ holds: [{ change: change.value, closedByEventId: envelope.eventId }], balances: balances.value });
  return fact.answer(appliedWrite(write, [holdVoided(change.value.after, fact.ctx)]));
}
