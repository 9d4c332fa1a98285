import { PspOperation } from '@txn/contracts';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { ParkedCalls } from '../ports';

/**
 * payment_psp_calls_parked{operation}: PSP calls parked for a person (their answer could not be
 * recorded within the attempt bound, or the PSP kept refusing them). Any value above zero is a
 * person's work: each parked call is never made again automatically (runbook in the service's
 * README). Every operation is always present, so an alert on `> 0` never waits for a first series.
 * Read at scrape time from the work list, so every instance reports the same figure (aggregate with max).
 */
export function registerParkedCallMetrics(options: { readonly parked: ParkedCalls; readonly metrics: Registry; readonly logger: Pick<Logger, 'warn'> }): void {
  const { logger } = options;
  const parked = new Gauge({
    name: 'payment_psp_calls_parked',
    help: 'PSP calls parked for a person, by operation: never made again automatically (psp_calls.parked_at).',
    labelNames: ['operation'],
    registers: [options.metrics],
    async collect(): Promise<void> {
      try {
        const counted = await options.parked.countByOperation();
        for (const operation of PspOperation) parked.set({ operation }, counted.get(operation) ?? 0);
      } catch (error) {
        // A scrape during a database outage keeps the last figures; readiness reports the outage.
        logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'parked PSP calls not measured');
      }
    },
  });
}
