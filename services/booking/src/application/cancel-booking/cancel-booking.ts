import { assertValidRefundPolicy, cancel, cancelledByOf, DEFAULT_REFUND_POLICY } from '@txn/booking-domain';
import type { CancelBooking } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { BookingDecided } from '../booking-decided';
import { decideOnBooking, type ExistingBookingDeps } from '../existing-booking';

/**
 * CancelBooking: cancel by the terms the customer booked under (fixed at booking; no lock needed
 * for them). A stored policy that breaks the policy rules throws: the cancellation is retried, then
 * parked for a person, because refunding by a guess moves money.
 */
export async function cancelBooking(tx: SqlTransaction, command: CancelBooking, deps: ExistingBookingDeps): Promise<BookingDecided> {
  const actor = command.envelope.actor;
  const stored = await deps.bookings.refundPolicyOf(tx, command.bookingId);
  if (stored !== null) assertValidRefundPolicy(stored);
  const refundPolicy = stored ?? DEFAULT_REFUND_POLICY;
  return decideOnBooking(tx, command, { ...deps, actor }, (booking, ctx) => cancel(booking, { reason: command.reason, cancelledBy: cancelledByOf(actor), refundPolicy }, ctx));
}
