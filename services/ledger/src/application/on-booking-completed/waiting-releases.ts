import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';

/**
 * A BookingCompleted the ledger saw before its PaymentCaptured waits in escrow_release_requests
 * (the capture applies it). Seconds of waiting is lag between two topics; hours mean the capture
 * never came (or was refused) and the merchant is not being paid: alert on the oldest age.
 * Read at scrape time, so the figure is as fresh as the scrape and costs nothing in between.
 */
export function registerWaitingReleaseMetrics(options: { readonly pool: Pool; readonly metrics: Registry; readonly logger: Logger }): void {
  const { pool, logger } = options;
  const oldestAge = new Gauge({ name: 'ledger_release_request_oldest_age_seconds', help: 'Age of the oldest escrow release waiting for its capture (0 when none waits).', registers: [] });
  // Registered first and measuring both: the registry serializes gauges in registration order, so
  // the second is set by the time it is written.
  const waiting = new Gauge({
    name: 'ledger_release_requests_waiting',
    help: 'Escrow releases (BookingCompleted) waiting for their capture to arrive.',
    registers: [options.metrics],
    async collect(): Promise<void> {
      try {
        // Bounded: one aggregate row over the table (its size is the number of waiting releases).
        const { rows } = await pool.query<{ n: number; oldest_s: number | null }>(
          'SELECT count(*)::int AS n, extract(epoch FROM now() - min(requested_at))::float8 AS oldest_s FROM escrow_release_requests',
        );
        const row = rows[0];
        waiting.set(row?.n ?? 0);
        oldestAge.set(row?.oldest_s ?? 0);
      } catch (error) {
        // A scrape during a database outage keeps the last figures; readiness reports the outage.
        logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'waiting escrow releases not measured');
      }
    },
  });
  options.metrics.registerMetric(oldestAge);
}
