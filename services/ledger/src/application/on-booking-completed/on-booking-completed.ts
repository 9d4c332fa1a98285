import type { BookingCompleted } from '@txn/contracts';
import { isUuid, ledgerError } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import { prepareRelease } from '../escrow-release';
import type { LedgerDeps } from '../ledger-context';
import { alreadyApplied, appliedWrite, decided, NO_BALANCE_CHANGE, rejectedWith, writeOf, type LedgerDecided } from '../ledger-decided';
import { entryPosted, escrowReleased } from '../ledger-events';
import { lockAndAdmit } from '../posting';

/**
 * BookingCompleted → what is left in escrow goes to the merchant payable and the fee becomes
 * revenue. Booking completes only after it saw PaymentCaptured, but the ledger reads the two
 * topics independently: a completion that arrives first is put aside as a release request and
 * applied by the capture (ledger_release_requests_waiting counts it meanwhile).
 */
export async function onBookingCompleted(tx: SqlTransaction, event: BookingCompleted, deps: LedgerDeps): Promise<LedgerDecided> {
  const { envelope } = event;
  const ctx = { now: deps.now, actor: deps.actor };
  const rejected = { eventId: envelope.eventId, eventType: envelope.eventType, paymentId: event.paymentId, bookingId: event.bookingId, amount: null };
  const refuse = (refusal: Parameters<typeof rejectedWith>[1]): LedgerDecided => decided(rejectedWith(rejected, refusal, ctx), envelope);
  if (!isUuid(envelope.eventId) || !isUuid(event.paymentId) || !isUuid(event.bookingId)) {
    return refuse(ledgerError('INVALID_ENTRY', 'release: entry, payment and booking ids must be UUIDs'));
  }
  const request = { paymentId: event.paymentId.toLowerCase(), bookingId: event.bookingId.toLowerCase(), entryId: envelope.eventId.toLowerCase(), reason: event.reason };
  const stored = await deps.book.lockEscrow(tx, request.paymentId);
  if (stored === undefined) {
    const waiting = await deps.book.lockReleaseRequest(tx, request.paymentId);
    if (waiting === undefined) return decided(appliedWrite(writeOf({ balances: NO_BALANCE_CHANGE, put: [request] }), []), envelope);
    if (waiting.entryId === request.entryId) return decided(alreadyApplied(), envelope);
    return refuse(ledgerError('DUPLICATE_CONFLICT', `payment ${request.paymentId} already has a release requested by ${waiting.entryId}`));
  }
  if (stored.escrow.releaseEntryId === request.entryId) return decided(alreadyApplied(), envelope);
  const release = await prepareRelease(tx, deps.book, stored, request);
  if (release.outcome !== 'applied') return refuse(release);
  const balances = await lockAndAdmit(tx, deps.book, [release.value.release.entry]);
  if (balances.outcome !== 'applied') return refuse(balances);
  const { release: released, after } = release.value;
  const write = writeOf({ entries: [released.entry], escrows: [{ before: stored, after }], balances: balances.value });
  return decided(appliedWrite(write, [escrowReleased(released, after.version, ctx), entryPosted(released.entry, ctx)]), envelope);
}
