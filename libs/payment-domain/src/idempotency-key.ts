import type { PspOperation } from '@txn/contracts';

/** Stripe accepts idempotency keys of up to 255 characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Our payment ids are UUIDs; anything else could make two keys collide (an `_` in an id). */
const PAYMENT_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The PSP idempotency key of one call: `pay_<paymentId>_<operation>[_<n>]`. Derived, never
 * random, so a retry of the same operation after a timeout or a crash sends the same key and the
 * PSP answers with the first call's result instead of charging again. `n` numbers the calls of an
 * operation a payment may make several times (refund 1, refund 2, ...); it is fixed when the call
 * is first requested and stored with it.
 */
export function pspIdempotencyKey(paymentId: string, operation: PspOperation, n?: number): string {
  if (!PAYMENT_ID_PATTERN.test(paymentId)) throw new RangeError(`payment id "${paymentId}" is not a key-safe id`);
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) throw new RangeError(`call number ${n} must be a positive integer`);
  const key = `pay_${paymentId}_${operation.toLowerCase()}${n === undefined ? '' : `_${n}`}`;
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw new RangeError(`idempotency key longer than ${MAX_IDEMPOTENCY_KEY_LENGTH}`);
  return key;
}
