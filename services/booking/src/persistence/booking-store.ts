import type { Booking, BookingDeadlineStage, BookingStatus, RefundPolicy, SagaDeadline } from '@txn/booking-domain';
import { money, type Money } from '@txn/money';
import { unappliedMessagesIn } from '@txn/nest-messaging';
import type { SqlTransaction } from '@txn/sql';
import type { Bookings, DueDeadline, DueHold } from '../application/ports';

/** PostgreSQL's exclusion_violation: the slot overlaps a live booking of the resource. */
const EXCLUSION_VIOLATION = '23P01';

interface BookingRow {
  readonly booking_id: string;
  readonly tenant_id: string;
  readonly resource_id: string;
  readonly starts_at: Date;
  readonly ends_at: Date;
  readonly status: Booking['status'];
  readonly version: string;
  readonly hold_expires_at: Date;
  readonly customer_id: string;
  readonly customer_email: string | null;
  readonly price_minor: string;
  readonly currency: string;
  readonly payment_id: string | null;
  readonly authorized_minor: string | null;
  readonly captured_minor: string | null;
  readonly refund_minor: string | null;
  readonly delivered_at: Date | null;
  readonly confirmed_at: Date | null;
}

const COLUMNS = `booking_id, tenant_id, resource_id, starts_at, ends_at, status, version,
  hold_expires_at, customer_id, customer_email, price_minor, currency, payment_id, authorized_minor, captured_minor,
  refund_minor, delivered_at, confirmed_at`;

function amount(minor: string | null, currency: string): Money | null {
  return minor === null ? null : money(BigInt(minor), currency);
}

function toBooking(row: BookingRow): Booking {
  return {
    bookingId: row.booking_id,
    tenantId: row.tenant_id,
    customerId: row.customer_id,
    customerEmail: row.customer_email,
    slot: { resourceId: row.resource_id, startsAt: row.starts_at, endsAt: row.ends_at },
    price: { amountMinor: BigInt(row.price_minor), currency: row.currency },
    status: row.status,
    version: BigInt(row.version),
    holdExpiresAt: row.hold_expires_at,
    paymentId: row.payment_id,
    authorizedAmount: amount(row.authorized_minor, row.currency),
    capturedAmount: amount(row.captured_minor, row.currency),
    refundAmount: amount(row.refund_minor, row.currency),
    deliveredAt: row.delivered_at,
    confirmedAt: row.confirmed_at,
  };
}

/** The booking, row-locked until the transaction ends (every decision on it is serialised). */
async function loadBookingForUpdate(tx: SqlTransaction, bookingId: string): Promise<Booking | undefined> {
  const rows = await tx.query<BookingRow>(`SELECT ${COLUMNS} FROM bookings WHERE booking_id = $1 FOR UPDATE`, [bookingId]);
  const row = rows[0];
  return row === undefined ? undefined : toBooking(row);
}

/** The deadline stored for the booking's stage, the row locked (FOR UPDATE) until the transaction ends. */
async function lockStoredDeadline(tx: SqlTransaction, bookingId: string): Promise<SagaDeadline | null> {
  const rows = await tx.query<{ deadline_stage: BookingDeadlineStage | null; deadline_at: Date | null }>('SELECT deadline_stage, deadline_at FROM bookings WHERE booking_id = $1 FOR UPDATE', [bookingId]);
  const row = rows[0];
  if (row === undefined || row.deadline_stage === null || row.deadline_at === null) return null;
  return { stage: row.deadline_stage, at: row.deadline_at };
}

/**
 * The refund terms a booking was made under: its merchant's policy at booking time, or null when
 * the platform default applies. A stored value of the wrong shape throws (the cancellation is
 * retried, then parked for a person), because refunding by a guess moves money; the policy's
 * rules are checked by the use case.
 */
async function refundPolicyOf(tx: SqlTransaction, bookingId: string): Promise<RefundPolicy | null> {
  const rows = await tx.query<{ refund_policy: unknown }>('SELECT refund_policy FROM bookings WHERE booking_id = $1', [bookingId]);
  const stored = rows[0]?.refund_policy ?? null;
  return stored === null ? null : parseRefundPolicy(stored, `booking ${bookingId}`);
}

/** `{ tiers: [{ minNotice_ms, refund_bp }], otherwise_bp }` as stored; throws naming what is wrong. */
function parseRefundPolicy(stored: unknown, where: string): RefundPolicy {
  const fail = (why: string): never => {
    throw new Error(`${where}: malformed refund policy (${why})`);
  };
  if (typeof stored !== 'object' || stored === null) return fail('not an object');
  const { tiers, otherwise_bp: otherwiseBp } = stored as { tiers?: unknown; otherwise_bp?: unknown };
  if (!Array.isArray(tiers)) return fail('tiers is not an array');
  const parsed = tiers.map((tier: unknown, index) => {
    const { minNotice_ms: notice, refund_bp: share } = (tier ?? {}) as { minNotice_ms?: unknown; refund_bp?: unknown };
    if (typeof notice !== 'number' || typeof share !== 'number') return fail(`tier ${index} needs numeric minNotice_ms and refund_bp`);
    return { minNotice_ms: notice, refund_bp: share };
  });
  if (typeof otherwiseBp !== 'number') return fail('otherwise_bp is not a number');
  return { tiers: parsed, otherwise_bp: otherwiseBp };
}

/**
 * Held bookings whose stored HOLD deadline (hold expiry + the grace fixed when held) has passed,
 * oldest deadline first (bookings_hold_deadline_idx, migration 005); rows another sweeper holds are
 * skipped, not waited for.
 */
async function lockDueHolds(tx: SqlTransaction, now: Date, limit: number): Promise<DueHold[]> {
  const rows = await tx.query<BookingRow & { deadline_at: Date }>(
    `SELECT ${COLUMNS}, deadline_at FROM bookings
      WHERE deadline_stage = 'HOLD' AND status = 'HELD' AND deadline_at <= $1
      ORDER BY deadline_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map((row) => ({ booking: toBooking(row), deadline: { stage: 'HOLD', at: row.deadline_at } }));
}

/**
 * CAPTURE and COMPLETION deadlines passed at `now` without a timeout requested, oldest first,
 * row-locked; rows a handler or another watcher holds are skipped, not waited for. HOLD is left
 * to the expiry sweeper.
 */
async function lockDueDeadlines(tx: SqlTransaction, now: Date, limit: number): Promise<DueDeadline[]> {
  const rows = await tx.query<{ booking_id: string; tenant_id: string; status: BookingStatus; version: string; deadline_stage: BookingDeadlineStage; deadline_at: Date }>(
    `SELECT booking_id, tenant_id, status, version, deadline_stage, deadline_at FROM bookings
      WHERE deadline_stage IN ('CAPTURE', 'COMPLETION') AND timeout_requested_at IS NULL AND deadline_at <= $1
      ORDER BY deadline_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map((row) => ({ bookingId: row.booking_id, tenantId: row.tenant_id, status: row.status, version: BigInt(row.version), stage: row.deadline_stage, deadlineAt: row.deadline_at }));
}

/** The timeout of these bookings' current stage is on its way: the watcher does not ask again. */
async function markTimeoutRequested(tx: SqlTransaction, bookingIds: readonly string[], at: Date): Promise<void> {
  if (bookingIds.length === 0) return;
  await tx.query('UPDATE bookings SET timeout_requested_at = $2 WHERE booking_id = ANY($1::uuid[])', [bookingIds, at]);
}

/**
 * Live bookings whose deadline passed before the stage's cut-off (`now` minus the interval of
 * the loop that acts on it), per stage, counting at most `limit` rows: the count stays cheap
 * however many sagas are stuck, and saturates at `limit`.
 */
async function countOverdue(
  tx: SqlTransaction,
  cutoffs: { readonly hold: Date; readonly others: Date },
  limit: number,
): Promise<Map<BookingDeadlineStage, number>> {
  const latest = cutoffs.hold.getTime() >= cutoffs.others.getTime() ? cutoffs.hold : cutoffs.others;
  const rows = await tx.query<{ stage: BookingDeadlineStage; n: number }>(
    `SELECT stage, count(*)::int AS n FROM (
       SELECT deadline_stage AS stage FROM bookings
        WHERE deadline_stage IS NOT NULL
          -- the later cut-off bounds the index scan; the per-stage one decides
          AND deadline_at < $3
          AND deadline_at < CASE WHEN deadline_stage = 'HOLD' THEN $1::timestamptz ELSE $2::timestamptz END
        LIMIT $4) overdue
      GROUP BY stage`,
    [cutoffs.hold, cutoffs.others, latest, limit],
  );
  return new Map(rows.map((row) => [row.stage, row.n]));
}

/** The resource exists; KEY SHARE keeps it from being deleted until this transaction ends. */
async function resourceExists(tx: SqlTransaction, tenantId: string, resourceId: string): Promise<boolean> {
  const rows = await tx.query('SELECT 1 FROM resources WHERE tenant_id = $1 AND resource_id = $2 FOR KEY SHARE', [tenantId, resourceId]);
  return rows.length > 0;
}

function values(booking: Booking): unknown[] {
  return [
    booking.bookingId,
    booking.tenantId,
    booking.slot.resourceId,
    booking.slot.startsAt,
    booking.slot.endsAt,
    booking.status,
    booking.version.toString(),
    booking.holdExpiresAt,
    booking.customerId,
    booking.customerEmail,
    booking.price.amountMinor.toString(),
    booking.price.currency,
    booking.paymentId,
    booking.authorizedAmount?.amountMinor.toString() ?? null,
    booking.capturedAmount?.amountMinor.toString() ?? null,
    booking.refundAmount?.amountMinor.toString() ?? null,
    booking.deliveredAt,
    booking.confirmedAt,
  ];
}

/**
 * A new booking with the deadline of the stage it starts in and the merchant's refund policy as it
 * is now (the terms the customer books under). An overlapping live booking makes this throw 23P01
 * (the constraint decides).
 */
async function insertBooking(tx: SqlTransaction, booking: Booking, deadline: SagaDeadline | null): Promise<void> {
  await tx.query(
    `INSERT INTO bookings (booking_id, tenant_id, resource_id, starts_at, ends_at, status, version, hold_expires_at, customer_id, customer_email,
       price_minor, currency, payment_id, authorized_minor, captured_minor, refund_minor, delivered_at, confirmed_at, deadline_stage, deadline_at, refund_policy)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
       (SELECT jsonb_build_object('tiers', tiers, 'otherwise_bp', otherwise_bp) FROM refund_policies WHERE tenant_id = $2))`,
    [...values(booking), deadline?.stage ?? null, deadline?.at ?? null],
  );
}

/**
 * The booking's new state; `previousVersion` must still be stored (the row lock guarantees it).
 * `deadline` is the one of the stage the booking is in now: a deadline is fixed when the booking
 * enters a stage, so it replaces the stored one (and forgets any timeout requested for the old
 * stage) only when the stage changes.
 */
async function updateBooking(tx: SqlTransaction, booking: Booking, previousVersion: bigint, deadline: SagaDeadline | null): Promise<void> {
  const rows = await tx.query(
    `UPDATE bookings SET status = $6, version = $7, payment_id = $13, authorized_minor = $14, captured_minor = $15, refund_minor = $16,
       delivered_at = $17, confirmed_at = $18,
       deadline_at = CASE WHEN deadline_stage IS NOT DISTINCT FROM $20::text THEN deadline_at ELSE $21::timestamptz END,
       timeout_requested_at = CASE WHEN deadline_stage IS NOT DISTINCT FROM $20::text THEN timeout_requested_at ELSE NULL END,
       deadline_stage = $20::text, updated_at = now()
     WHERE booking_id = $1 AND version = $19
       AND tenant_id = $2 AND resource_id = $3 AND starts_at = $4 AND ends_at = $5 AND hold_expires_at = $8 AND customer_id = $9
       AND customer_email IS NOT DISTINCT FROM $10 AND price_minor = $11 AND currency = $12
     RETURNING 1`,
    [...values(booking), previousVersion.toString(), deadline?.stage ?? null, deadline?.at ?? null],
  );
  // A miss means the row changed under the lock or an immutable field was altered: a bug.
  if (rows.length !== 1) throw new Error(`booking ${booking.bookingId}: stored version ${previousVersion} not found or immutable fields changed`);
}

/** Why a message changed nothing, next to the inbox row that says it was handled. */
const recordUnapplied = unappliedMessagesIn('booking_id');

const HOLD_SAVEPOINT = 'booking_hold';

function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Inserts the HELD row under a savepoint: true, or false when the exclusion constraint refused it
 * (23P01). The savepoint keeps the rest of the inbox transaction (other messages of the batch) intact.
 */
async function insertIfSlotFree(tx: SqlTransaction, booking: Booking, deadline: SagaDeadline | null): Promise<boolean> {
  await tx.query(`SAVEPOINT ${HOLD_SAVEPOINT}`);
  try {
    await insertBooking(tx, booking, deadline);
  } catch (error) {
    await tx.query(`ROLLBACK TO SAVEPOINT ${HOLD_SAVEPOINT}`);
    if (pgErrorCode(error) === EXCLUSION_VIOLATION) return false;
    throw error;
  }
  await tx.query(`RELEASE SAVEPOINT ${HOLD_SAVEPOINT}`);
  return true;
}

/** Booking's database behind the application's port. */
export const bookingStore: Bookings = {
  lockForUpdate: loadBookingForUpdate,
  lockStoredDeadline,
  refundPolicyOf,
  resourceExists,
  insertIfSlotFree,
  insert: insertBooking,
  update: updateBooking,
  recordUnapplied,
  lockDueHolds,
  lockDueDeadlines,
  markTimeoutRequested,
  countOverdue,
};
