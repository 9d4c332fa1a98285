import type { PaymentRefunded } from '@txn/contracts';
import { isSameRefund, isUuid, ledgerError, refundEscrow } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import type { LedgerDeps } from '../ledger-context';
import { onFact } from '../on-fact';
import { alreadyApplied, appliedWrite, writeOf, type LedgerDecided } from '../ledger-decided';
import { entryPosted } from '../ledger-events';
import { lockAndAdmit, moneyOf, newEntry } from '../posting';

/**
 * PaymentRefunded → a REFUND entry out of escrow (before delivery) or out of the merchant payable
 * (after), split in proportion between the fee and the merchant's share. Refunds of one payment are
 * serialised on its escrow row; one that would exceed the capture is refused (REFUND_EXCEEDS_CAPTURE;
 * a CHECK constraint backs it). Idempotent by entry id (the refund event's id).
 */
export async function onPaymentRefunded(tx: SqlTransaction, event: PaymentRefunded, deps: LedgerDeps): Promise<LedgerDecided> {
  const { envelope } = event;
  const { ctx, answer, refuse } = onFact(envelope, deps, { paymentId: event.paymentId, bookingId: event.bookingId, amount: event.refundedAmount });
  const amount = moneyOf(event.refundedAmount, 'refundedAmount');
  if (amount.outcome !== 'applied') return refuse(amount);
  const stored = await deps.book.lockEscrow(tx, event.paymentId);
  if (stored === undefined) return refuse(ledgerError('ESCROW_NOT_FOUND', `no escrow ${event.paymentId}`));
  if (!isUuid(envelope.eventId)) return refuse(ledgerError('INVALID_ENTRY', `entry id "${envelope.eventId}" is not a UUID`));
  // Checked before recomputing: after this refund the escrow has changed, so a recomputed entry
  // would differ from the written one and look like a conflict.
  const existing = await deps.book.loadEntry(tx, envelope.eventId.toLowerCase());
  if (existing !== undefined) {
    if (isSameRefund(existing, stored.escrow, amount.value)) return answer(alreadyApplied());
    return refuse(ledgerError('DUPLICATE_CONFLICT', `entry ${envelope.eventId} exists and is not this refund`));
  }
  const refund = refundEscrow(stored.escrow, envelope.eventId, amount.value, event.reason);
  if (refund.outcome !== 'applied') return refuse(refund);
  const entry = await newEntry(tx, deps.book, refund.value.entry, `the refund of escrow ${event.paymentId}`);
  if (entry.outcome !== 'applied') return refuse(entry);
  const balances = await lockAndAdmit(tx, deps.book, [entry.value]);
  if (balances.outcome !== 'applied') return refuse(balances);
  const write = writeOf({ entries: [entry.value], escrows: [{ before: stored, after: { escrow: refund.value.escrow, version: stored.version + 1n } }], balances: balances.value });
  return answer(appliedWrite(write, [entryPosted(entry.value, ctx)]));
}
