import { expire } from '@txn/booking-domain';
import type { Actor } from '@txn/contracts';
import { PeriodicWork, type IterationOutcome } from '@txn/service-kit';
import { inTransaction } from '@txn/sql';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { BookingDecisions } from '../decisions';
import { lockDueHolds } from '../../persistence/bookings';

export const SWEEPER_ACTOR: Actor = { type: 'SYSTEM', id: 'booking-expiry-sweeper' };

/**
 * Expires unpaid holds: every `interval_ms`, up to `batchSize` HELD bookings past their deadline,
 * each through the domain's `expire` and out as BookingExpired, in one transaction per batch.
 * Rows are taken FOR UPDATE SKIP LOCKED: instances sweep side by side without waiting on each
 * other, and a booking a handler is deciding right now is left for the next sweep. A full batch
 * sweeps again at once; a failure waits one interval (the database may be down).
 */
export class ExpirySweeper {
  private readonly work: PeriodicWork;

  constructor(
    private readonly options: {
      readonly pool: Pool;
      readonly decisions: BookingDecisions;
      readonly logger: Logger;
      readonly interval_ms: number;
      readonly batchSize: number;
      readonly now?: () => Date;
    },
  ) {
    this.work = new PeriodicWork({
      interval_ms: options.interval_ms,
      iteration: () => this.sweep(),
      logger: options.logger,
      failureMessage: 'hold expiry sweep failed; next try after the interval',
    });
  }

  start(): void {
    this.work.start();
  }

  stop(): Promise<void> {
    return this.work.stop();
  }

  /** One batch; returns how many holds it expired. */
  async sweepOnce(): Promise<number> {
    const now = (this.options.now ?? (() => new Date()))();
    return inTransaction(this.options.pool, async (tx) => {
      const due = await lockDueHolds(tx, now, this.options.batchSize);
      let expired = 0;
      for (const booking of due) {
        const outcome = await this.options.decisions.settle(tx, expire(booking, { now, actor: SWEEPER_ACTOR }), { before: booking, cause: undefined, messageType: 'HoldExpiry' });
        if (outcome === 'applied') expired += 1;
      }
      return expired;
    });
  }

  private async sweep(): Promise<IterationOutcome> {
    const expired = await this.sweepOnce();
    if (expired > 0) this.options.logger.info({ expired }, 'expired unpaid holds');
    return expired >= this.options.batchSize ? 'more-due' : 'caught-up';
  }
}
