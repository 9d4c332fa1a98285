import { randomUUID } from 'node:crypto';
import type { Actor } from '@txn/contracts';
import { parseAccountId } from '@txn/ledger-domain';
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
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

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

  private async run(): Promise<void> {
    while (this.running) {
      let full = false;
      try {
        const { due, expired } = await this.sweepOnce();
        // Only expirations make a full batch worth an immediate next sweep: refused holds stay due.
        full = due >= this.options.batchSize && expired > 0;
        if (expired > 0) this.options.logger.info({ expired }, 'expired lapsed holds');
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
