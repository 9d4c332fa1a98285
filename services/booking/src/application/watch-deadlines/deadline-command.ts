import type { BookingDeadlineReached } from '@txn/contracts';
import type { DomainEvent, IntentContext } from '@txn/domain-kernel';
import type { DueDeadline } from '../ports';

/**
 * BookingDeadlineReached, the timeout as a command to booking itself (on booking.commands.v1,
 * keyed by the booking, after any command for it already written): version = the one the watcher
 * saw, no cause (the clock is the cause). It decides nothing: booking decides when it consumes it.
 */
export function deadlineReachedCommand(passed: DueDeadline, ctx: IntentContext): DomainEvent<'BookingDeadlineReached', Omit<BookingDeadlineReached, 'envelope'>> {
  return {
    eventType: 'BookingDeadlineReached',
    aggregateId: passed.bookingId,
    aggregateVersion: passed.version,
    occurredAt: ctx.now,
    actor: ctx.actor,
    payload: { bookingId: passed.bookingId, stage: passed.stage, deadlineAt: passed.deadlineAt, statusSeen: passed.status },
  };
}
