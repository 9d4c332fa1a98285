import type { Booking } from './booking';
import { MAX_HOLD_MS } from './hold-policy';

/*
 * The race between a hold running out and the customer's authorization is decided by when the
 * authorization happened at the PSP, never by when booking hears of it: consumer lag, or payment
 * learning the outcome late from a PSP query, must not cost a customer who paid in time the booking.
 *
 * - An authorization at or before `holdExpiresAt` confirms a booking that is still HELD, however
 *   late it is consumed; one after it expires the booking (payment then voids it), even before the
 *   sweeper has run.
 * - The expiry sweeper acts only at the HOLD stage's deadline, `holdExpiresAt + grace`, fixed when
 *   the booking is held. The grace is the consumer lag tolerated: an authorization made in time and
 *   consumed within it finds its booking still held. One consumed later finds it expired and is
 *   voided: a slot nobody paid for cannot stay blocked forever.
 */

/** The ledger's hold-expiry grace has the same default (LEDGER_HOLD_EXPIRY_GRACE_MS): the lag tolerated on the same payment events. */
export const DEFAULT_HOLD_EXPIRY_GRACE_MS = 15 * 60_000;
/** During the grace the slot stays blocked for other customers: never longer than the longest hold. */
export const MAX_HOLD_EXPIRY_GRACE_MS = MAX_HOLD_MS;

/** The authorization happened in time: at or before the hold's expiry. */
export function authorizedWithinHold(booking: Pick<Booking, 'holdExpiresAt'>, authorizedAt: Date): boolean {
  return authorizedAt.getTime() <= booking.holdExpiresAt.getTime();
}

/** The end of the HOLD stage: the hold's expiry plus the grace for an authorization still on its way. */
export function holdStageDeadline(booking: Pick<Booking, 'holdExpiresAt'>, grace_ms: number): Date {
  return new Date(booking.holdExpiresAt.getTime() + grace_ms);
}
