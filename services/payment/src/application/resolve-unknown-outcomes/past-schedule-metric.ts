import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { PAST_SCHEDULE_STATES, type UnresolvedOutcomes } from '../ports';

/** The count stops here: a cheap query however many payments are stuck (each is a person's work anyway). */
export const MAX_PAST_SCHEDULE_COUNTED = 10_000;

export interface PastScheduleMetricOptions {
  readonly outcomes: UnresolvedOutcomes;
  readonly metrics: Registry;
  readonly logger: Pick<Logger, 'warn'>;
  readonly clock: () => Date;
  /** A due query no poller took within this long counts as overdue: the claim lease plus a poll interval or two. */
  readonly overdueAfter_ms: number;
  /** The poller's bound on claims without a recorded finding (PAYMENT_CALL_MAX_ATTEMPTS). */
  readonly maxClaims: number;
}

/**
 * payment_outcome_unknown_past_schedule{state} and payment_outcome_unknown_oldest_seconds: unknown
 * outcomes the outcome poller should have settled by now. `overdue` above zero: the poller is not
 * taking due queries (stopped, or its database is); `left_to_person`: the schedule ran out
 * (payment-domain's 1 min … 24 h) or the findings could not be recorded, and only a person (or a
 * reconciliation run, which asks the PSP again) settles it. Both states always present, so an alert
 * on `> 0` never waits for a first series. Read at scrape time from the payments table, so every
 * instance reports the same figure (aggregate with max).
 */
export function registerPastScheduleMetrics(options: PastScheduleMetricOptions): void {
  const { outcomes, logger, clock } = options;
  let last: { readonly counts: ReadonlyMap<string, number>; readonly oldestSince: Date | null } = { counts: new Map(), oldestSince: null };
  let reading: Promise<void> | undefined;
  // prom-client collects a scrape's metrics concurrently: both gauges share one read of the table.
  const read = (): Promise<void> =>
    (reading ??= outcomes
      .pastSchedule({ overdueBefore: new Date(clock().getTime() - options.overdueAfter_ms), maxClaims: options.maxClaims, limit: MAX_PAST_SCHEDULE_COUNTED })
      .then((found) => void (last = found))
      // A scrape during a database outage keeps the last figures; readiness reports the outage.
      .catch((error: unknown) => logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'unknown outcomes past their schedule not measured'))
      .finally(() => (reading = undefined)));
  const byState = new Gauge({
    name: 'payment_outcome_unknown_past_schedule',
    help: 'Payments whose unknown outcome is past its query schedule, by state: overdue (a due query no poller took) or left_to_person (queries stopped); saturates at the count limit.',
    labelNames: ['state'],
    registers: [options.metrics],
    async collect(): Promise<void> {
      await read();
      for (const state of PAST_SCHEDULE_STATES) byState.set({ state }, last.counts.get(state) ?? 0);
    },
  });
  new Gauge({
    name: 'payment_outcome_unknown_oldest_seconds',
    help: 'How long the oldest unknown outcome past its query schedule has been unknown; 0 when none is.',
    registers: [options.metrics],
    async collect(): Promise<void> {
      await read();
      const since = last.oldestSince;
      this.set(since === null ? 0 : Math.max(0, (clock().getTime() - since.getTime()) / 1000));
    },
  });
}
