import type { PaymentDisputed } from '@txn/contracts';
import { isUuid, ledgerError } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import { alreadyApplied, appliedWrite, NO_BALANCE_CHANGE, writeOf, type LedgerDecided } from '../ledger-decided';
import type { LedgerDeps } from '../ledger-context';
import { onFact } from '../on-fact';

/**
 * PaymentDisputed → the booking's escrow is held back: a later completion does not release it to
 * the merchant (RELEASE_BLOCKED, ESCROW_DISPUTED) until a person settles the dispute. Nothing is
 * journaled: no money moved yet. A dispute the books cannot hold anything back for (no escrow, or
 * the escrow already released to the merchant: the money must be recovered from the merchant) is a
 * break; one of an escrow refunded in full holds nothing and is stale.
 */
export async function onPaymentDisputed(tx: SqlTransaction, event: PaymentDisputed, deps: LedgerDeps): Promise<LedgerDecided> {
  const { envelope } = event;
  const fact = onFact(tx, envelope, deps, { paymentId: event.paymentId, bookingId: event.bookingId, amount: event.disputedAmount });
  if (!isUuid(event.paymentId)) return fact.unplaced('FACT_UNREADABLE', ledgerError('INVALID_ENTRY', `payment id "${event.paymentId}" is not a UUID`));
  await deps.book.lockPayment(tx, event.paymentId);
  const stored = await deps.book.lockEscrow(tx, event.paymentId.toLowerCase());
  if (stored === undefined) return fact.unplaced('DISPUTE_UNPLACED', ledgerError('ESCROW_NOT_FOUND', `no escrow ${event.paymentId} to hold back for dispute ${event.pspDisputeId}`));
  const { escrow } = stored;
  if (escrow.disputedAt !== null) return fact.answer(alreadyApplied());
  if (escrow.status === 'REFUNDED') return fact.answer({ outcome: 'stale', stale: 'ESCROW_ALREADY_REFUNDED' });
  if (escrow.status === 'RELEASED') {
    return fact.unplaced('DISPUTE_UNPLACED', ledgerError('ESCROW_NOT_FUNDED', `escrow ${escrow.escrowId} was released to the merchant before dispute ${event.pspDisputeId}: recover it from the merchant`));
  }
  const after = { escrow: { ...escrow, disputedAt: envelope.occurredAt }, version: stored.version + 1n };
  return fact.answer(appliedWrite(writeOf({ escrows: [{ before: stored, after }], balances: NO_BALANCE_CHANGE }), []));
}
