import { onPaymentFailed as decideOnFailure } from '@txn/booking-domain';
import type { Actor, PaymentFailed } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { BookingDecided } from '../booking-decided';
import { decideOnBooking, type ExistingBookingDeps } from '../existing-booking';

/** PaymentFailed: nothing was reserved at the PSP; the held slot is released. */
export function onPaymentFailed(tx: SqlTransaction, fact: PaymentFailed, deps: ExistingBookingDeps & { readonly serviceActor: Actor }): Promise<BookingDecided> {
  return decideOnBooking(tx, fact, { ...deps, actor: deps.serviceActor }, (booking, ctx) => decideOnFailure(booking, { paymentId: fact.paymentId }, ctx));
}
