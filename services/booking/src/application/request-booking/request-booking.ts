import { hold, reject, REJECTION_CODES, requestBooking, type Booking, type BookingDecision, type HoldPolicy, type RejectionCode } from '@txn/booking-domain';
import type { RequestBooking } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import type { SqlTransaction } from '@txn/sql';
import type { BookingDecisions, Cause } from '../decisions';
import { EXCLUSION_VIOLATION, insertBooking, loadBookingForUpdate, resourceExists } from '../../persistence/bookings';

const HOLD_SAVEPOINT = 'booking_hold';

/** Reasons written into BookingRejected.reason (the code is the machine-readable part). */
const REJECTION_REASONS: Readonly<Record<RejectionCode, string>> = {
  SLOT_UNAVAILABLE: 'the slot overlaps a live booking of this resource',
  INVALID_SLOT: 'the slot is empty or reversed, or names no resource of this merchant',
  SLOT_IN_PAST: 'the slot starts in the past',
  INVALID_PRICE: 'the price is not a positive amount of a supported currency',
  HOLD_ALREADY_EXPIRED: 'the requested hold deadline has passed',
};

function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * RequestBooking: hold the slot or reject the request. Availability is decided by the database:
 * the HELD row is inserted under a savepoint and the exclusion constraint either accepts it or
 * raises 23P01, which becomes BookingRejected(SLOT_UNAVAILABLE). The savepoint keeps the rest of
 * the inbox transaction (other messages of the batch) intact. No check-then-insert in code.
 */
export async function onRequestBooking(
  tx: SqlTransaction,
  command: RequestBooking,
  cause: Cause,
  deps: { readonly decisions: BookingDecisions; readonly holdPolicy: HoldPolicy; readonly now: Date },
): Promise<HandlerOutcome> {
  const { decisions, now } = deps;
  const existing = await loadBookingForUpdate(tx, command.bookingId);
  if (existing !== undefined) {
    return decisions.unapplied(tx, { bookingId: existing.bookingId, status: existing.status, outcome: 'stale', reason: 'ALREADY_DECIDED' }, cause, 'RequestBooking');
  }
  const requested = requestBooking({ ...command, tenantId: command.envelope.tenantId }, now, deps.holdPolicy);
  const ctx = { now, actor: command.envelope.actor };
  const rejected = (code: RejectionCode): BookingDecision => reject(requested, code, REJECTION_REASONS[code], ctx);

  let decision: BookingDecision;
  if (!(await resourceExists(tx, requested.tenantId, requested.slot.resourceId))) {
    decision = rejected(REJECTION_CODES.invalidSlot);
  } else {
    decision = hold(requested, ctx);
    if (decision.outcome === 'refused') decision = rejected(decision.refused as RejectionCode);
  }
  if (decision.outcome === 'applied' && decision.state.status === 'HELD') {
    const held = await tryHold(tx, decision.state, decisions);
    if (held === 'applied') return decisions.settle(tx, decision, { before: undefined, cause, messageType: 'RequestBooking', inserted: true });
    decision = rejected(REJECTION_CODES.slotUnavailable);
  }
  return decisions.settle(tx, decision, { before: undefined, cause, messageType: 'RequestBooking' });
}

/** Inserts the HELD row under a savepoint: 'applied', or 'unavailable' when the constraint refused it. */
async function tryHold(tx: SqlTransaction, booking: Booking, decisions: BookingDecisions): Promise<'applied' | 'unavailable'> {
  await tx.query(`SAVEPOINT ${HOLD_SAVEPOINT}`);
  try {
    await insertBooking(tx, booking, decisions.deadlineOf(booking));
  } catch (error) {
    await tx.query(`ROLLBACK TO SAVEPOINT ${HOLD_SAVEPOINT}`);
    if (pgErrorCode(error) === EXCLUSION_VIOLATION) return 'unavailable';
    throw error;
  }
  await tx.query(`RELEASE SAVEPOINT ${HOLD_SAVEPOINT}`);
  return 'applied';
}
