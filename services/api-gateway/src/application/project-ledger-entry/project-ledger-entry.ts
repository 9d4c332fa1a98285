import type { EntryPosted } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { ProjectionOutcome, RecordPosition } from '../../read-models/event-facts';
import { insertJournalEntry } from '../../read-models/journal-writer';

/** EntryPosted → the gateway's copy of the journal (balances and account entries are read from it). */
export function projectLedgerEntry(tx: SqlTransaction, entry: EntryPosted, position: RecordPosition | null): Promise<ProjectionOutcome> {
  return insertJournalEntry(tx, entry, position);
}
