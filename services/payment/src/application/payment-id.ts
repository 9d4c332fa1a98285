import { uuidV5 } from '@txn/domain-kernel';

/** Our own UUID namespace for payment ids (random, fixed for ever: changing it re-keys every payment). */
export const PAYMENT_ID_NAMESPACE = '6f1d3c2e-8a4b-5c7d-9e0f-1a2b3c4d5e6f';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The payment of a booking: a UUID v5 (RFC 9562) of the booking id. Deterministic, so a
 * redelivered or replayed BookingHeld finds the payment it created instead of making another,
 * and every PSP idempotency key derived from it is the same too. One payment per booking.
 */
export function paymentIdOf(bookingId: string): string {
  if (!UUID.test(bookingId)) throw new RangeError(`booking id "${bookingId}" is not a UUID`);
  return uuidV5(PAYMENT_ID_NAMESPACE, bookingId.toLowerCase());
}
