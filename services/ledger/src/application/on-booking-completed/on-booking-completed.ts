import type { BookingCompleted } from '@txn/contracts';
import { isUuid, ledgerError, type LedgerError } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import { prepareRelease } from '../escrow-release';
import type { LedgerDeps } from '../ledger-context';
import { onFact } from '../on-fact';
import { alreadyApplied, appliedWrite, NO_BALANCE_CHANGE, writeOf, type LedgerDecided } from '../ledger-decided';
import { entryPosted, escrowReleased } from '../ledger-events';
import { lockAndAdmit } from '../posting';

/**
 * BookingCompleted → what is left in escrow goes to the merchant payable and the fee becomes
 * revenue. Booking completes only after it saw PaymentCaptured, but the ledger reads the two
 * topics independently: a completion that arrives first is put aside as a release request and
 * applied by the capture (ledger_release_requests_waiting counts it meanwhile). Both take the
 * payment's lock first, so two instances consuming them at once never miss each other's row.
 * A completion the escrow cannot pay (refunded, another release under its id) raises a break.
 */
export async function onBookingCompleted(tx: SqlTransaction, event: BookingCompleted, deps: LedgerDeps): Promise<LedgerDecided> {
  const { envelope } = event;
  const fact = onFact(tx, envelope, deps, { paymentId: event.paymentId, bookingId: event.bookingId, amount: null });
  const blocked = (why: LedgerError): Promise<LedgerDecided> => fact.unplaced('RELEASE_BLOCKED', why);
  if (!isUuid(envelope.eventId) || !isUuid(event.paymentId) || !isUuid(event.bookingId)) {
    return fact.unplaced('FACT_UNREADABLE', ledgerError('INVALID_ENTRY', 'release: entry, payment and booking ids must be UUIDs'));
  }
  const request = { paymentId: event.paymentId.toLowerCase(), bookingId: event.bookingId.toLowerCase(), entryId: envelope.eventId.toLowerCase(), reason: event.reason };
  await deps.book.lockPayment(tx, request.paymentId);
  const stored = await deps.book.lockEscrow(tx, request.paymentId);
  if (stored === undefined) {
    const waiting = await deps.book.lockReleaseRequest(tx, request.paymentId);
    if (waiting === undefined) return fact.answer(appliedWrite(writeOf({ balances: NO_BALANCE_CHANGE, put: [request] }), []));
    if (waiting.entryId === request.entryId) return fact.answer(alreadyApplied());
    return blocked(ledgerError('DUPLICATE_CONFLICT', `payment ${request.paymentId} already has a release requested by ${waiting.entryId}`));
  }
  if (stored.escrow.releaseEntryId === request.entryId) return fact.answer(alreadyApplied());
  const release = await prepareRelease(tx, deps.book, stored, request);
  if (release.outcome !== 'applied') return blocked(release);
  const balances = await lockAndAdmit(tx, deps.book, [release.value.release.entry]);
  if (balances.outcome !== 'applied') return blocked(balances);
  const { release: released, after } = release.value;
  const write = writeOf({ entries: [released.entry], escrows: [{ before: stored, after }], balances: balances.value });
  return fact.answer(appliedWrite(write, [escrowReleased(released, after.version, fact.ctx), entryPosted(released.entry, fact.ctx)]));
}
