import { hold, reject, REJECTION_CODES, requestBooking as received, type BookingDecision, type HoldPolicy, type RejectionCode } from '@txn/booking-domain';
import type { RequestBooking } from '@txn/contracts';
import { sagaDeadline, type DeadlinePolicy } from '@txn/booking-domain';
import { stale } from '@txn/domain-kernel';
import type { SqlTransaction } from '@txn/sql';
import { bookingSubject, type BookingDecided } from '../booking-decided';
import type { Bookings } from '../ports';

/** Reasons written into BookingRejected.reason (the code is the machine-readable part). */
const REJECTION_REASONS: Readonly<Record<RejectionCode, string>> = {
  SLOT_UNAVAILABLE: 'the slot overlaps a live booking of this resource',
  INVALID_SLOT: 'the slot is empty or reversed, or names no resource of this merchant',
  SLOT_IN_PAST: 'the slot starts in the past',
  INVALID_PRICE: 'the price is not a positive amount of a supported currency',
  HOLD_ALREADY_EXPIRED: 'the requested hold deadline has passed',
  NOT_BOOKING_CUSTOMER: 'a customer may request a booking in their own name only',
};

export interface RequestBookingDeps {
  readonly bookings: Bookings;
  readonly holdPolicy: HoldPolicy;
  readonly deadlinePolicy: DeadlinePolicy;
  readonly now: Date;
}

/**
 * RequestBooking: hold the slot or reject the request. Availability is decided by the database:
 * the HELD row is inserted (`insertIfSlotFree`) and the exclusion constraint either accepts it or
 * the request becomes BookingRejected(SLOT_UNAVAILABLE). That insert is the one write a use case
 * makes itself (`inserted`), because no check in code could be trusted against a concurrent hold.
 */
export async function requestBooking(tx: SqlTransaction, command: RequestBooking, deps: RequestBookingDeps): Promise<BookingDecided> {
  const { bookings, now } = deps;
  const tenantId = command.envelope.tenantId;
  const existing = await bookings.lockForUpdate(tx, command.bookingId);
  if (existing !== undefined) {
    return { decision: stale(existing, 'ALREADY_DECIDED'), subject: bookingSubject(existing, existing.bookingId, tenantId), write: { before: existing } };
  }
  const requested = received({ ...command, tenantId }, now, deps.holdPolicy);
  const ctx = { now, actor: command.envelope.actor };
  const rejected = (code: RejectionCode): BookingDecision => reject(requested, code, REJECTION_REASONS[code], ctx);
  const subject = bookingSubject(undefined, requested.bookingId, tenantId);

  let decision: BookingDecision;
  if (!(await bookings.resourceExists(tx, tenantId, requested.slot.resourceId))) {
    decision = rejected(REJECTION_CODES.invalidSlot);
  } else {
    decision = hold(requested, ctx);
    if (decision.outcome === 'refused') decision = rejected(decision.refused as RejectionCode);
  }
  if (decision.outcome === 'applied' && decision.state.status === 'HELD') {
    if (await bookings.insertIfSlotFree(tx, decision.state, sagaDeadline(decision.state, deps.deadlinePolicy))) {
      return { decision, subject, write: { before: undefined, inserted: true } };
    }
    decision = rejected(REJECTION_CODES.slotUnavailable);
  }
  return { decision, subject, write: { before: undefined } };
}
