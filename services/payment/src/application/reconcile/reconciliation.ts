import { randomUUID } from 'node:crypto';
import type { Actor } from '@txn/contracts';
import { PSP_CLOCK_MARGIN_MS, reconcileBooks, reconcilePayments, requestPspSync, type BooksFinding, type BooksOutcome, type PspIntentRecord, type ReconFinding } from '@txn/payment-domain';
import type { IterationOutcome } from '@txn/service-kit';
import type { SqlTransaction } from '@txn/sql';
import { Counter, Gauge } from 'prom-client';
import { paymentSubject } from '../payment-decided';
import type { PspBreak, ReconciliationRecords, ReconRun, ReconSnapshot, ReconWindow } from '../ports';
import type { PaymentServiceProvider } from '../psp-port';
import type { PspWorkDeps } from '../psp-work';
import type { PspBreakRecorder } from '../apply-psp-events/break-recorder';

export interface ReconciliationOptions extends PspWorkDeps {
  readonly records: ReconciliationRecords;
  readonly breaks: PspBreakRecorder;
  /** A scheduled run every this often (across instances: one run per interval); 0: none, only the command's. */
  readonly interval_ms: number;
  /** A scheduled run looks this far back… */
  readonly lookback_ms: number;
  /** …up to this long ago: what happened in the last minutes may still be on its way to either side. */
  readonly settle_ms: number;
  /** Bounds of what one run reads: beyond them the run fails, it never judges half a window. */
  readonly maxPspPages: number;
  readonly maxPayments: number;
  /** A payment changed this recently is not judged against the ledger and the booking. */
  readonly booksSettle_ms: number;
}

/** A finding as raised: either leg's, in the break's words. */
export type ReconBreak = Omit<PspBreak, 'evidence'> & { readonly leg: NonNullable<PspBreak['leg']> };

/** The reconciliation's verdict, as recorded; what `./platform recon run` prints. */
export type ReconReport = ReconRun & { readonly breaks: readonly ReconBreak[] };

/**
 * Three-way reconciliation (docs/decisions/0029, 0030). For a window of authorization times it
 * lists the PSP's PaymentIntents to the end of the list, and reads our payments with what the
 * ledger's and bookings' events said of them in one snapshot; then it compares the PSP with the
 * payments (reconcilePayments) and the payments with the ledger and the bookings (reconcileBooks).
 * A difference the PSP's state settles asks the payment for a sync — the normal event path, so
 * ledger and read models follow. Every finding is a break (published) until a later run finds the
 * sides agreeing; the rest are for a person. A run that cannot see its whole window on every side
 * fails loudly (recorded FAILED, error log, counted): it never reports "no breaks" for what it did
 * not see.
 */
export class Reconciliation {
  private readonly runs: Counter<'trigger' | 'outcome'>;
  private readonly startedAt: Date;

  constructor(private readonly options: ReconciliationOptions) {
    const { metrics, records, logger } = options;
    this.startedAt = options.clock();
    this.runs = new Counter({ name: 'payment_recon_runs_total', help: 'Reconciliation runs by trigger and outcome (CLEAN, BREAKS, FAILED).', labelNames: ['trigger', 'outcome'], registers: [metrics] });
    for (const trigger of ['SCHEDULE', 'COMMAND']) for (const outcome of ['CLEAN', 'BREAKS', 'FAILED']) this.runs.inc({ trigger, outcome }, 0);
    const clock = options.clock;
    const started = this.startedAt;
    new Gauge({
      name: 'payment_recon_last_success_age_seconds',
      help: 'Seconds since the last reconciliation run that saw its whole window (any instance); since this process started when there was none.',
      registers: [metrics],
      async collect(): Promise<void> {
        try {
          const { lastSucceededAt } = await records.lastRuns();
          this.set(Math.max(0, (clock().getTime() - (lastSucceededAt ?? started).getTime()) / 1000));
        } catch (error) {
          logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'reconciliation age not measured');
        }
      },
    });
  }

  /** Periodic work: a run asked for by the command first, else the scheduled run when it is due. */
  async iteration(): Promise<IterationOutcome> {
    const { records, clock, lease_ms } = this.options;
    const request = await records.claimRequest(clock(), Math.max(lease_ms, this.runBound_ms()));
    if (request !== undefined) {
      const report = await this.run(request.window, 'COMMAND');
      if (report !== 'BUSY') await records.answerRequest(request.requestId, report.runId);
      return 'more-due';
    }
    if (this.options.interval_ms === 0) return 'caught-up';
    const { lastScheduledAt } = await records.lastRuns();
    const now = clock();
    // The first scheduled run comes one interval after start, not at once: a fleet restarting
    // together does not list the PSP's whole day at the same moment.
    if (now.getTime() - (lastScheduledAt ?? this.startedAt).getTime() < this.options.interval_ms) return 'caught-up';
    await this.run({ from: new Date(now.getTime() - this.options.lookback_ms), to: new Date(now.getTime() - this.options.settle_ms) }, 'SCHEDULE');
    return 'caught-up';
  }

  /** A generous bound on one run: every page of the PSP at its timeout. */
  private runBound_ms(): number {
    return this.options.maxPspPages * this.options.lease_ms;
  }

  /** One run over the window, unless another instance is running one ('BUSY'). */
  run(window: ReconWindow, trigger: ReconRun['trigger']): Promise<ReconReport | 'BUSY'> {
    return this.options.records.exclusively(() => this.runExclusively(window, trigger));
  }

  private async runExclusively(window: ReconWindow, trigger: ReconRun['trigger']): Promise<ReconReport> {
    const { psp, records, clock } = this.options;
    const runId = randomUUID();
    const startedAt = clock();
    const failed = (error: string, partial: Partial<ReconRun> = {}): Promise<ReconReport> => this.failed({ ...emptyCounts(), ...partial, runId, trigger, window, startedAt, finishedAt: clock(), outcome: 'FAILED', error });
    // Wider at the PSP by the clock margin: an intent is created just after we ask for it.
    const listed = await psp.listIntents(new Date(window.from.getTime() - PSP_CLOCK_MARGIN_MS), new Date(window.to.getTime() + PSP_CLOCK_MARGIN_MS), this.options.maxPspPages);
    const pspReadAt = clock();
    if (!listed.ok) return failed(`the PSP's list of intents could not be read to its end: ${listed.failure.kind}${'cause' in listed.failure ? ` ${listed.failure.cause}` : ''}`);
    const snapshot = await records.paymentsInWindow(window, this.options.maxPayments);
    const { payments } = snapshot;
    const seen = { pspIntents: listed.value.intents.length, pspPages: listed.value.pages, payments: payments.length, pspReadAt, paymentsReadAt: snapshot.readAt, ledgerEntries: snapshot.ledgerEntries, bookings: snapshot.bookings.size, ledgerCutoffAt: snapshot.ledgerCutoffAt };
    if (payments.length > this.options.maxPayments) return failed(`more than ${this.options.maxPayments} payments in the window: split it`, seen);
    if (listed.value.intents.length === 0 && payments.length > 0) return failed(`the PSP listed no intent for a window in which we hold ${payments.length} payments`, seen);
    const intents = listed.value.intents.map(intentRecord);
    const pspLeg = reconcilePayments(intents, payments, window);
    const booksLeg = reconcileBooks(payments, snapshot.ledger, snapshot.bookings, { settledBefore: new Date(snapshot.readAt.getTime() - this.options.booksSettle_ms), viewsSince: snapshot.viewsSince, pspAgrees: new Set(pspLeg.agreeing) });
    const silent = silentSide(snapshot, booksLeg);
    if (silent !== null) return failed(silent, seen);
    const evidence = evidenceOf(intents, snapshot);
    const judged = judgedPayments(payments, pspLeg.inFlight, booksLeg.notYetJudged);
    const bookingOf = new Map(payments.map((payment) => [payment.paymentId, payment.bookingId]));
    const { syncsRequested, breaksResolved, findings } = await this.act(runId, { psp: pspLeg.findings, books: booksLeg.findings }, judged, { evidence, bookingOf });
    const agreeing = new Set(pspLeg.agreeing.filter((paymentId) => booksLeg.agreeing.includes(paymentId)));
    const run: ReconRun = {
      ...seen,
      runId,
      trigger,
      window,
      startedAt,
      finishedAt: clock(),
      outcome: findings.length === 0 ? 'CLEAN' : 'BREAKS',
      agreeing: agreeing.size,
      inFlight: pspLeg.inFlight.length,
      notYetJudged: booksLeg.notYetJudged.length,
      findings: findings.length,
      syncsRequested,
      breaksResolved,
      error: null,
    };
    await records.recordRun(run);
    this.runs.inc({ trigger, outcome: run.outcome });
    this.options.logger.info({ runId, trigger, outcome: run.outcome, pspIntents: run.pspIntents, payments: run.payments, ledgerEntries: run.ledgerEntries, findings: run.findings, syncsRequested, breaksResolved, driftMs: snapshot.readAt.getTime() - pspReadAt.getTime() }, 'reconciliation run');
    return { ...run, breaks: findings };
  }

  private async failed(run: ReconRun): Promise<ReconReport> {
    await this.options.records.recordRun(run);
    this.runs.inc({ trigger: run.trigger, outcome: 'FAILED' });
    this.options.logger.error({ runId: run.runId, trigger: run.trigger, windowFrom: run.window.from, windowTo: run.window.to, error: run.error }, 'reconciliation failed: it did not see its whole window, nothing is called clean');
    return { ...run, breaks: [] };
  }

  /**
   * Raise every finding of both legs with the evidence of every side, ask for the syncs that fix the
   * safe ones, and resolve the other open breaks of the payments judged in this run.
   */
  private async act(
    runId: string,
    found: { readonly psp: readonly ReconFinding[]; readonly books: readonly BooksFinding[] },
    judged: readonly string[],
    sides: { readonly evidence: (paymentId: string | null, pspObjectId: string) => Record<string, unknown>; readonly bookingOf: ReadonlyMap<string, string> },
  ) {
    const { evidence } = sides;
    const bookingOf = (paymentId: string | null): string | null => (paymentId === null ? null : (sides.bookingOf.get(paymentId) ?? null));
    const { transactions } = this.options;
    let syncsRequested = 0;
    const raised: string[] = [];
    const findings: ReconBreak[] = [];
    for (const finding of found.psp) {
      const synced = await transactions(async (tx) => {
        const raising = { kind: finding.kind, leg: 'PSP_PAYMENTS' as const, paymentId: finding.paymentId, bookingId: bookingOf(finding.paymentId), tenantId: finding.tenantId, pspObjectId: finding.pspObjectId, pspEventId: null, detail: finding.detail, explanation: null, evidence: evidence(finding.paymentId, finding.pspObjectId) };
        raised.push(await this.options.breaks.raise(tx, raising));
        findings.push(raising);
        return finding.fix === 'SYNC' && finding.paymentId !== null ? this.requestSync(tx, finding.paymentId, runId) : false;
      });
      if (synced) syncsRequested += 1;
    }
    for (const finding of found.books) {
      const raising = { kind: finding.kind, leg: finding.leg, paymentId: finding.paymentId, bookingId: bookingOf(finding.paymentId), tenantId: finding.tenantId, pspObjectId: finding.paymentId, pspEventId: null, detail: finding.detail, explanation: finding.explanation, evidence: evidence(finding.paymentId, finding.paymentId) };
      raised.push(await transactions((tx) => this.options.breaks.raise(tx, raising)));
      findings.push(raising);
    }
    const breaksResolved = await transactions((tx) => this.options.breaks.resolveOf(tx, judged, raised, `reconciliation run ${runId} found the PSP, the payment, the ledger and the booking agreeing on it`));
    return { syncsRequested, breaksResolved, findings };
  }

  private async requestSync(tx: SqlTransaction, paymentId: string, runId: string): Promise<boolean> {
    const { payments, settler, actor, clock } = this.options;
    const stored = await payments.lockForUpdate(tx, paymentId);
    if (stored === undefined) return false;
    const decision = requestPspSync(stored.payment, `reconciliation ${runId}`, { now: clock(), actor: actor satisfies Actor }, 'RECONCILIATION');
    await settler.settle(tx, { decision, subject: paymentSubject(stored.payment, stored.payment), write: { before: stored } }, undefined, { messageType: 'RECONCILIATION' });
    return decision.outcome === 'applied';
  }
}

type Counts = 'pspIntents' | 'pspPages' | 'payments' | 'agreeing' | 'inFlight' | 'findings' | 'syncsRequested' | 'breaksResolved' | 'pspReadAt' | 'paymentsReadAt' | 'ledgerEntries' | 'bookings' | 'notYetJudged' | 'ledgerCutoffAt';

function emptyCounts(): Pick<ReconRun, Counts> {
  return { pspIntents: null, pspPages: null, payments: null, agreeing: null, inFlight: null, findings: null, syncsRequested: null, breaksResolved: null, pspReadAt: null, paymentsReadAt: null, ledgerEntries: null, bookings: null, notYetJudged: null, ledgerCutoffAt: null };
}

type ListedIntent = Extract<Awaited<ReturnType<PaymentServiceProvider['listIntents']>>, { ok: true }>['value']['intents'][number];

function intentRecord(intent: ListedIntent): PspIntentRecord {
  return { pspPaymentIntentId: intent.id, paymentId: intent.paymentId, status: intent.status, amountMinor: intent.amount.amountMinor, currency: intent.amount.currency, refundedMinor: intent.refundedMinor, createdAt: intent.createdAt };
}

/** Payments both legs judged in this run: their breaks not found again are resolved. */
function judgedPayments(payments: ReconSnapshot['payments'], inFlight: readonly string[], notYetJudged: readonly string[]): string[] {
  const skipped = new Set([...inFlight, ...notYetJudged]);
  return payments.map((payment) => payment.paymentId).filter((paymentId) => !skipped.has(paymentId));
}

/**
 * A side that says nothing where it must say something is a failed run, not "no breaks": payments
 * moved money and the ledger's projection holds no entry for any of them, or the bookings' holds none.
 */
function silentSide(snapshot: ReconSnapshot, books: BooksOutcome): string | null {
  const skipped = new Set(books.notYetJudged);
  const judged = snapshot.payments.filter((payment) => !skipped.has(payment.paymentId) && payment.createdAt.getTime() >= snapshot.viewsSince.getTime());
  const moved = judged.filter((payment) => payment.capturedMinor > 0n && ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(payment.status));
  if (moved.length > 0 && moved.every((payment) => (snapshot.ledger.get(payment.paymentId)?.entries ?? 0) === 0)) {
    return `${moved.length} payments of the window moved money and the ledger's events show no entry for any of them: ledger.events.v1 is not reaching payment (consumer lag?), the books leg cannot be judged`;
  }
  if (judged.length > 0 && snapshot.bookings.size === 0) return `${judged.length} payments of the window and the bookings' events show none of their bookings: booking.events.v1 is not reaching the projection`;
  return null;
}

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)));

/** What every side showed of a payment when a finding was raised: stored with the break and published. */
function evidenceOf(intents: readonly PspIntentRecord[], snapshot: ReconSnapshot): (paymentId: string | null, pspObjectId: string) => Record<string, unknown> {
  const byPayment = new Map(snapshot.payments.map((payment) => [payment.paymentId, payment]));
  return (paymentId, pspObjectId) => {
    const payment = paymentId === null ? undefined : byPayment.get(paymentId);
    return json({
      // The intents of the payment, or the PSP object itself when it names no payment of ours.
      psp: intents.filter((intent) => (intent.paymentId !== null && intent.paymentId === paymentId) || pspObjectId.split(',').includes(intent.pspPaymentIntentId)),
      payment: payment ?? null,
      ledger: paymentId === null ? null : (snapshot.ledger.get(paymentId) ?? null),
      booking: payment === undefined ? null : (snapshot.bookings.get(payment.bookingId) ?? null),
      readAt: { payments: snapshot.readAt, ledgerCutoff: snapshot.ledgerCutoffAt },
    }) as Record<string, unknown>;
  };
}
