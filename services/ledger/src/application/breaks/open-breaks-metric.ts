import { BREAK_KINDS } from '@txn/ledger-domain';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { OpenBreaks } from '../ports';

/**
 * ledger_breaks_open{kind}: facts the books could not place and nobody has explained yet. Any
 * value above zero is a person's work (runbook: list them with `./platform ledger breaks`); each
 * kind is always present, so an alert on `> 0` never waits for a first series. Read at scrape
 * time from the breaks table, so every instance reports the same figure (aggregate with max).
 */
export function registerOpenBreakMetrics(options: { readonly breaks: OpenBreaks; readonly metrics: Registry; readonly logger: Pick<Logger, 'warn'> }): void {
  const { logger } = options;
  const open = new Gauge({
    name: 'ledger_breaks_open',
    help: 'Breaks not yet explained, by kind: facts booked to suspense or not placeable (see LedgerBreakRaised).',
    labelNames: ['kind'],
    registers: [options.metrics],
    async collect(): Promise<void> {
      try {
        const counted = await options.breaks.countByKind();
        for (const kind of BREAK_KINDS) open.set({ kind }, counted.get(kind) ?? 0);
      } catch (error) {
        // A scrape during a database outage keeps the last figures; readiness reports the outage.
        logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'open ledger breaks not measured');
      }
    },
  });
}
