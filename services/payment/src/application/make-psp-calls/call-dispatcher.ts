import { PeriodicWork, type IterationOutcome } from '@txn/service-kit';
import { Counter, Gauge } from 'prom-client';
import { paymentSubject } from '../payment-decided';
import type { CallWakeups, ClaimedCall, PspCalls } from '../ports';
import type { PspWorkDeps } from '../psp-work';
import { makeCall } from './make-call';

/** A request the PSP refused as malformed is tried again this much later (a fix may be deployed)… */
export const INVALID_REQUEST_RETRY_MS = 10 * 60_000;
/** …and parked for a person after this many attempts. */
export const MAX_CALL_ATTEMPTS = 10;

export interface DispatcherOptions extends PspWorkDeps {
  readonly calls: PspCalls;
  readonly wakeups: CallWakeups;
  readonly interval_ms: number;
  /** Most calls in flight at once (claimed and not yet recorded); a claim takes only the free slots. */
  readonly batchSize: number;
}

/**
 * Makes the PSP calls decisions asked for, after the transaction that asked committed, as a
 * bounded pipeline: up to `batchSize` calls in flight, and each slot that frees up is filled by
 * the next claim at once, so a slow call holds back only its own slot, not the calls behind it
 * (waiting for a whole batch halved saga throughput on a slow PSP: docs/decisions/0012). Woken
 * after every commit that adds calls, and every `interval_ms` regardless, which also picks up
 * calls left by a crash (same key, so the PSP answers instead of acting twice). Each call: claim
 * (commit; the lease makes it ours until it ends), call the PSP (no transaction open), settle the
 * answer through the domain in a second transaction that also removes the call from the list.
 */
export class PspCallDispatcher {
  private readonly work: PeriodicWork;
  private readonly callsMade: Counter<'operation' | 'outcome'>;
  private readonly inFlightGauge: Gauge;
  /** Calls claimed and not yet finished; never more than `batchSize`. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new Error(`PSP call dispatcher: batchSize must be an integer ≥ 1, got ${options.batchSize}`);
    this.callsMade = new Counter({
      name: 'payment_psp_calls_total',
      help: 'PSP calls made by the dispatcher, by operation and outcome (recorded, invalid_request, parked, error).',
      labelNames: ['operation', 'outcome'],
      registers: [options.metrics],
    });
    this.inFlightGauge = new Gauge({
      name: 'payment_psp_calls_in_flight',
      help: 'PSP calls claimed by this dispatcher and not yet recorded (bounded by PAYMENT_CALL_BATCH_SIZE).',
      registers: [options.metrics],
      collect: () => this.inFlightGauge.set(this.inFlight.size),
    });
    this.work = new PeriodicWork({
      interval_ms: options.interval_ms,
      iteration: async () => {
        await options.wakeups.listen(() => this.work.wake());
        return this.fillSlots();
      },
      logger: options.logger,
      failureMessage: 'PSP call sweep failed; next try after the interval',
    });
  }

  start(): void {
    this.work.start();
  }

  /** Stops claiming, then waits for the calls in flight to be recorded (or to fail and keep their lease). */
  async stop(): Promise<void> {
    await this.work.stop();
    await Promise.all(this.inFlight);
    await this.options.wakeups.stop();
  }

  /**
   * One step of the pipeline: when every slot is taken, waits for one to free up; then claims
   * at most the free slots and starts those calls without waiting for them. 'more-due' when the
   * claim filled every free slot (more may be waiting: claim again as soon as a slot frees),
   * 'caught-up' when it found fewer (wait for a wake-up or the interval).
   */
  private async fillSlots(): Promise<IterationOutcome> {
    if (this.inFlight.size >= this.options.batchSize) await Promise.race(this.inFlight);
    const free = this.options.batchSize - this.inFlight.size;
    const now = this.options.clock();
    const claimed = await this.options.transactions((tx) => this.options.calls.claim(tx, now, free, this.options.lease_ms));
    for (const call of claimed) {
      // execute() never rejects: a failure is logged and the call waits for its lease to end.
      const running: Promise<void> = this.execute(call).finally(() => this.inFlight.delete(running));
      this.inFlight.add(running);
    }
    return claimed.length >= free ? 'more-due' : 'caught-up';
  }

  private async execute(claimed: ClaimedCall): Promise<void> {
    const { call, paymentId } = claimed;
    const { logger, transactions, payments } = this.options;
    const log = { paymentId, operation: call.operation, idempotencyKey: call.idempotencyKey, attempt: claimed.attempts };
    try {
      const stored = await transactions((tx) => payments.lockForUpdate(tx, paymentId));
      if (stored === undefined) throw new Error(`payment ${paymentId} of call ${call.idempotencyKey} does not exist`);
      const answer = await makeCall(this.options.psp, stored, call);
      if (typeof answer !== 'function') {
        const park = claimed.attempts >= MAX_CALL_ATTEMPTS;
        logger.error({ ...log, status: answer.status, code: answer.code, error: answer.message, parked: park }, 'the PSP refused our request as malformed: a bug; the call waits for a fix');
        const retryAt = new Date(this.options.clock().getTime() + INVALID_REQUEST_RETRY_MS);
        await transactions((tx) => this.options.calls.defer(tx, call.idempotencyKey, `${answer.status ?? ''} ${answer.code ?? ''} ${answer.message}`, retryAt, park));
        this.callsMade.inc({ operation: call.operation, outcome: park ? 'parked' : 'invalid_request' });
        return;
      }
      const outcome = await transactions(async (tx) => {
        const current = await payments.lockForUpdate(tx, paymentId);
        if (current === undefined) throw new Error(`payment ${paymentId} vanished`);
        // First: the decision may ask for this very call again (same key), which re-adds it.
        await this.options.calls.complete(tx, call.idempotencyKey);
        const decision = answer(current, { now: this.options.clock(), actor: this.options.actor });
        const decided = { decision, subject: paymentSubject(current.payment, current.payment), write: { before: current } };
        return this.options.settler.settle(tx, decided, undefined, { messageType: `PSP_${call.operation}`, causationId: claimed.causedByEventId });
      });
      this.callsMade.inc({ operation: call.operation, outcome: 'recorded' });
      logger.info({ ...log, outcome }, 'PSP call answered and recorded');
    } catch (error) {
      // Database or bug: the call stays claimed until its lease ends, then is made again (same key).
      this.callsMade.inc({ operation: call.operation, outcome: 'error' });
      logger.warn({ ...log, errorClass: (error as Error).name, error: (error as Error).message }, 'PSP call not recorded; it is made again after its lease');
    }
  }
}
