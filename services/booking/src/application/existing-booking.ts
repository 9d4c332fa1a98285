import type { Booking, BookingDecision } from '@txn/booking-domain';
import { refusal, type IntentContext } from '@txn/domain-kernel';
import type { SqlTransaction } from '@txn/sql';
import { bookingSubject, type BookingDecided } from './booking-decided';
import type { Bookings } from './ports';

/** What a use case on an existing booking is given. */
export interface ExistingBookingDeps {
  readonly bookings: Bookings;
  readonly now: Date;
}

/**
 * The shape of every use case on an existing booking: lock the row, check it belongs to the
 * message's tenant, let the domain decide. A booking of another merchant is answered like an
 * unknown one, so nothing about it leaks.
 */
export async function decideOnBooking(
  tx: SqlTransaction,
  message: { readonly envelope: { readonly tenantId: string }; readonly bookingId: string },
  deps: ExistingBookingDeps & { readonly actor: IntentContext['actor'] },
  decide: (booking: Booking, ctx: IntentContext) => BookingDecision,
): Promise<BookingDecided> {
  const { bookingId } = message;
  const booking = await deps.bookings.lockForUpdate(tx, bookingId);
  if (booking === undefined || booking.tenantId !== message.envelope.tenantId) {
    return { decision: refusal('UNKNOWN_BOOKING', `no booking ${bookingId} of this merchant`), subject: bookingSubject(undefined, bookingId, message.envelope.tenantId), write: { before: undefined } };
  }
  const decision = decide(booking, { now: deps.now, actor: deps.actor });
  return { decision, subject: bookingSubject(booking, bookingId, booking.tenantId), write: { before: booking } };
}
