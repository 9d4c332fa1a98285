import type { PaymentCaptured } from '@txn/contracts';
import type { Checked, IntentContext } from '@txn/domain-kernel';
import { admit, breakOf, captureToEscrow, isUuid, ledgerError, type Balances, type HoldChange, type JournalEntry, type LedgerError, type LedgerErrorCode } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import { prepareRelease, type PreparedRelease } from '../escrow-release';
import type { LedgerDeps } from '../ledger-context';
import { onFact } from '../on-fact';
import { alreadyApplied, appliedWrite, writeOf, type LedgerDecided, type LedgerDecision } from '../ledger-decided';
import { entryPosted, escrowReleased, holdPosted, ledgerBreakRaised } from '../ledger-events';
import { lockBalancesFor, moneyOf, newEntry } from '../posting';
import type { ReleaseRequest, StoredEscrow } from '../ports';

export const CAPTURE_REASON = 'PAYMENT_CAPTURED';

/**
 * PaymentCaptured → the authorization hold is posted for the captured amount into escrow, split
 * into the merchant's share and the platform's fee as the event states them: the payment service
 * decided the fee once, from the terms fixed when the payment was created, and the rate, rule and
 * schedule version are recorded with the escrow. Money the PSP took is never refused: a capture
 * the books cannot place (no hold, a voided or expired one, a fee that cannot be split, …) is
 * booked to SUSPENSE and raises a break. A BookingCompleted that arrived before this capture is
 * applied right after it, in the same decision.
 */
export async function onPaymentCaptured(tx: SqlTransaction, event: PaymentCaptured, deps: LedgerDeps): Promise<LedgerDecided> {
  const { envelope } = event;
  const fact = onFact(tx, envelope, deps, { paymentId: event.paymentId, bookingId: event.bookingId, amount: event.capturedAmount });
  const unplaced = (why: LedgerError): Promise<LedgerDecided> => fact.unplaced('CAPTURE_UNPLACED', why, { amount: event.capturedAmount, direction: 'IN' });
  const captured = moneyOf(event.capturedAmount, 'capturedAmount');
  if (captured.outcome !== 'applied') return unplaced(captured);
  const platformFee = moneyOf(event.platformFee, 'platformFee');
  if (platformFee.outcome !== 'applied') return unplaced(platformFee);
  if (!isUuid(event.paymentId)) return fact.unplaced('FACT_UNREADABLE', ledgerError('INVALID_ENTRY', `payment id "${event.paymentId}" is not a UUID`), { amount: event.capturedAmount, direction: 'IN' });

  await deps.book.lockPayment(tx, event.paymentId);
  const stored = await deps.book.lockHold(tx, event.paymentId);
  if (stored === undefined) return unplaced(ledgerError('HOLD_NOT_FOUND', `no authorization hold for payment ${event.paymentId}`));
  if (stored.hold.status === 'POSTED' && stored.hold.entryId === envelope.eventId.toLowerCase()) return fact.answer(alreadyApplied());
  const terms = { feeBps: event.feeBps, feeRule: event.feeRule, feeScheduleVersion: event.feeScheduleVersion };
  const capture = captureToEscrow(stored.hold, { entryId: envelope.eventId, escrowId: event.paymentId, captured: captured.value, platformFee: platformFee.value, terms, reason: CAPTURE_REASON, now: envelope.occurredAt });
  if (capture.outcome !== 'applied') return unplaced(capture);
  const planned = capture.value.holdChange.entry;
  if (planned === null) throw new Error(`capture of payment ${event.paymentId} journals nothing`);
  const entry = await newEntry(tx, deps.book, planned, `hold ${event.paymentId}`);
  if (entry.outcome !== 'applied') return unplaced(entry);
  const posted: Posted = { change: { ...capture.value.holdChange, entry: entry.value }, entry: entry.value };
  const funded: StoredEscrow = { escrow: { ...capture.value.escrow, captureEntryId: entry.value.entryId }, version: 1n };
  const waiting = await deps.book.lockReleaseRequest(tx, event.paymentId);
  const release = waiting === undefined ? undefined : await prepareRelease(tx, deps.book, funded, waiting);
  const locked = await lockBalancesFor(tx, deps.book, [posted.change, ...(release?.outcome === 'applied' ? [release.value.release.entry] : [])]);
  if (locked.outcome !== 'applied') return unplaced(locked);
  const afterCapture = admit(locked.value, posted.change);
  if (afterCapture.outcome !== 'applied') return unplaced(afterCapture);
  return fact.answer(book(fact.ctx, envelope.tenantId, { posted, funded, before: locked.value, afterCapture: afterCapture.value, waiting, release }));
}

interface Posted {
  readonly change: HoldChange;
  readonly entry: JournalEntry;
}

/**
 * The capture, booked; and the waiting release (if any) after it. When the release cannot be
 * admitted, the capture is still the fact and is booked, and the completion raises a break.
 */
function book(
  ctx: IntentContext,
  tenantId: string,
  at: {
    readonly posted: Posted;
    readonly funded: StoredEscrow;
    readonly before: Balances;
    readonly afterCapture: Balances;
    readonly waiting: ReleaseRequest | undefined;
    readonly release: Checked<PreparedRelease, LedgerErrorCode> | undefined;
  },
): LedgerDecision {
  const { posted, funded, before, waiting, release } = at;
  const events = [holdPosted(posted.change.after, posted.entry, ctx), entryPosted(posted.entry, ctx)];
  const holds = [{ change: posted.change, closedByEventId: posted.entry.entryId }];
  const taken = waiting === undefined ? [] : [waiting.paymentId];
  const captureOnly = { entries: [posted.entry], holds, escrows: [{ before: undefined, after: funded }], balances: { before, after: at.afterCapture }, taken };
  if (waiting === undefined || release === undefined) return appliedWrite(writeOf(captureOnly), events);
  const afterRelease = release.outcome === 'applied' ? admit(at.afterCapture, release.value.release.entry) : release;
  if (afterRelease.outcome !== 'applied' || release.outcome !== 'applied') {
    const why = afterRelease.outcome !== 'applied' ? afterRelease : ledgerError('INVALID_ENTRY', 'release not prepared');
    const completion = { breakId: waiting.entryId, tenantId, factEventType: 'BookingCompleted', paymentId: waiting.paymentId, bookingId: waiting.bookingId, amount: null };
    const blocked = breakOf(completion, 'RELEASE_BLOCKED', why, null);
    return appliedWrite(writeOf({ ...captureOnly, breaks: [blocked] }), [...events, ledgerBreakRaised(blocked, ctx)]);
  }
  const { release: released, after: releasedEscrow } = release.value;
  return appliedWrite(
    writeOf({ entries: [posted.entry, released.entry], holds, escrows: [{ before: undefined, after: releasedEscrow }], balances: { before, after: afterRelease.value }, taken }),
    [...events, escrowReleased(released, releasedEscrow.version, ctx), entryPosted(released.entry, ctx)],
  );
}
