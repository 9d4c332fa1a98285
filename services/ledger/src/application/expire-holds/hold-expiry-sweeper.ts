import { randomUUID } from 'node:crypto';
import type { Actor } from '@txn/contracts';
import { parseAccountId } from '@txn/ledger-domain';
import { PeriodicWork, type IterationOutcome } from '@txn/service-kit';
import { inTransaction } from '@txn/sql';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { expireHold, lockDueHolds } from '../../persistence/ledger-repository';
import { holdVoided } from '../ledger-events';
import type { LedgerOutcomes } from '../outcomes';

export const SWEEPER_ACTOR: Actor = { type: 'SYSTEM', id: 'ledger-hold-expiry-sweeper' };

/**
 * Expires lapsed authorization holds: every `interval_ms`, up to `batchSize` pending holds whose
 * deadline passed more than `grace_ms` ago, each voided with reason HOLD_EXPIRED (the repository's
 * `expireHold`) and out as HoldVoided, in one transaction per batch. The HoldVoided's event id is
 * the hold's closing event id. Rows are taken FOR UPDATE SKIP LOCKED (instances sweep side by
 * side; a hold a handler is deciding now waits for the next sweep). A full batch sweeps again at
 * once; a failure waits one interval (the database may be down).
 */
export class HoldExpirySweeper {
  private readonly work: PeriodicWork;

  constructor(
    private readonly options: {
      readonly pool: Pool;
      readonly outcomes: LedgerOutcomes;
      readonly logger: Logger;
      readonly producer: string;
      readonly interval_ms: number;
      readonly batchSize: number;
      readonly grace_ms: number;
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

  /** One batch; returns how many holds it looked at (expired or not). */
  async sweepOnce(): Promise<{ readonly due: number; readonly expired: number }> {
    const now = (this.options.now ?? (() => new Date()))();
    return inTransaction(this.options.pool, async (tx) => {
      const due = await lockDueHolds(tx, new Date(now.getTime() - this.options.grace_ms), this.options.batchSize);
      let expired = 0;
      for (const { hold } of due) {
        const eventId = randomUUID();
        const written = await expireHold(tx, hold.holdId, { eventId, now });
        if (written.outcome !== 'applied') {
          // Locked, pending and past its deadline: only corrupt data gets here. Leave it for a person.
          this.options.logger.warn({ holdId: hold.holdId, outcome: written.outcome, reason: written.outcome === 'rejected' ? written.refusal.reason : undefined }, 'hold expiry refused');
          continue;
        }
        const account = parseAccountId(hold.debitAccountId);
        await this.options.outcomes.record(tx, 'HoldExpiry', { outcome: 'applied', events: [holdVoided(written.value.after)] }, {
          eventId,
          producer: this.options.producer,
          actor: SWEEPER_ACTOR,
          correlationId: hold.bookingId ?? hold.holdId,
          tenantId: account.ok ? account.value.tenantId : '',
          causationId: null,
          occurredAt: now,
        });
        expired += 1;
      }
      return { due: due.length, expired };
    });
  }

  private async sweep(): Promise<IterationOutcome> {
    const { due, expired } = await this.sweepOnce();
    if (expired > 0) this.options.logger.info({ expired }, 'expired lapsed holds');
    // Only expirations make a full batch worth an immediate next sweep: refused holds stay due.
    return due >= this.options.batchSize && expired > 0 ? 'more-due' : 'caught-up';
  }
}
