import { expire } from '@txn/booking-domain';
import type { Actor } from '@txn/contracts';
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
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly options: {
      readonly pool: Pool;
      readonly decisions: BookingDecisions;
      readonly logger: Logger;
      readonly interval_ms: number;
      readonly batchSize: number;
      readonly now?: () => Date;
    },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
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

  private async run(): Promise<void> {
    while (this.running) {
      let full = false;
      try {
        const expired = await this.sweepOnce();
        full = expired >= this.options.batchSize;
        if (expired > 0) this.options.logger.info({ expired }, 'expired unpaid holds');
      } catch (error) {
        this.options.logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'hold expiry sweep failed; next try after the interval');
      }
      if (!full && this.running) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolvePromise) => {
      this.wake = resolvePromise;
      this.timer = setTimeout(resolvePromise, this.options.interval_ms);
    });
  }
}
