import type { PaymentRefunded } from '@txn/contracts';
import { isSameRefund, isUuid, ledgerError, refundEscrow, type LedgerError } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import type { LedgerDeps } from '../ledger-context';
import { onFact } from '../on-fact';
import { alreadyApplied, appliedWrite, writeOf, type LedgerDecided } from '../ledger-decided';
import { entryPosted } from '../ledger-events';
import { lockAndAdmit, moneyOf, newEntry } from '../posting';

/**
 * PaymentRefunded → a REFUND entry out of escrow (before delivery) or out of the merchant payable
 * (after), split in proportion between the fee and the merchant's share. Refunds of one payment are
 * serialised on the payment's lock and its escrow row. Money the PSP gave back is never refused:
 * a refund the books cannot place (no escrow, more than the capture, …) is booked out of SUSPENSE
 * and raises a break. Idempotent by entry id (the refund event's id).
 */
export async function onPaymentRefunded(tx: SqlTransaction, event: PaymentRefunded, deps: LedgerDeps): Promise<LedgerDecided> {
  const { envelope } = event;
  const fact = onFact(tx, envelope, deps, { paymentId: event.paymentId, bookingId: event.bookingId, amount: event.refundedAmount });
  const unplaced = (why: LedgerError): Promise<LedgerDecided> => fact.unplaced('REFUND_UNPLACED', why, { amount: event.refundedAmount, direction: 'OUT' });
  const amount = moneyOf(event.refundedAmount, 'refundedAmount');
  if (amount.outcome !== 'applied') return unplaced(amount);
  if (!isUuid(event.paymentId) || !isUuid(envelope.eventId)) return fact.unplaced('FACT_UNREADABLE', ledgerError('INVALID_ENTRY', 'refund: payment and event ids must be UUIDs'), { amount: event.refundedAmount, direction: 'OUT' });
  await deps.book.lockPayment(tx, event.paymentId);
  const stored = await deps.book.lockEscrow(tx, event.paymentId);
  if (stored === undefined) return unplaced(ledgerError('ESCROW_NOT_FOUND', `no escrow ${event.paymentId}`));
  // Checked before recomputing: after this refund the escrow has changed, so a recomputed entry
  // would differ from the written one and look like a conflict.
  const existing = await deps.book.loadEntry(tx, envelope.eventId.toLowerCase());
  if (existing !== undefined) {
    if (isSameRefund(existing, stored.escrow, amount.value)) return fact.answer(alreadyApplied());
    return unplaced(ledgerError('DUPLICATE_CONFLICT', `entry ${envelope.eventId} exists and is not this refund`));
  }
  const refund = refundEscrow(stored.escrow, envelope.eventId, amount.value, event.reason);
  if (refund.outcome !== 'applied') return unplaced(refund);
  const entry = await newEntry(tx, deps.book, refund.value.entry, `the refund of escrow ${event.paymentId}`);
  if (entry.outcome !== 'applied') return unplaced(entry);
  const balances = await lockAndAdmit(tx, deps.book, [entry.value]);
  if (balances.outcome !== 'applied') return unplaced(balances);
  const write = writeOf({ entries: [entry.value], escrows: [{ before: stored, after: { escrow: refund.value.escrow, version: stored.version + 1n } }], balances: balances.value });
  return fact.answer(appliedWrite(write, [entryPosted(entry.value, fact.ctx)]));
}
