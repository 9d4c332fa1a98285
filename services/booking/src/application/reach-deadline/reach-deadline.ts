import { onDeadlineReached } from '@txn/booking-domain';
import type { BookingDeadlineReached } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { BookingDecided } from '../booking-decided';
import { decideOnBooking, type ExistingBookingDeps } from '../existing-booking';
import type { DeadlineMetrics } from '../watch-deadlines/deadline-metrics';

/**
 * BookingDeadlineReached (from the deadline watcher, through booking.commands.v1): the domain
 * decides by the booking's state now. Still in the named stage: the saga ends (CANCELLED with a
 * full refund, or COMPLETED with delivery presumed), actor = the watcher. Moved on meanwhile:
 * stale, recorded like any overtaken message. Whether the deadline has passed is judged by the
 * deadline stored with the booking (read under the row lock), never by the one the command
 * carries: a command naming another deadline is refused DEADLINE_MISMATCH. "Passed" is judged by
 * the watcher's clock (the command's occurredAt), not by this consumer's lag. A timeout that ends
 * a saga is counted.
 */
export async function reachDeadline(tx: SqlTransaction, command: BookingDeadlineReached, deps: ExistingBookingDeps & { readonly metrics: DeadlineMetrics }): Promise<BookingDecided> {
  const reached = { stage: command.stage, deadlineAt: command.deadlineAt, reachedAt: command.envelope.occurredAt };
  const stored = await deps.bookings.lockStoredDeadline(tx, command.bookingId);
  const decided = await decideOnBooking(tx, command, { ...deps, actor: command.envelope.actor }, (booking, ctx) => onDeadlineReached(booking, stored, reached, ctx));
  // Counted with the decision, in its transaction's lifetime (as the settle path counts it).
  if (decided.decision.outcome === 'applied') deps.metrics.timedOut(command.stage);
  return decided;
}
