import type { BookingCancelled, BookingCompleted, BookingConfirmed, BookingExpired, BookingHeld, BookingRejected, EntryPosted, HoldPlaced, LedgerBreakRaised } from '@txn/contracts';
import { parseAccountId } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import type { ProjectedBooking, ProjectedLedgerEntry, ReconProjections } from '../ports';

/**
 * What reconciliation keeps of the ledger's and bookings' events (docs/decisions/0030): written in
 * the event's inbox transaction, so the projections are exactly what payment has consumed, and
 * idempotent by the event's own ids besides. Only what the books leg compares is kept.
 */

type BookingEvent = BookingHeld | BookingConfirmed | BookingCancelled | BookingExpired | BookingCompleted | BookingRejected;

/** A journal entry's PSP clearing and SUSPENSE lines, summed by side per currency; entries naming no payment are not kept. */
export function ledgerLinesOf(entry: EntryPosted): ProjectedLedgerEntry[] {
  if (entry.paymentId === null) return [];
  const byCurrency = new Map<string, ProjectedLedgerEntry>();
  for (const posting of entry.postings) {
    const account = parseAccountId(posting.accountId);
    const currency = posting.amount.currency;
    const row = byCurrency.get(currency) ?? {
      entryId: entry.entryId,
      currency,
      paymentId: entry.paymentId,
      bookingId: entry.bookingId,
      tenantId: entry.envelope.tenantId,
      entryType: entry.entryType,
      reversesEntryId: entry.reversesEntryId,
      clearingDebitMinor: 0n,
      clearingCreditMinor: 0n,
      suspenseDebitMinor: 0n,
      suspenseCreditMinor: 0n,
      occurredAt: entry.envelope.occurredAt,
    };
    const code = account.outcome === 'applied' ? account.value.code : null;
    const debit = posting.side === 'DEBIT';
    const amount = posting.amount.amountMinor;
    if (code === 'PSP_CLEARING') byCurrency.set(currency, debit ? { ...row, clearingDebitMinor: row.clearingDebitMinor + amount } : { ...row, clearingCreditMinor: row.clearingCreditMinor + amount });
    else if (code === 'SUSPENSE') byCurrency.set(currency, debit ? { ...row, suspenseDebitMinor: row.suspenseDebitMinor + amount } : { ...row, suspenseCreditMinor: row.suspenseCreditMinor + amount });
    else byCurrency.set(currency, row);
  }
  return [...byCurrency.values()];
}

export async function projectEntryPosted(tx: SqlTransaction, entry: EntryPosted, projections: ReconProjections): Promise<'applied'> {
  for (const line of ledgerLinesOf(entry)) await projections.ledgerEntry(tx, line);
  return 'applied';
}

export async function projectHoldPlaced(tx: SqlTransaction, hold: HoldPlaced, projections: ReconProjections): Promise<'applied'> {
  await projections.ledgerHold(tx, { holdId: hold.holdId, paymentId: hold.paymentId, occurredAt: hold.envelope.occurredAt });
  return 'applied';
}

export async function projectLedgerBreak(tx: SqlTransaction, raised: LedgerBreakRaised, projections: ReconProjections): Promise<'applied'> {
  await projections.ledgerBreak(tx, {
    breakId: raised.breakId,
    paymentId: raised.paymentId,
    bookingId: raised.bookingId,
    tenantId: raised.envelope.tenantId,
    kind: raised.kind,
    code: raised.code,
    factEventType: raised.factEventType,
    reason: raised.reason,
    suspenseEntryId: raised.suspenseEntryId,
    occurredAt: raised.envelope.occurredAt,
  });
  return 'applied';
}

/** A booking's status after the event, by its aggregate version: a late event never moves it back. */
export function bookingStatusOf(event: BookingEvent): ProjectedBooking {
  const { envelope } = event;
  return { bookingId: event.bookingId, tenantId: envelope.tenantId, status: event.statusAfter, version: envelope.aggregateVersion, statusAt: envelope.occurredAt };
}

export function projectBooking(tx: SqlTransaction, event: BookingEvent, projections: ReconProjections): Promise<void> {
  return projections.booking(tx, bookingStatusOf(event));
}
