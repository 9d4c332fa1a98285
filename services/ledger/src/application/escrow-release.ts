import { checked, type Checked } from '@txn/domain-kernel';
import { releaseEscrow, type EscrowRelease, type LedgerErrorCode } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import { newEntry } from './posting';
import type { LedgerBook, ReleaseRequest, StoredEscrow } from './ports';

export interface PreparedRelease {
  readonly release: EscrowRelease;
  readonly after: StoredEscrow;
}

/**
 * What is left in an escrow goes to the merchant payable and the fee becomes revenue, under the
 * completion's event id: the domain decides the entry; the entry id must be free.
 */
export async function prepareRelease(tx: SqlTransaction, book: LedgerBook, stored: StoredEscrow, request: ReleaseRequest): Promise<Checked<PreparedRelease, LedgerErrorCode>> {
  const released = releaseEscrow(stored.escrow, request.entryId, request.reason);
  if (released.outcome !== 'applied') return released;
  const entry = await newEntry(tx, book, released.value.entry, `the release of escrow ${stored.escrow.escrowId}`);
  if (entry.outcome !== 'applied') return entry;
  const release = { ...released.value, entry: entry.value, escrow: { ...released.value.escrow, releaseEntryId: entry.value.entryId } };
  return checked({ release, after: { escrow: release.escrow, version: stored.version + 1n } });
}
