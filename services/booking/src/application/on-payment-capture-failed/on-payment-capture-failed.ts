import { onPaymentCaptureFailed as decideOnCaptureFailure } from '@txn/booking-domain';
import type { Actor, PaymentCaptureFailed } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { BookingDecided } from '../booking-decided';
import { decideOnBooking, type ExistingBookingDeps } from '../existing-booking';

/** PaymentCaptureFailed: cancel; payment voids the authorization by itself, nothing was taken. */
export function onPaymentCaptureFailed(tx: SqlTransaction, fact: PaymentCaptureFailed, deps: ExistingBookingDeps & { readonly serviceActor: Actor }): Promise<BookingDecided> {
  return decideOnBooking(tx, fact, { ...deps, actor: deps.serviceActor }, (booking, ctx) => decideOnCaptureFailure(booking, { paymentId: fact.paymentId }, ctx));
}
