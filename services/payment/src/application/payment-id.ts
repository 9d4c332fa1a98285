import { createHash } from 'node:crypto';

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
  const namespace = Buffer.from(PAYMENT_ID_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(bookingId.toLowerCase(), 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
