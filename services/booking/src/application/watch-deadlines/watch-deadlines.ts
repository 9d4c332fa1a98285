import type { BookingDeadlineStage } from '@txn/booking-domain';
import type { Actor } from '@txn/contracts';
import { toPendingEvent, type OutboxWriter } from '@txn/nest-messaging';
import type { IterationOutcome } from '@txn/service-kit';
import type { SqlTransaction, Transactions } from '@txn/sql';
import type { Bookings } from '../ports';
import { deadlineReachedCommand } from './deadline-command';
import type { DeadlineMetrics } from './deadline-metrics';

export const DEADLINE_WATCHER_ACTOR: Actor = { type: 'SYSTEM', id: 'booking-deadline-watcher' };
/** The overdue count stops here: a cheap query however many sagas are stuck; the view lists them all. */
export const MAX_OVERDUE_COUNTED = 10_000;

export interface WatchDeadlinesDeps {
  readonly transactions: Transactions;
  /** For the overdue count, outside any transaction. */
  readonly reads: SqlTransaction;
  readonly bookings: Bookings;
  readonly outbox: OutboxWriter;
  readonly metrics: DeadlineMetrics;
  readonly logger: { info(fields: object, message: string): void };
  /** The envelope's producer: the service name. */
  readonly producer: string;
  readonly batchSize: number;
  /** The watcher's own interval: CAPTURE and COMPLETION count as overdue only after one watch had its chance. */
  readonly interval_ms: number;
  /** The expiry sweeper's interval: HELD bookings count as overdue only after one sweep had its chance. */
  readonly holdSweepInterval_ms: number;
  readonly clock: () => Date;
}

/**
 * Turns passed saga deadlines into timeout commands: up to `batchSize` CONFIRMED bookings past
 * their CAPTURE or COMPLETION deadline with no timeout requested yet (FOR UPDATE SKIP LOCKED,
 * oldest first) get a BookingDeadlineReached command in the outbox and `timeout_requested_at` set,
 * in one transaction, so the command is written exactly when the mark is. Then the overdue gauge
 * is refreshed. Returns how many timeouts it requested. Runs in every instance.
 */
export async function watchDeadlines(deps: WatchDeadlinesDeps): Promise<number> {
  const now = deps.clock();
  const requested = await deps.transactions(async (tx) => {
    const due = await deps.bookings.lockDueDeadlines(tx, now, deps.batchSize);
    const ctx = { now, actor: DEADLINE_WATCHER_ACTOR };
    await deps.outbox.publishAll(
      tx,
      due.map((passed) => toPendingEvent(deadlineReachedCommand(passed, ctx), { producer: deps.producer, tenantId: passed.tenantId, correlationId: passed.bookingId, causationId: null })),
    );
    await deps.bookings.markTimeoutRequested(tx, due.map((passed) => passed.bookingId), now);
    return due;
  });
  if (requested.length > 0) {
    const byStage: Partial<Record<BookingDeadlineStage, number>> = {};
    for (const passed of requested) byStage[passed.stage] = (byStage[passed.stage] ?? 0) + 1;
    deps.logger.info({ requested: requested.length, byStage }, 'requested saga timeouts');
  }
  // A saga counts only once the loop that should have ended it has had its chance.
  const cutoffs = { hold: new Date(now.getTime() - deps.holdSweepInterval_ms), others: new Date(now.getTime() - deps.interval_ms) };
  deps.metrics.setOverdue(await deps.bookings.countOverdue(deps.reads, cutoffs, MAX_OVERDUE_COUNTED));
  return requested.length;
}

/** One watch as periodic work: a full batch watches again at once. */
export async function watchDeadlinesIteration(deps: WatchDeadlinesDeps): Promise<IterationOutcome> {
  return (await watchDeadlines(deps)) >= deps.batchSize ? 'more-due' : 'caught-up';
}
