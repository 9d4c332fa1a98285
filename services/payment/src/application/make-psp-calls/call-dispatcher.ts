import { SpanStatusCode, trace } from '@opentelemetry/api';
import { restoreTraceContext } from '@txn/outbox';
import { nextAttemptAfter, type CallFailure, type CallRetryPolicy } from '@txn/payment-domain';
import { PeriodicWork, type IterationOutcome } from '@txn/service-kit';
import { Counter, Gauge, Histogram } from 'prom-client';
import { paymentSubject } from '../payment-decided';
import type { CallWakeups, ClaimedCall, PspCalls } from '../ports';
import type { PspWorkDeps } from '../psp-work';
import { makeCall, type Recorder } from './make-call';

/** Calls parked per claim for having exhausted their attempts without a recorded outcome (crashes); the rest wait for the next claim. */
const EXHAUSTED_PER_CLAIM = 16;
/** Why a call parked at claim time was parked (its row's last_error). */
const EXHAUSTED_ERROR = 'its last attempt ended without an outcome recorded (the process stopped mid-call)';
/** Around the PSP's own latency (tens of ms when healthy) up to the call timeout. */
const PSP_CALL_BUCKETS_S = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** What is kept of an attempt's error on the call row and in logs. */
const MAX_ERROR_LENGTH = 1_000;

export interface DispatcherOptions extends PspWorkDeps {
  readonly calls: PspCalls;
  readonly wakeups: CallWakeups;
  readonly interval_ms: number;
  /** Most calls in flight at once (claimed and not yet recorded); a claim takes only the free slots. */
  readonly batchSize: number;
  /** How often a call is made before it is parked, and how long apart (payment-domain's call-retries). */
  readonly retryPolicy: CallRetryPolicy;
}

type Outcome = 'recorded' | 'invalid_request' | 'error' | 'parked';

const tracer = trace.getTracer('@txn/payment');


function messageOf(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_LENGTH);
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
 *
 * Nothing is retried forever (docs/decisions/0022): every failure of an attempt, whatever it is,
 * counts, and the call is made again after a growing delay; after `retryPolicy.maxAttempts` it is
 * parked on its row (never claimed again), its payment flagged for a person, logged at error and
 * counted. An attempt whose process died mid-call counts too (the claim counts attempts): once its
 * lease ends with no attempt left, it is parked instead of made again.
 */
export class PspCallDispatcher {
  private readonly work: PeriodicWork;
  private readonly callsMade: Counter<'operation' | 'outcome'>;
  private readonly inFlightGauge: Gauge;
  private readonly callDuration: Histogram<'operation' | 'answer'>;
  /** Calls claimed and not yet finished; never more than `batchSize`. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new Error(`PSP call dispatcher: batchSize must be an integer ≥ 1, got ${options.batchSize}`);
    this.callsMade = new Counter({
      name: 'payment_psp_calls_total',
      help: 'PSP call attempts by the dispatcher, by operation and outcome (recorded; invalid_request and error: made again later; parked: never again).',
      labelNames: ['operation', 'outcome'],
      registers: [options.metrics],
    });
    this.inFlightGauge = new Gauge({
      name: 'payment_psp_calls_in_flight',
      help: 'PSP calls claimed by this dispatcher and not yet recorded (bounded by PAYMENT_CALL_BATCH_SIZE).',
      registers: [options.metrics],
      collect: () => this.inFlightGauge.set(this.inFlight.size),
    });
    this.callDuration = new Histogram({
      name: 'payment_psp_call_duration_seconds',
      help: 'Duration of the PSP request itself (no database work), by operation and what came of it (recorded: an answer, a decline or an unknown outcome to record; refused: the PSP refused the request as malformed).',
      labelNames: ['operation', 'answer'],
      buckets: PSP_CALL_BUCKETS_S,
      registers: [options.metrics],
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
   * One step of the pipeline: when every slot is taken, waits for one to free up; then parks the
   * calls that ran out of attempts and claims at most the free slots, starting those calls without
   * waiting for them. 'more-due' when the claim filled every free slot (more may be waiting: claim
   * again as soon as a slot frees), 'caught-up' when it found fewer (wait for a wake-up or the interval).
   */
  private async fillSlots(): Promise<IterationOutcome> {
    if (this.inFlight.size >= this.options.batchSize) await Promise.race(this.inFlight);
    const free = this.options.batchSize - this.inFlight.size;
    const now = this.options.clock();
    const { calls, lease_ms, retryPolicy } = this.options;
    const { exhausted, claimed } = await this.options.transactions(async (tx) => ({
      exhausted: await calls.parkExhausted(tx, now, retryPolicy.maxAttempts, EXHAUSTED_PER_CLAIM, EXHAUSTED_ERROR),
      claimed: await calls.claim(tx, now, free, lease_ms, retryPolicy.maxAttempts),
    }));
    for (const call of exhausted) {
      await this.afterParking(call, EXHAUSTED_ERROR);
      this.callsMade.inc({ operation: call.call.operation, outcome: 'parked' });
    }
    for (const call of claimed) {
      // execute() never rejects: a failure is counted and the call made again later, or parked.
      const running: Promise<void> = this.execute(call).finally(() => this.inFlight.delete(running));
      this.inFlight.add(running);
    }
    return claimed.length >= free ? 'more-due' : 'caught-up';
  }

  private logFields(claimed: ClaimedCall): Record<string, unknown> {
    return { paymentId: claimed.paymentId, operation: claimed.call.operation, idempotencyKey: claimed.call.idempotencyKey, attempts: claimed.attempts };
  }

  /**
   * One attempt in a span of the trace that asked for the call: the PSP's HTTP request and the
   * recording transaction (whose events carry the trace on) are its children.
   */
  private execute(claimed: ClaimedCall): Promise<void> {
    const attributes = { 'payment.id': claimed.paymentId, 'psp.operation': claimed.call.operation, 'psp.idempotency_key': claimed.call.idempotencyKey, 'psp.attempt': claimed.attempts };
    return tracer.startActiveSpan(`psp ${claimed.call.operation}`, { attributes }, restoreTraceContext(claimed.traceContext), async (span) => {
      let outcome: Outcome;
      try {
        outcome = await this.attempt(claimed);
      } catch (error) {
        // Anything between claiming and recording: the database, the adapter, a bug in a rule.
        outcome = await this.failed(claimed, 'not_recorded', messageOf(error));
      }
      this.callsMade.inc({ operation: claimed.call.operation, outcome });
      span.setAttribute('psp.outcome', outcome);
      if (outcome !== 'recorded') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      span.end();
    });
  }

  /** Makes the call and records its answer; a request the PSP refused as malformed is a failed attempt. */
  private async attempt(claimed: ClaimedCall): Promise<Outcome> {
    const { call, paymentId } = claimed;
    const { transactions, payments } = this.options;
    const stored = await transactions((tx) => payments.lockForUpdate(tx, paymentId));
    if (stored === undefined) throw new Error(`payment ${paymentId} of call ${call.idempotencyKey} does not exist`);
    const stopTimer = this.callDuration.startTimer({ operation: call.operation });
    const answer = await makeCall(this.options.psp, stored, call, this.options.clock());
    stopTimer({ answer: typeof answer === 'function' ? 'recorded' : 'refused' });
    if (typeof answer !== 'function') {
      this.options.logger.error({ ...this.logFields(claimed), status: answer.status, code: answer.code, error: answer.message }, 'the PSP refused our request as malformed: a bug; the call waits for a fix');
      return this.failed(claimed, 'invalid_request', `${answer.status ?? ''} ${answer.code ?? ''} ${answer.message}`.slice(0, MAX_ERROR_LENGTH));
    }
    const settled = await this.record(claimed, answer);
    this.options.logger.info({ ...this.logFields(claimed), outcome: settled }, 'PSP call answered and recorded');
    return 'recorded';
  }

  /** The second transaction: the answer through the domain and the one settle path, the call off the list. */
  private record(claimed: ClaimedCall, answer: Recorder): Promise<string> {
    const { call, paymentId } = claimed;
    const { payments, calls, settler } = this.options;
    return this.options.transactions(async (tx) => {
      const current = await payments.lockForUpdate(tx, paymentId);
      if (current === undefined) throw new Error(`payment ${paymentId} vanished`);
      // First: the decision may ask for this very call again (same key), which re-adds it.
      await calls.complete(tx, call.idempotencyKey);
      const decision = answer(current, { now: this.options.clock(), actor: this.options.actor });
      const decided = { decision, subject: paymentSubject(current.payment, current.payment), write: { before: current } };
      return settler.settle(tx, decided, undefined, { messageType: `PSP_${call.operation}`, causationId: claimed.causedByEventId });
    });
  }

  /** An attempt failed: made again after the policy's delay (same key), or parked when it was the last. */
  private async failed(claimed: ClaimedCall, failure: CallFailure, error: string): Promise<Outcome> {
    const next = nextAttemptAfter(claimed.attempts, failure, this.options.retryPolicy);
    const key = claimed.call.idempotencyKey;
    try {
      if (next.kind === 'park') {
        await this.options.transactions((tx) => this.options.calls.park(tx, key, error));
        await this.afterParking(claimed, error);
        return 'parked';
      }
      const retryAt = new Date(this.options.clock().getTime() + next.delay_ms);
      await this.options.transactions((tx) => this.options.calls.retryLater(tx, key, error, retryAt));
      this.options.logger.warn({ ...this.logFields(claimed), error, retryInMs: next.delay_ms }, 'PSP call not recorded; it is made again later with the same key');
    } catch (storing) {
      // Not even the failure could be stored: the lease runs out and the next claim counts another attempt.
      this.options.logger.warn({ ...this.logFields(claimed), error, storeError: messageOf(storing) }, 'PSP call not recorded, nor its failure; it is made again after its lease');
    }
    return failure === 'invalid_request' ? 'invalid_request' : 'error';
  }

  /**
   * After a call was parked: its payment flagged for a person (in a transaction of its own, so that a
   * payment row that refuses every write cannot keep the call from being parked) and one line at error.
   */
  private async afterParking(claimed: ClaimedCall, error: string): Promise<void> {
    const fields = this.logFields(claimed);
    await this.options.transactions((tx) => this.options.payments.flagNeedsAttention(tx, claimed.paymentId)).catch((flagging: unknown) => {
      this.options.logger.error({ ...fields, error: messageOf(flagging) }, 'parked PSP call: its payment could not be flagged for attention');
    });
    this.options.logger.error({ ...fields, error }, `PSP call parked after ${claimed.attempts} attempt(s): a person must look; it is never made again automatically`);
  }
}
