import type { EntryPosted } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import { SCOPE_TRANSACTION_SQL, scopeParameters } from '../persistence/tenant-transactions';
import type { ProjectionOutcome, RecordPosition } from './event-facts';

/**
 * Writes one journal entry into the gateway's copy, in the inbox's transaction, scoped to the entry's
 * merchant. Entries never change once posted (corrections are reversing entries), so an entry
 * already here is a redelivery or replay and changes nothing.
 */
export async function insertJournalEntry(tx: SqlTransaction, entry: EntryPosted, position: RecordPosition | null): Promise<ProjectionOutcome> {
  const { envelope } = entry;
  await tx.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'tenant', tenantId: envelope.tenantId }));
  const inserted = await tx.query(
    `INSERT INTO ledger_entry_views (merchant_id, entry_id, entry_type, reason, reverses_entry_id, payment_id, booking_id, posted_at, event_id, topic, "partition", "offset")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (merchant_id, entry_id) DO NOTHING RETURNING 1`,
    [envelope.tenantId, entry.entryId, entry.entryType, entry.reason, entry.reversesEntryId, entry.paymentId, entry.bookingId, envelope.occurredAt, envelope.eventId, position?.topic ?? null, position?.partition ?? null, position?.offset ?? null],
  );
  if (inserted.length === 0) return 'stale';
  for (const [line, posting] of entry.postings.entries()) {
    await tx.query(`INSERT INTO ledger_posting_views (merchant_id, entry_id, line, account_id, side, amount_minor, currency, posted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      envelope.tenantId,
      entry.entryId,
      line,
      posting.accountId,
      posting.side,
      posting.amount.amountMinor.toString(),
      posting.amount.currency,
      envelope.occurredAt,
    ]);
  }
  return 'applied';
}
