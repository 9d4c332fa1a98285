import { classifyRepost, checkEntryIds, normalisedEntry, parseAccountId, postEntry, type JournalEntry } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import type { LedgerDeps } from '../ledger-context';
import { alreadyApplied, appliedWrite, writeOf, type LedgerDecided, type LedgerDecision } from '../ledger-decided';
import { entryPosted } from '../ledger-events';
import { lockAndAdmit } from '../posting';

/**
 * An adjusting entry (a correction a person or reconciliation posts): validated by the domain,
 * idempotent by its id — the same entry again is already applied, another entry under its id is
 * refused (DUPLICATE_CONFLICT, never a silent success) — and admitted against the balances.
 */
export async function postAdjustment(tx: SqlTransaction, entry: JournalEntry, deps: LedgerDeps): Promise<LedgerDecided> {
  const account = parseAccountId(entry.lines[0]?.accountId ?? '');
  const subject = { aggregateId: entry.entryId, tenantId: account.outcome === 'applied' ? account.value.tenantId : '', correlationId: entry.bookingId ?? entry.entryId, status: null };
  return { decision: await decide(tx, entry, deps), subject, write: undefined };
}

async function decide(tx: SqlTransaction, entry: JournalEntry, deps: LedgerDeps): Promise<LedgerDecision> {
  const valid = postEntry(entry);
  if (valid.outcome !== 'applied') return valid;
  const badId = checkEntryIds(valid.value);
  if (badId !== null) return badId;
  const candidate = normalisedEntry(valid.value);
  const repost = classifyRepost(await deps.book.loadEntry(tx, candidate.entryId), candidate);
  if (repost.outcome !== 'applied') return repost;
  if (repost.value === 'duplicate') return alreadyApplied();
  const balances = await lockAndAdmit(tx, deps.book, [candidate]);
  if (balances.outcome !== 'applied') return balances;
  return appliedWrite(writeOf({ entries: [candidate], balances: balances.value }), [entryPosted(candidate, { now: deps.now, actor: deps.actor })]);
}
