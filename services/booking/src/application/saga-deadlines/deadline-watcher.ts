import type { BookingDeadlineStage } from '@txn/booking-domain';
import type { Actor } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import { PeriodicWork, type IterationOutcome } from '@txn/service-kit';
import { fromPgClient, inTransaction } from '@txn/sql';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { deadlineReachedCommand } from '../../messaging/events';
import { countOverdue, lockDueDeadlines, markTimeoutRequested } from '../../persistence/bookings';
import type { DeadlineMetrics } from './deadline-metrics';

export const DEADLINE_WATCHER_ACTOR: Actor = { type: 'SYSTEM', id: 'booking-deadline-watcher' };
/** The overdue count stops here: a cheap query however many sagas are stuck; the view lists them all. */
export const MAX_OVERDUE_COUNTED = 10_000;

/**
 * Turns passed saga deadlines into timeout events. Every `interval_ms`, up to `batchSize` CONFIRMED
 * bookings past their CAPTURE or COMPLETION deadline with no timeout requested yet (`FOR UPDATE
 * SKIP LOCKED`, oldest first) get a BookingDeadlineReached command in the outbox and
 * `timeout_requested_at` set, in one transaction: the command is written exactly when the mark is.
 * The watcher decides nothing: booking consumes the command like any other and lets the domain
 * decide by the booking's state then (applied, or stale when the saga moved on meanwhile). A full
 * batch watches again at once; a failure waits one interval. Runs in every instance.
 *
 * After each batch it refreshes `booking_sagas_overdue`: bookings past their deadline by more than
 * the interval of the loop that acts on the stage (the expiry sweeper's for HOLD, its own for the
 * others), so a saga counts only once the loop that should have ended it has had its chance.
 */
export class DeadlineWatcher {
  private readonly work: PeriodicWork;

  constructor(
    private readonly options: {
      readonly pool: Pool;
      readonly events: EventPublisher;
      readonly metrics: DeadlineMetrics;
      readonly logger: Logger;
      /** The envelope's producer: the service name. */
      readonly producer: string;
      readonly interval_ms: number;
      readonly batchSize: number;
      /** The expiry sweeper's interval: HELD bookings count as overdue only after one sweep had its chance. */
      readonly holdSweepInterval_ms: number;
      readonly now?: () => Date;
    },
  ) {
    this.work = new PeriodicWork({
      interval_ms: options.interval_ms,
      iteration: () => this.watch(),
      logger: options.logger,
      failureMessage: 'saga deadline watch failed; next try after the interval',
    });
  }

  start(): void {
    this.work.start();
  }

  stop(): Promise<void> {
    return this.work.stop();
  }

  /** One batch of timeout requests, then the overdue gauge; returns how many timeouts it requested. */
  async watchOnce(): Promise<number> {
    const { pool, events, producer, batchSize } = this.options;
    const now = (this.options.now ?? (() => new Date()))();
    const requested = await inTransaction(pool, async (tx) => {
      const due = await lockDueDeadlines(tx, now, batchSize);
      await events.publishAll(tx, due.map((passed) => deadlineReachedCommand(passed, { producer, actor: DEADLINE_WATCHER_ACTOR, now })));
      await markTimeoutRequested(tx, due.map((passed) => passed.bookingId), now);
      return due;
    });
    if (requested.length > 0) {
      const byStage: Partial<Record<BookingDeadlineStage, number>> = {};
      for (const passed of requested) byStage[passed.stage] = (byStage[passed.stage] ?? 0) + 1;
      this.options.logger.info({ requested: requested.length, byStage }, 'requested saga timeouts');
    }
    await this.refreshOverdue(now);
    return requested.length;
  }

  private async refreshOverdue(now: Date): Promise<void> {
    const cutoffs = {
      hold: new Date(now.getTime() - this.options.holdSweepInterval_ms),
      others: new Date(now.getTime() - this.options.interval_ms),
    };
    // One read, no transaction needed.
    this.options.metrics.setOverdue(await countOverdue(fromPgClient(this.options.pool), cutoffs, MAX_OVERDUE_COUNTED));
  }

  private async watch(): Promise<IterationOutcome> {
    const requested = await this.watchOnce();
    return requested >= this.options.batchSize ? 'more-due' : 'caught-up';
  }
}
