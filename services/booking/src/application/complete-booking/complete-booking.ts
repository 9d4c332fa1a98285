import { complete } from '@txn/booking-domain';
import type { CompleteBooking } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { BookingDecided } from '../booking-decided';
import { decideOnBooking, type ExistingBookingDeps } from '../existing-booking';

/** CompleteBooking: the service was delivered; only a captured booking completes. */
export function completeBooking(tx: SqlTransaction, command: CompleteBooking, deps: ExistingBookingDeps): Promise<BookingDecided> {
  return decideOnBooking(tx, command, { ...deps, actor: command.envelope.actor }, (booking, ctx) => complete(booking, { deliveredAt: command.deliveredAt, reason: command.reason }, ctx));
}
