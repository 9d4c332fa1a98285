import type { AccountDefinition, AccountRef, Balances, BreakKind, Escrow, Hold, HoldChange, JournalEntry, LedgerBreak } from '@txn/ledger-domain';
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
 * release requests put aside or taken, and breaks raised by facts the books could not place.
 */
export interface LedgerWrite {
  readonly entries: readonly JournalEntry[];
  readonly holds: readonly { readonly change: HoldChange; readonly closedByEventId: string | null }[];
  readonly escrows: readonly { readonly before: StoredEscrow | undefined; readonly after: StoredEscrow }[];
  readonly balances: { readonly before: Balances; readonly after: Balances };
  readonly releaseRequests: { readonly put: readonly ReleaseRequest[]; readonly taken: readonly string[] };
  readonly breaks: readonly LedgerBreak[];
}

/**
 * What the ledger's use cases need from its database (persistence/ledger-store.ts implements it;
 * unit tests use a fake). Reads lock what the decision depends on; `write` stores a decision. The
 * store decides nothing: a write that finds a row a concurrent transaction wrote meanwhile throws
 * (the message is retried and then decided against what is stored).
 *
 * Locks, always in this order: the payment (`lockPayment`), then the hold or escrow row (or the
 * release request), then the balance rows in account-id order, all at once.
 */
export interface LedgerBook {
  /**
   * Serialises every decision about one payment across instances and topics, until the transaction
   * ends: PaymentCaptured (payment topic) and BookingCompleted (booking topic) may be consumed at
   * once by two instances, and each must see what the other wrote, never miss its uncommitted row.
   */
  lockPayment(tx: SqlTransaction, paymentId: string): Promise<void>;
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
  /** The break a fact raised, if it raised one (its id is the fact's event id). */
  readBreak(tx: SqlTransaction, breakId: string): Promise<LedgerBreak | undefined>;
  write(tx: SqlTransaction, write: LedgerWrite): Promise<void>;
}

/** Breaks not yet explained: what the metrics show at scrape time and what a person lists. */
export interface OpenBreaks {
  countByKind(): Promise<ReadonlyMap<BreakKind, number>>;
}

/** Release requests waiting for their capture: what the metrics show at scrape time. */
export interface WaitingReleases {
  count(): Promise<{ readonly waiting: number; readonly oldestAge_s: number }>;
}

/** A person's request to explain a break (`./platform ledger explain`), as stored. */
export interface ExplanationRequest {
  readonly requestId: string;
  readonly breakId: string;
  /** Where the break's suspense goes; null when the break booked nothing to SUSPENSE. */
  readonly targetCode: string | null;
  readonly explainedBy: string;
  readonly reason: string;
  readonly attempts: number;
}

export type ExplanationOutcome = 'EXPLAINED' | 'ALREADY_EXPLAINED' | 'REFUSED' | 'FAILED';

export interface ExplanationAnswer {
  readonly outcome: ExplanationOutcome;
  readonly entryId: string | null;
  readonly detail: string;
}

/** Where explanation requests wait and breaks are marked explained, in the caller's transaction. */
export interface ExplanationBook {
  /** The oldest unanswered requests, locked; rows another instance holds are skipped. */
  lockUnanswered(tx: SqlTransaction, limit: number): Promise<ExplanationRequest[]>;
  /** The break's explanation state, locked; undefined when there is no such break. */
  lockBreakState(tx: SqlTransaction, breakId: string): Promise<{ readonly explained: boolean; readonly entryId: string | null } | undefined>;
  markExplained(tx: SqlTransaction, breakId: string, explanation: { readonly by: string; readonly text: string; readonly entryId: string | null; readonly at: Date }): Promise<void>;
  answer(tx: SqlTransaction, requestId: string, answer: ExplanationAnswer, at: Date): Promise<void>;
  /** An attempt that failed on the database (not a refusal): counted apart, so a retry is bounded. */
  countFailedAttempt(requestId: string, detail: string, at: Date, maxAttempts: number): Promise<void>;
}
