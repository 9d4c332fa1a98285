import type { AccountDefinition, AccountRef, Balances, Escrow, Hold, HoldChange, JournalEntry } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';

export interface StoredHold {
  readonly hold: Hold;
  /** The event that posted or voided it; null while pending. */
  readonly closedByEventId: string | null;
}

export interface StoredEscrow {
  readonly escrow: Escrow;
  /** Grows by one with every change (capture 1, each refund, the release): the events' aggregateVersion. */
  readonly version: bigint;
}

/** A BookingCompleted seen before the capture: kept until the escrow exists, then applied by the capture. */
export interface ReleaseRequest {
  readonly paymentId: string;
  readonly bookingId: string;
  readonly entryId: string;
  readonly reason: string;
}

/** An account of the chart, as created on first use (its definition is the chart's). */
export type ChartAccount = AccountRef & Pick<AccountDefinition, 'type' | 'normalSide' | 'limit'> & { readonly id: string };

/**
 * Everything one ledger decision writes, in one go, in the decision's transaction: new journal
 * entries, hold steps, escrow states, the balance counters they move (from the locked `before`),
 * and release requests put aside or taken.
 */
export interface LedgerWrite {
  readonly entries: readonly JournalEntry[];
  readonly holds: readonly { readonly change: HoldChange; readonly closedByEventId: string | null }[];
  readonly escrows: readonly { readonly before: StoredEscrow | undefined; readonly after: StoredEscrow }[];
  readonly balances: { readonly before: Balances; readonly after: Balances };
  readonly releaseRequests: { readonly put: readonly ReleaseRequest[]; readonly taken: readonly string[] };
}

/**
 * What the ledger's use cases need from its database (persistence/ledger-store.ts implements it;
 * unit tests use a fake). Reads lock what the decision depends on; `write` stores a decision. The
 * store decides nothing: a write that finds a row a concurrent transaction wrote meanwhile throws
 * (the message is retried and then decided against what is stored).
 *
 * Locks, always in this order: the hold or escrow row (or the release request), then the balance
 * rows in account-id order, all at once.
 */
export interface LedgerBook {
  lockHold(tx: SqlTransaction, holdId: string): Promise<StoredHold | undefined>;
  /** Without a lock: a hold about to be placed has no row to lock yet. */
  readHold(tx: SqlTransaction, holdId: string): Promise<StoredHold | undefined>;
  lockEscrow(tx: SqlTransaction, escrowId: string): Promise<StoredEscrow | undefined>;
  loadEntry(tx: SqlTransaction, entryId: string): Promise<JournalEntry | undefined>;
  /** The release waiting for this payment's capture, locked; undefined when none waits. */
  lockReleaseRequest(tx: SqlTransaction, paymentId: string): Promise<ReleaseRequest | undefined>;
  /** Creates the accounts that do not exist yet and locks their balance rows, in account-id order. */
  lockBalances(tx: SqlTransaction, accounts: readonly ChartAccount[]): Promise<Balances>;
  /** Pending holds whose deadline is at or before `dueAt`, oldest first, locked; rows others hold are skipped. */
  lockDueHolds(tx: SqlTransaction, dueAt: Date, limit: number): Promise<StoredHold[]>;
  write(tx: SqlTransaction, write: LedgerWrite): Promise<void>;
}

/** Release requests waiting for their capture: what the metrics show at scrape time. */
export interface WaitingReleases {
  count(): Promise<{ readonly waiting: number; readonly oldestAge_s: number }>;
}
