import { ReconciliationBreakRaised, ReconciliationBreakResolved, type Actor, type Envelope } from '@txn/contracts';
import { uuidV5 } from '@txn/domain-kernel';
import type { OutboxWriter, PendingEvent } from '@txn/nest-messaging';
import type { SqlTransaction } from '@txn/sql';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { OpenBreaks, PspBreak, PspBreaks, ResolvedBreak } from '../ports';

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
  'MISSING_IN_LEDGER',
  'MISSING_IN_BOOKINGS',
  'IN_SUSPENSE',
] as const;
/** The tenant of a break about a PSP object that names no merchant of ours: the platform's. */
export const PLATFORM_TENANT = 'platform';

/** What the recorder needs besides its store: where break events go, and who and when. */
export interface BreakAnnouncement {
  readonly outbox: OutboxWriter;
  readonly service: string;
  readonly actor: Actor;
  readonly clock: () => Date;
}

/**
 * Raises breaks between the PSP, payments, the ledger and the bookings where a person sees them:
 * a row in psp_breaks (the same finding once), ReconciliationBreakRaised in the same transaction
 * (finance's read model and the audit trail follow), an error log line naming it,
 * payment_psp_breaks_raised_total{kind}; the open ones are payment_psp_breaks_open{kind} and
 * payment_psp_break_oldest_open_seconds, read at scrape time from the table so every instance
 * reports the same figures (aggregate with max). Resolving publishes ReconciliationBreakResolved.
 */
export class PspBreakRecorder {
  private readonly raised: Counter<'kind'>;
  private readonly resolved: Counter<'kind'>;

  constructor(
    private readonly store: PspBreaks,
    private readonly logger: Pick<Logger, 'error' | 'info'>,
    metrics: Registry,
    private readonly announce: BreakAnnouncement,
  ) {
    this.raised = new Counter({ name: 'payment_psp_breaks_raised_total', help: 'Breaks between the PSP, payments, ledger and bookings raised, by kind.', labelNames: ['kind'], registers: [metrics] });
    this.resolved = new Counter({ name: 'payment_psp_breaks_resolved_total', help: 'Breaks resolved (by a reconciliation run that found the sides agreeing, or a person), by kind.', labelNames: ['kind'], registers: [metrics] });
    for (const kind of BREAK_KINDS) this.raised.inc({ kind }, 0);
    for (const kind of BREAK_KINDS) this.resolved.inc({ kind }, 0);
  }

  /** The break's id: derived from what was found, so the same finding raised twice is one break. */
  static idOf(found: Pick<PspBreak, 'kind' | 'paymentId' | 'pspObjectId' | 'detail'>): string {
    return uuidV5(BREAK_ID_NAMESPACE, [found.kind, found.paymentId ?? '', found.pspObjectId, found.detail].join('\n'));
  }

  /** Raises the break once; returns its id. */
  async raise(tx: SqlTransaction, found: PspBreak): Promise<string> {
    const breakId = PspBreakRecorder.idOf(found);
    if (!(await this.store.raise(tx, breakId, found))) return breakId;
    const leg = found.leg ?? 'PSP_PAYMENTS';
    const event: ReconciliationBreakRaised = {
      envelope: this.envelope('ReconciliationBreakRaised', breakId, 1n, found.tenantId, found.bookingId ?? found.paymentId),
      breakId,
      statusBefore: null,
      statusAfter: 'OPEN',
      kind: found.kind,
      leg,
      paymentId: found.paymentId,
      pspObjectId: found.pspObjectId,
      pspEventId: found.pspEventId,
      detail: found.detail,
      explanation: found.explanation ?? null,
      evidence: found.evidence === undefined || found.evidence === null ? null : JSON.stringify(found.evidence),
    };
    await this.announce.outbox.publishAll(tx, [{ contract: ReconciliationBreakRaised, event } as PendingEvent]);
    this.raised.inc({ kind: found.kind });
    this.logger.error({ breakId, breakKind: found.kind, leg, paymentId: found.paymentId, tenantId: found.tenantId, pspObjectId: found.pspObjectId, pspEventId: found.pspEventId, detail: found.detail, explanation: found.explanation ?? null }, 'break: a person must look');
    return breakId;
  }

  /** Resolves the open breaks of these payments except `keep`; each resolved break is announced. Returns how many. */
  async resolveOf(tx: SqlTransaction, paymentIds: readonly string[], keep: readonly string[], resolution: string): Promise<number> {
    const closed = await this.store.resolveOf(tx, paymentIds, keep, resolution);
    await this.announce.outbox.publishAll(tx, closed.map((done) => this.resolvedEvent(done, resolution)));
    for (const done of closed) this.resolved.inc({ kind: done.kind });
    if (closed.length > 0) this.logger.info({ resolved: closed.length, resolution }, 'breaks resolved');
    return closed.length;
  }

  private resolvedEvent(done: ResolvedBreak, resolution: string): PendingEvent {
    const event: ReconciliationBreakResolved = {
      envelope: this.envelope('ReconciliationBreakResolved', done.breakId, 2n, done.tenantId, done.bookingId ?? done.paymentId),
      breakId: done.breakId,
      statusBefore: 'OPEN',
      statusAfter: 'RESOLVED',
      kind: done.kind,
      leg: done.leg,
      paymentId: done.paymentId,
      resolution,
    };
    return { contract: ReconciliationBreakResolved, event } as PendingEvent;
  }

  /** Correlated with the saga (the booking) when known, else the payment, else the break itself. */
  private envelope(eventType: string, breakId: string, version: bigint, tenantId: string | null, saga: string | null): Envelope {
    const { service, actor, clock } = this.announce;
    return {
      // The raise is one event per break; a resolution is one per break too (a break resolves once).
      eventId: eventType === 'ReconciliationBreakRaised' ? breakId : uuidV5(BREAK_ID_NAMESPACE, `resolved\n${breakId}`),
      eventType,
      occurredAt: clock(),
      producer: service,
      aggregateId: breakId,
      aggregateVersion: version,
      correlationId: saga ?? breakId,
      causationId: null,
      actor,
      tenantId: tenantId ?? PLATFORM_TENANT,
    };
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
