import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { WaitingReleases } from '../ports';

/**
 * A BookingCompleted the ledger saw before its PaymentCaptured waits as a release request (the
 * capture applies it). Seconds of waiting is lag between two topics; hours mean the capture never
 * came (or was refused) and the merchant is not being paid: alert on the oldest age. Read at
 * scrape time, so the figure is as fresh as the scrape and costs nothing in between.
 */
export function registerWaitingReleaseMetrics(options: { readonly waiting: WaitingReleases; readonly metrics: Registry; readonly logger: Pick<Logger, 'warn'> }): void {
  const { logger } = options;
  const oldestAge = new Gauge({ name: 'ledger_release_request_oldest_age_seconds', help: 'Age of the oldest escrow release waiting for its capture (0 when none waits).', registers: [] });
  // Registered first and measuring both: the registry serializes gauges in registration order, so
  // the second is set by the time it is written.
  const waiting = new Gauge({
    name: 'ledger_release_requests_waiting',
    help: 'Escrow releases (BookingCompleted) waiting for their capture to arrive.',
    registers: [options.metrics],
    async collect(): Promise<void> {
      try {
        const counted = await options.waiting.count();
        waiting.set(counted.waiting);
        oldestAge.set(counted.oldestAge_s);
      } catch (error) {
        // A scrape during a database outage keeps the last figures; readiness reports the outage.
        logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'waiting escrow releases not measured');
      }
    },
  });
  options.metrics.registerMetric(oldestAge);
}
