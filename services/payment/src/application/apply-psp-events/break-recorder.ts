import { uuidV5 } from '@txn/domain-kernel';
import type { SqlTransaction } from '@txn/sql';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { OpenBreaks, PspBreak, PspBreaks } from '../ports';

/** Names a break by what was found, so the same finding raised twice (a redelivery, a second sync) is one break. */
const BREAK_ID_NAMESPACE = '6f1d2c3b-8a7e-5f40-b1c2-d3e4f5a6b7c8';
const BREAK_KINDS = [
  'STATUS_MISMATCH',
  'REFUND_EXCEEDS_CAPTURE',
  'UNKNOWN_PSP_OBJECT',
  'DISPUTE_OPENED',
  'MISSING_IN_PAYMENTS',
  'MISSING_AT_PSP',
  'AMOUNT_MISMATCH',
  'CURRENCY_MISMATCH',
  'DUPLICATE',
] as const;

/**
 * Raises breaks between the PSP and us where a person sees them: a row in psp_breaks (the same
 * finding once), an error log line naming it, payment_psp_breaks_raised_total{kind}; the open
 * ones are payment_psp_breaks_open{kind} and payment_psp_break_oldest_open_seconds, read at scrape
 * time from the table so every instance reports the same figures (aggregate with max).
 */
export class PspBreakRecorder {
  private readonly raised: Counter<'kind'>;

  constructor(
    private readonly store: PspBreaks,
    private readonly logger: Pick<Logger, 'error'>,
    metrics: Registry,
  ) {
    this.raised = new Counter({ name: 'payment_psp_breaks_raised_total', help: 'Breaks between the PSP and payment raised, by kind.', labelNames: ['kind'], registers: [metrics] });
    for (const kind of BREAK_KINDS) this.raised.inc({ kind }, 0);
  }

  async raise(tx: SqlTransaction, found: PspBreak): Promise<void> {
    const breakId = uuidV5(BREAK_ID_NAMESPACE, [found.kind, found.paymentId ?? '', found.pspObjectId, found.detail].join('\n'));
    if (!(await this.store.raise(tx, breakId, found))) return;
    this.raised.inc({ kind: found.kind });
    this.logger.error({ breakKind: found.kind, paymentId: found.paymentId, tenantId: found.tenantId, pspObjectId: found.pspObjectId, pspEventId: found.pspEventId, detail: found.detail }, 'break between the PSP and payment: a person must look');
  }
}

export function registerOpenBreakMetrics(options: { readonly open: OpenBreaks; readonly metrics: Registry; readonly logger: Pick<Logger, 'warn'>; readonly clock: () => Date }): void {
  const { open, logger, clock } = options;
  let oldestRaisedAt: Date | null = null;
  const byKind = new Gauge({
    name: 'payment_psp_breaks_open',
    help: 'Breaks between the PSP and payment not yet resolved, by kind (psp_breaks).',
    labelNames: ['kind'],
    registers: [options.metrics],
    async collect(): Promise<void> {
      try {
        const found = await open.openByKind();
        for (const kind of BREAK_KINDS) byKind.set({ kind }, found.counts.get(kind) ?? 0);
        oldestRaisedAt = found.oldestRaisedAt;
      } catch (error) {
        logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'open PSP breaks not measured');
      }
    },
  });
  new Gauge({
    name: 'payment_psp_break_oldest_open_seconds',
    help: 'Age of the oldest unresolved break between the PSP and payment; 0 when none is open.',
    registers: [options.metrics],
    collect(): void {
      // Collected after payment_psp_breaks_open (registration order), which read the table.
      this.set(oldestRaisedAt === null ? 0 : Math.max(0, (clock().getTime() - oldestRaisedAt.getTime()) / 1000));
    },
  });
}
