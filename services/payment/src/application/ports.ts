import type { Payment, PspCall } from '@txn/payment-domain';
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
  /** Payments whose next outcome query is due, oldest first; claimed by pushing the due time out by `lease_ms`. */
  claimDueQueries(tx: SqlTransaction, now: Date, limit: number, lease_ms: number): Promise<string[]>;
}

/** A call from the work list, claimed by one dispatcher for `lease_ms`. */
export interface ClaimedCall {
  readonly paymentId: string;
  readonly call: PspCall;
  /** Attempts including this one. */
  readonly attempts: number;
  /** The event that asked for the call: the answer's event names it as its cause. */
  readonly causedByEventId: string | null;
}

/** The PSP calls decisions asked for, made after the transaction that asked committed. */
export interface PspCalls {
  /** Adds calls in the caller's transaction; the dispatcher is woken once it commits. A call asked for again is available at once. */
  enqueue(tx: SqlTransaction, paymentId: string, calls: readonly PspCall[], causedByEventId: string | null): Promise<void>;
  /** Up to `limit` available calls, claimed for `lease_ms` (the claim commits before any call is made). */
  claim(tx: SqlTransaction, now: Date, limit: number, lease_ms: number): Promise<ClaimedCall[]>;
  /** The call was answered and the answer recorded (same transaction). */
  complete(tx: SqlTransaction, idempotencyKey: string): Promise<void>;
  /** The PSP refused our request as malformed: try again at `retryAt`, or park it for a person. */
  defer(tx: SqlTransaction, idempotencyKey: string, error: string, retryAt: Date, park: boolean): Promise<void>;
}

/** Wakes the dispatcher when a commit added calls (persistence: LISTEN/NOTIFY; a fake in tests). */
export interface CallWakeups {
  /** Calls `wake` after every commit that enqueued calls; reconnects by itself. Idempotent. */
  listen(wake: () => void): Promise<void>;
  stop(): Promise<void>;
}
