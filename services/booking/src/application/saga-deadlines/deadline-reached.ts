import { onDeadlineReached } from '@txn/booking-domain';
import type { BookingDeadlineReached } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import type { SqlTransaction } from '@txn/sql';
import { changeBooking } from '../change-booking/change-booking';
import type { BookingDecisions, Cause } from '../decisions';
import type { DeadlineMetrics } from './deadline-metrics';

/**
 * BookingDeadlineReached (from the deadline watcher, through booking.commands.v1): lock the
 * booking and let the domain decide by its state now. Still in the named stage: the saga ends
 * (CANCELLED with a full refund, or COMPLETED with delivery presumed), actor = the watcher.
 * Moved on meanwhile: stale, recorded in unapplied_messages like any overtaken message. "Due" is
 * judged by the watcher's clock (the command's occurredAt), not by this consumer's lag.
 */
export async function onBookingDeadlineReached(
  tx: SqlTransaction,
  command: BookingDeadlineReached,
  cause: Cause,
  deps: { readonly decisions: BookingDecisions; readonly metrics: DeadlineMetrics; readonly now: Date },
): Promise<HandlerOutcome> {
  const reached = { stage: command.stage, deadlineAt: command.deadlineAt, reachedAt: command.envelope.occurredAt };
  const outcome = await changeBooking(tx, command, cause, { decisions: deps.decisions, now: deps.now, actor: command.envelope.actor }, (booking, ctx) => onDeadlineReached(booking, reached, ctx));
  if (outcome === 'applied') deps.metrics.timedOut(command.stage);
  return outcome;
}
