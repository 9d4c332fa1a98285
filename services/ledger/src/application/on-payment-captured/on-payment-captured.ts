import type { PaymentCaptured } from '@txn/contracts';
import type { Checked, IntentContext } from '@txn/domain-kernel';
import { admit, captureToEscrow, ledgerError, type Balances, type HoldChange, type JournalEntry, type LedgerErrorCode } from '@txn/ledger-domain';
import type { Money } from '@txn/money';
import type { SqlTransaction } from '@txn/sql';
import { prepareRelease, type PreparedRelease } from '../escrow-release';
import type { FeeRates, LedgerDeps } from '../ledger-context';
import { onFact } from '../on-fact';
import { alreadyApplied, appliedWrite, writeOf, type LedgerDecided, type LedgerDecision } from '../ledger-decided';
import { entryPosted, escrowReleased, holdPosted, ledgerRejected } from '../ledger-events';
import { lockBalancesFor, moneyOf, newEntry } from '../posting';
import type { ReleaseRequest, StoredEscrow } from '../ports';

export const CAPTURE_REASON = 'PAYMENT_CAPTURED';

function sameMoney(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amountMinor === b.amountMinor;
}

/**
 * PaymentCaptured → the authorization hold is posted for the captured amount into escrow, split
 * into the merchant's share and the platform's fee at the merchant's rate. The payment service
 * computed the same fee (PaymentCaptured.platformFee); a difference means the two disagree on the
 * rate and is refused (PLATFORM_FEE_MISMATCH) rather than booked either way. A BookingCompleted
 * that arrived before this capture is applied right after it, in the same decision.
 */
export async function onPaymentCaptured(tx: SqlTransaction, event: PaymentCaptured, deps: LedgerDeps & { readonly feeRates: FeeRates }): Promise<LedgerDecided> {
  const { envelope } = event;
  const { ctx, answer, refuse } = onFact(envelope, deps, { paymentId: event.paymentId, bookingId: event.bookingId, amount: event.capturedAmount });
  const captured = moneyOf(event.capturedAmount, 'capturedAmount');
  if (captured.outcome !== 'applied') return refuse(captured);
  const expectedFee = moneyOf(event.platformFee, 'platformFee');
  if (expectedFee.outcome !== 'applied') return refuse(expectedFee);
  const feeBps = deps.feeRates.feeBpsOf(envelope.tenantId);
  if (feeBps === undefined) return refuse(ledgerError('UNKNOWN_FEE_RATE', `no platform fee rate for merchant ${envelope.tenantId}`));

  const stored = await deps.book.lockHold(tx, event.paymentId);
  if (stored === undefined) return refuse(ledgerError('HOLD_NOT_FOUND', `no authorization hold for payment ${event.paymentId}`));
  if (stored.hold.status === 'POSTED' && stored.hold.entryId === envelope.eventId.toLowerCase()) return answer(alreadyApplied());
  const capture = captureToEscrow(stored.hold, { entryId: envelope.eventId, escrowId: event.paymentId, captured: captured.value, feeBps, reason: CAPTURE_REASON, now: envelope.occurredAt });
  if (capture.outcome !== 'applied') return refuse(capture);
  const fee = capture.value.escrow.split.platformFee;
  if (!sameMoney(expectedFee.value, fee)) {
    const theirs = `${expectedFee.value.amountMinor} ${expectedFee.value.currency}`;
    return refuse(ledgerError('PLATFORM_FEE_MISMATCH', `payment ${event.paymentId}: the payment service's fee ${theirs} differs from the ledger's ${fee.amountMinor} ${fee.currency} at ${feeBps} bps`));
  }
  const planned = capture.value.holdChange.entry;
  if (planned === null) throw new Error(`capture of payment ${event.paymentId} journals nothing`);
  const entry = await newEntry(tx, deps.book, planned, `hold ${event.paymentId}`);
  if (entry.outcome !== 'applied') return refuse(entry);
  const posted: Posted = { change: { ...capture.value.holdChange, entry: entry.value }, entry: entry.value };
  const funded: StoredEscrow = { escrow: { ...capture.value.escrow, captureEntryId: entry.value.entryId }, version: 1n };
  const waiting = await deps.book.lockReleaseRequest(tx, event.paymentId);
  const release = waiting === undefined ? undefined : await prepareRelease(tx, deps.book, funded, waiting);
  const locked = await lockBalancesFor(tx, deps.book, [posted.change, ...(release?.outcome === 'applied' ? [release.value.release.entry] : [])]);
  if (locked.outcome !== 'applied') return refuse(locked);
  const afterCapture = admit(locked.value, posted.change);
  if (afterCapture.outcome !== 'applied') return refuse(afterCapture);
  return answer(book(ctx, { posted, funded, before: locked.value, afterCapture: afterCapture.value, waiting, release }));
}

interface Posted {
  readonly change: HoldChange;
  readonly entry: JournalEntry;
}

/**
 * The capture, booked; and the waiting release (if any) after it. When the release cannot be
 * admitted, the capture is still the fact and is booked, and the release is refused and announced.
 */
function book(
  ctx: IntentContext,
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
  const captureOnly = writeOf({ entries: [posted.entry], holds, escrows: [{ before: undefined, after: funded }], balances: { before, after: at.afterCapture }, taken });
  if (waiting === undefined || release === undefined) return appliedWrite(captureOnly, events);
  const afterRelease = release.outcome === 'applied' ? admit(at.afterCapture, release.value.release.entry) : release;
  if (afterRelease.outcome !== 'applied' || release.outcome !== 'applied') {
    const refusal = afterRelease.outcome !== 'applied' ? afterRelease : ledgerError('INVALID_ENTRY', 'release not prepared');
    const completion = { eventId: waiting.entryId, eventType: 'BookingCompleted', paymentId: waiting.paymentId, bookingId: waiting.bookingId, amount: null };
    return appliedWrite(captureOnly, [...events, ledgerRejected(completion, refusal, ctx)]);
  }
  const { release: released, after: releasedEscrow } = release.value;
  return appliedWrite(
    writeOf({ entries: [posted.entry, released.entry], holds, escrows: [{ before: undefined, after: releasedEscrow }], balances: { before, after: afterRelease.value }, taken }),
    [...events, escrowReleased(released, releasedEscrow.version, ctx), entryPosted(released.entry, ctx)],
  );
}
