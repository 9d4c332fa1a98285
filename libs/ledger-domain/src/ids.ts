import { ledgerError, type LedgerError } from './errors';
import type { JournalEntry } from './journal-entry';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entry, hold and escrow ids are event or payment ids: UUIDs. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** An entry's ids must be UUIDs (entries are keyed by the events that caused them); the refusal names the first that is not. */
export function checkEntryIds(entry: JournalEntry): LedgerError | null {
  for (const id of [entry.entryId, entry.reversesEntryId, entry.paymentId, entry.bookingId]) {
    if (id !== null && !isUuid(id)) return ledgerError('INVALID_ENTRY', `"${id}" is not a UUID (entries are keyed by event ids)`);
  }
  return null;
}

/** Ids in the one form they are compared in (UUIDs in lower case, as the database gives them back). */
export function normalisedEntry(entry: JournalEntry): JournalEntry {
  const lower = (id: string | null): string | null => (id === null ? null : id.toLowerCase());
  return { ...entry, entryId: entry.entryId.toLowerCase(), reversesEntryId: lower(entry.reversesEntryId), paymentId: lower(entry.paymentId), bookingId: lower(entry.bookingId) };
}
