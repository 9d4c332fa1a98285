import { onPaymentAuthorized as decideOnAuthorization } from '@txn/booking-domain';
import type { Actor, PaymentAuthorized } from '@txn/contracts';
import { refused } from '@txn/domain-kernel';
import { isCurrencyCode, money } from '@txn/money';
import type { SqlTransaction } from '@txn/sql';
import type { BookingDecided } from '../booking-decided';
import { decideOnBooking, type ExistingBookingDeps } from '../existing-booking';

/**
 * PaymentAuthorized: confirm, or expire when it came after the hold. "In time" is judged by when
 * the authorization happened (`authorizedAt`, the PSP's time as payment learned it), not by this
 * consumer's lag nor by when payment heard of it (a PSP query can learn it much later). Events
 * written before `authorizedAt` existed carry null: then when payment recorded it (occurredAt).
 */
export function onPaymentAuthorized(tx: SqlTransaction, fact: PaymentAuthorized, deps: ExistingBookingDeps & { readonly serviceActor: Actor }): Promise<BookingDecided> {
  return decideOnBooking(tx, fact, { ...deps, actor: deps.serviceActor }, (booking, ctx) => {
    if (!isCurrencyCode(fact.authorizedAmount.currency)) return refused(booking, 'UNSUPPORTED_CURRENCY');
    const authorizedAmount = money(fact.authorizedAmount.amountMinor, fact.authorizedAmount.currency);
    const authorizedAt = fact.authorizedAt ?? fact.envelope.occurredAt;
    return decideOnAuthorization(booking, { paymentId: fact.paymentId, authorizedAmount, authorizedAt }, ctx);
  });
}
