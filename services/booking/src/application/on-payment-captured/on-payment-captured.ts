import { onPaymentCaptured as decideOnCapture } from '@txn/booking-domain';
import type { Actor, PaymentCaptured } from '@txn/contracts';
import { refused } from '@txn/domain-kernel';
import { isCurrencyCode, money } from '@txn/money';
import type { SqlTransaction } from '@txn/sql';
import type { BookingDecided } from '../booking-decided';
import { decideOnBooking, type ExistingBookingDeps } from '../existing-booking';

/** PaymentCaptured: escrow is funded, so the booking may complete (no status change, no event). */
export function onPaymentCaptured(tx: SqlTransaction, fact: PaymentCaptured, deps: ExistingBookingDeps & { readonly serviceActor: Actor }): Promise<BookingDecided> {
  return decideOnBooking(tx, fact, { ...deps, actor: deps.serviceActor }, (booking, ctx) => {
    if (!isCurrencyCode(fact.capturedAmount.currency)) return refused(booking, 'UNSUPPORTED_CURRENCY');
    return decideOnCapture(booking, { paymentId: fact.paymentId, capturedAmount: money(fact.capturedAmount.amountMinor, fact.capturedAmount.currency) }, ctx);
  });
}
