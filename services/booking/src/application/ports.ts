import type { Booking, BookingDeadlineStage, BookingStatus, RefundPolicy, SagaDeadline } from '@txn/booking-domain';
import type { UnappliedRecord } from '@txn/nest-messaging';
import type { SqlTransaction } from '@txn/sql';

/** A saga whose deadline passed and for which no timeout was requested yet (the watcher's view). */
export interface DueDeadline {
  readonly bookingId: string;
  readonly tenantId: string;
  readonly status: BookingStatus;
  readonly version: bigint;
  readonly stage: BookingDeadlineStage;
  readonly deadlineAt: Date;
}

/** A held booking whose stored HOLD deadline has passed (the expiry sweeper's view), with that deadline. */
export interface DueHold {
  readonly booking: Booking;
  readonly deadline: SagaDeadline;
}

/**
 * What booking's use cases need from its database (persistence/booking-store.ts implements it;
 * unit tests use a fake). Every method works in the caller's transaction; none decides anything.
 */
export interface Bookings {
  /** The booking, row-locked until the transaction ends (every decision on it is serialised). */
  lockForUpdate(tx: SqlTransaction, bookingId: string): Promise<Booking | undefined>;
  /**
   * The deadline stored with the booking for the stage it is in (null: none, or no such booking),
   * row-locked like `lockForUpdate`, so it cannot change before the decision that depends on it.
   */
  lockStoredDeadline(tx: SqlTransaction, bookingId: string): Promise<SagaDeadline | null>;
  /** The refund terms the booking was made under; null when the platform default applies. */
  refundPolicyOf(tx: SqlTransaction, bookingId: string): Promise<RefundPolicy | null>;
  /** The resource exists (and stays, until the transaction ends). */
  resourceExists(tx: SqlTransaction, tenantId: string, resourceId: string): Promise<boolean>;
  /**
   * Inserts a HELD booking unless the slot overlaps a live booking of the resource: false then.
   * The database's exclusion constraint decides availability — no check-then-insert in code.
   */
  insertIfSlotFree(tx: SqlTransaction, booking: Booking, deadline: SagaDeadline | null): Promise<boolean>;
  insert(tx: SqlTransaction, booking: Booking, deadline: SagaDeadline | null): Promise<void>;
  /** The booking's new state; `previousVersion` must still be the stored one. */
  update(tx: SqlTransaction, booking: Booking, previousVersion: bigint, deadline: SagaDeadline | null): Promise<void>;
  recordUnapplied(tx: SqlTransaction, record: UnappliedRecord): Promise<void>;
  /** HELD bookings whose stored HOLD deadline (hold expiry + grace) has passed at `now`, oldest first, locked; rows others hold are skipped. */
  lockDueHolds(tx: SqlTransaction, now: Date, limit: number): Promise<DueHold[]>;
  /** CAPTURE and COMPLETION deadlines passed without a timeout requested, oldest first, locked; others' rows skipped. */
  lockDueDeadlines(tx: SqlTransaction, now: Date, limit: number): Promise<DueDeadline[]>;
  markTimeoutRequested(tx: SqlTransaction, bookingIds: readonly string[], at: Date): Promise<void>;
  /** Live bookings past their stage's cut-off, per stage, counting at most `limit`. */
  countOverdue(tx: SqlTransaction, cutoffs: { readonly hold: Date; readonly others: Date }, limit: number): Promise<Map<BookingDeadlineStage, number>>;
}
