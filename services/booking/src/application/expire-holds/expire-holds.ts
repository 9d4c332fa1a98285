import { expireLapsedHold, type BookingDecision } from '@txn/booking-domain';
import type { Actor } from '@txn/contracts';
import type { DecisionSettler } from '@txn/nest-messaging';
import type { IterationOutcome } from '@txn/service-kit';
import type { Transactions } from '@txn/sql';
import { bookingSubject, type BookingWrite } from '../booking-decided';
import type { Bookings } from '../ports';

export const SWEEPER_ACTOR: Actor = { type: 'SYSTEM', id: 'booking-expiry-sweeper' };

export interface ExpireHoldsDeps {
  readonly transactions: Transactions;
  readonly bookings: Bookings;
  readonly settler: DecisionSettler<BookingDecision, BookingWrite>;
  readonly batchSize: number;
  readonly clock: () => Date;
}

/**
 * Expires unpaid holds: up to `batchSize` HELD bookings whose stored HOLD deadline has passed (the
 * hold's expiry plus the grace fixed when it was held: an authorization made in time may still be
 * on its way), each through the domain's `expireLapsedHold` and settled like any decision (out as
 * BookingExpired), in one transaction per batch. Rows are taken FOR UPDATE SKIP LOCKED: instances
 * sweep side by side without waiting on each other, and a booking a handler is deciding right now
 * is left for the next sweep. Returns how many it expired.
 */
export async function expireDueHolds(deps: ExpireHoldsDeps): Promise<number> {
  const now = deps.clock();
  return deps.transactions(async (tx) => {
    const due = await deps.bookings.lockDueHolds(tx, now, deps.batchSize);
    let expired = 0;
    for (const { booking, deadline } of due) {
      const decision = expireLapsedHold(booking, deadline, { now, actor: SWEEPER_ACTOR });
      const decided = { decision, subject: bookingSubject(booking, booking.bookingId, booking.tenantId), write: { before: booking } };
      if ((await deps.settler.settle(tx, decided, undefined, { messageType: 'HoldExpiry' })) === 'applied') expired += 1;
    }
    return expired;
  });
}

/** One sweep as periodic work: a full batch sweeps again at once. */
export async function expireHoldsIteration(deps: ExpireHoldsDeps & { readonly logger: { info(fields: object, message: string): void } }): Promise<IterationOutcome> {
  const expired = await expireDueHolds(deps);
  if (expired > 0) deps.logger.info({ expired }, 'expired unpaid holds');
  return expired >= deps.batchSize ? 'more-due' : 'caught-up';
}
