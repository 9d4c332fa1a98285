import type { BooksBreakKind, BooksLeg, BookingView, BooksPaymentRecord, LedgerView, Payment, PaymentRecord, PspBreakKind, PspCall, ReconBreakKind } from '@txn/payment-domain';
import type { UnappliedRecord } from '@txn/nest-messaging';
import type { SqlTransaction } from '@txn/sql';

/** A payment with what the service keeps beside the aggregate. */
export interface StoredPayment {
  readonly payment: Payment;
  readonly customerId: string;
  readonly paymentMethod: string;
}

/** What the store writes besides the aggregate: derived from it by application rules, stored for queries. */
export interface PaymentIndexes {
  /** When the outcome poller should next ask the PSP about it; null when nothing is unknown. */
  readonly queryDueAt: Date | null;
  /** A person must look (an unknown outcome past its schedule, a refund the PSP refused). */
  readonly needsAttention: boolean;
}

/**
 * What payment's use cases need from its database (persistence/payment-store.ts implements it;
 * unit tests use a fake). Every method works in the caller's transaction; none decides anything.
 */
export interface Payments {
  /** The payment, row-locked until the transaction ends: every decision on it is serialised. */
  lockForUpdate(tx: SqlTransaction, paymentId: string): Promise<StoredPayment | undefined>;
  insert(tx: SqlTransaction, stored: StoredPayment, indexes: PaymentIndexes): Promise<void>;
  /** The payment's new state; `previousVersion` must still be the stored one. */
  update(tx: SqlTransaction, stored: StoredPayment, previousVersion: bigint, indexes: PaymentIndexes): Promise<void>;
  recordUnapplied(tx: SqlTransaction, record: UnappliedRecord): Promise<void>;
  /**
   * Payments whose next outcome query is due, oldest first, claimed by pushing the due time out by
   * `lease_ms` and counting the claim; a payment claimed `maxClaims` times since its last stored
   * decision is not claimed (see parkStuckQueries).
   */
  claimDueQueries(tx: SqlTransaction, now: Date, limit: number, lease_ms: number, maxClaims: number): Promise<string[]>;
  /**
   * Due payments claimed `maxClaims` times since their last stored decision (every query's answer
   * failed to be recorded): no longer due, flagged for a person. Returns their ids.
   */
  parkStuckQueries(tx: SqlTransaction, now: Date, maxClaims: number, limit: number): Promise<string[]>;
  /** A person must look at the payment (a PSP call of it was parked); the flag stays until a decision finds nothing to look at. */
  flagNeedsAttention(tx: SqlTransaction, paymentId: string): Promise<void>;
  /** The payment whose PaymentIntent or charge this is, if any (how a PSP event without our metadata finds its payment). */
  findIdByPspObject(tx: SqlTransaction, ids: { readonly pspPaymentIntentId: string | null; readonly pspChargeId: string | null }): Promise<string | undefined>;
}

/** A difference between the PSP and us, as stored for a person (psp_breaks). */
export interface PspBreak {
  readonly kind: PspBreakKind | ReconBreakKind | BooksBreakKind;
  /** Which records disagree; PSP_PAYMENTS when not said. */
  readonly leg?: 'PSP_PAYMENTS' | BooksLeg;
  readonly paymentId: string | null;
  /** The payment's booking (the saga its events correlate with), when known. */
  readonly bookingId?: string | null;
  readonly tenantId: string | null;
  readonly pspObjectId: string;
  readonly pspEventId: string | null;
  readonly detail: string;
  /** Why, as far as the sides tell it. */
  readonly explanation?: string | null;
  /** What each side showed (stored as JSON). */
  readonly evidence?: Readonly<Record<string, unknown>> | null;
}

/** A break a resolution closed. */
export interface ResolvedBreak {
  readonly breakId: string;
  readonly kind: string;
  readonly leg: string;
  readonly paymentId: string | null;
  readonly bookingId: string | null;
  readonly tenantId: string | null;
}

/** Breaks: raised once per finding, open until a person or reconciliation resolves them. */
export interface PspBreaks {
  /** Raises the break in the caller's transaction; false when a break of this id is already raised. */
  raise(tx: SqlTransaction, breakId: string, found: PspBreak): Promise<boolean>;
  /**
   * Resolves the open breaks of these payments (all but disputes and foreign objects, which a person
   * closes) except the ones named in `keep` (what the run found again).
   */
  resolveOf(tx: SqlTransaction, paymentIds: readonly string[], keep: readonly string[], resolution: string): Promise<readonly ResolvedBreak[]>;
}

/** Open breaks by kind and the age of the oldest, read at scrape time. */
export interface OpenBreaks {
  openByKind(): Promise<{ readonly counts: ReadonlyMap<string, number>; readonly oldestRaisedAt: Date | null }>;
}

/** A PSP event about an object no payment names yet. */
export interface UnmatchedPspEvent {
  readonly pspEventId: string;
  readonly pspEventType: string;
  readonly pspObjectType: string;
  readonly pspObjectId: string;
  readonly pspPaymentIntentId: string | null;
  readonly pspChargeId: string | null;
  readonly tenantId: string | null;
}

/** Unmatched PSP events, checked against the PSP on a bounded schedule until matched or raised as a break. */
export interface UnmatchedPspEvents {
  /** Keeps the event to check at `checkAt` (a repeat of the same PSP event is ignored). */
  keep(tx: SqlTransaction, event: UnmatchedPspEvent, checkAt: Date): Promise<void>;
  /** Up to `limit` due events, claimed by pushing their next check out by `lease_ms` and counting the check. */
  claimDue(tx: SqlTransaction, now: Date, limit: number, lease_ms: number): Promise<readonly (UnmatchedPspEvent & { readonly checks: number })[]>;
  /** Closed: matched to a payment, or raised as a break. */
  close(tx: SqlTransaction, pspEventId: string, outcome: 'MATCHED' | 'BREAK', paymentId: string | null): Promise<void>;
}

/** A call from the work list, claimed by one dispatcher for `lease_ms`. */
export interface ClaimedCall {
  readonly paymentId: string;
  readonly call: PspCall;
  /** Attempts including this one. */
  readonly attempts: number;
  /** The event that asked for the call: the answer's event names it as its cause. */
  readonly causedByEventId: string | null;
  /** W3C trace context of the transaction that asked for it (nulls when none): the call continues that trace. */
  readonly traceContext: { readonly traceparent: string | null; readonly tracestate: string | null };
}

/** The PSP calls decisions asked for, made after the transaction that asked committed. */
export interface PspCalls {
  /** Adds calls in the caller's transaction; the dispatcher is woken once it commits. A call asked for again is available at once, unless it is parked (a person releases it). */
  enqueue(tx: SqlTransaction, paymentId: string, calls: readonly PspCall[], causedByEventId: string | null): Promise<void>;
  /** Up to `limit` available calls with attempts left (fewer than `maxAttempts` made), claimed for `lease_ms` (the claim commits before any call is made). */
  claim(tx: SqlTransaction, now: Date, limit: number, lease_ms: number, maxAttempts: number): Promise<ClaimedCall[]>;
  /** The call was answered and the answer recorded (same transaction). */
  complete(tx: SqlTransaction, idempotencyKey: string): Promise<void>;
  /** The attempt failed (the PSP refused the request, or its answer could not be recorded): make it again at `retryAt`. */
  retryLater(tx: SqlTransaction, idempotencyKey: string, error: string, retryAt: Date): Promise<void>;
  /** The call is parked for a person: never claimed again until a person releases it. */
  park(tx: SqlTransaction, idempotencyKey: string, error: string): Promise<void>;
  /**
   * Calls whose lease ended after their last allowed attempt without any outcome recorded (the
   * process died mid-call, every time): parked instead of made again. Returns them.
   */
  parkExhausted(tx: SqlTransaction, now: Date, maxAttempts: number, limit: number, reason: string): Promise<ClaimedCall[]>;
  /** Whether a call of the payment is parked: a person must look at it. */
  hasParked(tx: SqlTransaction, paymentId: string): Promise<boolean>;
}

/**
 * Why an unknown outcome is past its schedule: `overdue`, its next query is due and no poller took
 * it in time; `left_to_person`, the schedule ran out (or its findings could not be recorded) and
 * the queries stopped.
 */
export const PAST_SCHEDULE_STATES = ['overdue', 'left_to_person'] as const;
export type PastScheduleState = (typeof PAST_SCHEDULE_STATES)[number];

/** Unknown outcomes (authorize, capture, void, refund, PSP sync) past their query schedule, read at scrape time. */
export interface UnresolvedOutcomes {
  /**
   * Counts by state (each bounded by `limit`) and when the oldest of them became unknown. Overdue:
   * a query due before `overdueBefore`; left to a person: queries stopped (alerted, or parked after
   * `maxClaims` claims without a recorded finding).
   */
  pastSchedule(query: { readonly overdueBefore: Date; readonly maxClaims: number; readonly limit: number }): Promise<{ readonly counts: ReadonlyMap<PastScheduleState, number>; readonly oldestSince: Date | null }>;
}

/** Parked calls by operation, read at scrape time (payment_psp_calls_parked). */
export interface ParkedCalls {
  countByOperation(): Promise<ReadonlyMap<string, number>>;
}

/** Wakes the dispatcher when a commit added calls (persistence: LISTEN/NOTIFY; a fake in tests). */
export interface CallWakeups {
  /** Calls `wake` after every commit that enqueued calls; reconnects by itself. Idempotent. */
  listen(wake: () => void): Promise<void>;
  stop(): Promise<void>;
}

/** The reconciliation's window and why it runs. */
export interface ReconWindow {
  readonly from: Date;
  readonly to: Date;
}

/** One reconciliation run as recorded (recon_runs); the counts are null when the run failed before it had them. */
export interface ReconRun {
  readonly runId: string;
  readonly trigger: 'SCHEDULE' | 'COMMAND';
  readonly window: ReconWindow;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly outcome: 'CLEAN' | 'BREAKS' | 'FAILED';
  readonly pspIntents: number | null;
  readonly pspPages: number | null;
  readonly payments: number | null;
  readonly agreeing: number | null;
  readonly inFlight: number | null;
  readonly findings: number | null;
  readonly syncsRequested: number | null;
  readonly breaksResolved: number | null;
  readonly ledgerEntries: number | null;
  readonly bookings: number | null;
  readonly notYetJudged: number | null;
  readonly ledgerCutoffAt: Date | null;
  readonly pspReadAt: Date | null;
  readonly paymentsReadAt: Date | null;
  readonly error: string | null;
}

/** One snapshot of payment's database for a run: the payments of the window and what the ledger's and bookings' events said of them. */
export interface ReconSnapshot {
  readonly payments: readonly (PaymentRecord & BooksPaymentRecord)[];
  readonly readAt: Date;
  /** Keyed by payment id. */
  readonly ledger: ReadonlyMap<string, LedgerView>;
  /** Keyed by booking id. */
  readonly bookings: ReadonlyMap<string, BookingView>;
  /** Ledger entries the projection holds for these payments, and the newest ledger event it holds at all (the ledger side's cut-off). */
  readonly ledgerEntries: number;
  readonly ledgerCutoffAt: Date | null;
  /** When the projections started. */
  readonly viewsSince: Date;
}

/** What reconciliation reads and records in payment's database. */
export interface ReconciliationRecords {
  /** Runs `work` unless another run holds the reconciliation lock (then 'BUSY'): one run at a time across instances. */
  exclusively<T>(work: () => Promise<T>): Promise<T | 'BUSY'>;
  /**
   * Payments whose authorization was asked for in the window, at most `limit` (+1 to tell there are
   * more), with what the ledger's and bookings' events said of them, all in one snapshot.
   */
  paymentsInWindow(window: ReconWindow, limit: number): Promise<ReconSnapshot>;
  recordRun(run: ReconRun): Promise<void>;
  /** When the last scheduled run finished (any outcome), and the last run that did not fail. */
  lastRuns(): Promise<{ readonly lastScheduledAt: Date | null; readonly lastSucceededAt: Date | null }>;
  /** The oldest command request not answered (claimed for `lease_ms`), if any. */
  claimRequest(now: Date, lease_ms: number): Promise<{ readonly requestId: string; readonly window: ReconWindow } | undefined>;
  answerRequest(requestId: string, runId: string): Promise<void>;
}

/** A journal entry's PSP clearing and SUSPENSE lines of one currency, as reconciliation keeps them. */
export interface ProjectedLedgerEntry {
  readonly entryId: string;
  readonly currency: string;
  readonly paymentId: string;
  readonly bookingId: string | null;
  readonly tenantId: string;
  readonly entryType: string;
  readonly reversesEntryId: string | null;
  readonly clearingDebitMinor: bigint;
  readonly clearingCreditMinor: bigint;
  readonly suspenseDebitMinor: bigint;
  readonly suspenseCreditMinor: bigint;
  readonly occurredAt: Date;
}

export interface ProjectedLedgerBreak {
  readonly breakId: string;
  readonly paymentId: string | null;
  readonly bookingId: string | null;
  readonly tenantId: string;
  readonly kind: string;
  readonly code: string;
  readonly factEventType: string;
  readonly reason: string;
  readonly suspenseEntryId: string | null;
  readonly occurredAt: Date;
}

export interface ProjectedBooking {
  readonly bookingId: string;
  readonly tenantId: string;
  readonly status: string;
  readonly version: bigint;
  readonly statusAt: Date;
}

/** Reconciliation's projections of the ledger's and bookings' events, written in the inbox transaction; each write is idempotent. */
export interface ReconProjections {
  ledgerEntry(tx: SqlTransaction, line: ProjectedLedgerEntry): Promise<void>;
  ledgerHold(tx: SqlTransaction, hold: { readonly holdId: string; readonly paymentId: string; readonly occurredAt: Date }): Promise<void>;
  ledgerBreak(tx: SqlTransaction, raised: ProjectedLedgerBreak): Promise<void>;
  /** Moves the booking's status forward: an event of a lower version than the stored one changes nothing. */
  booking(tx: SqlTransaction, booking: ProjectedBooking): Promise<void>;
}
