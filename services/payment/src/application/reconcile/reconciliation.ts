import { randomUUID } from 'node:crypto';
import type { Actor } from '@txn/contracts';
import { PSP_CLOCK_MARGIN_MS, reconcilePayments, requestPspSync, type PspIntentRecord, type ReconFinding } from '@txn/payment-domain';
import type { IterationOutcome } from '@txn/service-kit';
import type { SqlTransaction } from '@txn/sql';
import { Counter, Gauge } from 'prom-client';
import { paymentSubject } from '../payment-decided';
import type { ReconciliationRecords, ReconRun, ReconWindow } from '../ports';
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
}

/** The reconciliation's verdict, as recorded; what `./platform recon run` prints. */
export type ReconReport = ReconRun & { readonly breaks: readonly ReconFinding[] };

/**
 * Three-way reconciliation, PSP ↔ payments side (the ledger follows every fix through the events
 * a sync publishes; docs/decisions/0029). For a window of authorization times it lists the PSP's
 * PaymentIntents to the end of the list and reads our payments in one snapshot, then compares them
 * (payment-domain's reconcilePayments). A difference the PSP's state settles asks the payment for
 * a sync — the normal event path, so ledger and read models follow — and is a break until a later
 * run finds both sides agreeing; the others are breaks for a person. A run that cannot see its
 * whole window on both sides fails loudly (recorded FAILED, error log, counted): it never reports
 * "no breaks" for what it did not see.
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
    const { psp, records, clock, logger } = this.options;
    const runId = randomUUID();
    const startedAt = clock();
    const failed = async (error: string, partial: Partial<ReconRun> = {}): Promise<ReconReport> => {
      const run: ReconRun = { ...emptyCounts(), ...partial, runId, trigger, window, startedAt, finishedAt: clock(), outcome: 'FAILED', error };
      await records.recordRun(run);
      this.runs.inc({ trigger, outcome: 'FAILED' });
      logger.error({ runId, trigger, windowFrom: window.from, windowTo: window.to, error }, 'reconciliation failed: it did not see its whole window, nothing is called clean');
      return { ...run, breaks: [] };
    };
    // Wider at the PSP by the clock margin: an intent is created just after we ask for it.
    const listed = await psp.listIntents(new Date(window.from.getTime() - PSP_CLOCK_MARGIN_MS), new Date(window.to.getTime() + PSP_CLOCK_MARGIN_MS), this.options.maxPspPages);
    const pspReadAt = clock();
    if (!listed.ok) return failed(`the PSP's list of intents could not be read to its end: ${listed.failure.kind}${'cause' in listed.failure ? ` ${listed.failure.cause}` : ''}`);
    const { payments, readAt: paymentsReadAt } = await records.paymentsInWindow(window, this.options.maxPayments);
    const seen = { pspIntents: listed.value.intents.length, pspPages: listed.value.pages, payments: payments.length, pspReadAt, paymentsReadAt };
    if (payments.length > this.options.maxPayments) return failed(`more than ${this.options.maxPayments} payments in the window: split it`, seen);
    if (listed.value.intents.length === 0 && payments.length > 0) return failed(`the PSP listed no intent for a window in which we hold ${payments.length} payments`, seen);
    const intents: PspIntentRecord[] = listed.value.intents.map((intent) => ({
      pspPaymentIntentId: intent.id,
      paymentId: intent.paymentId,
      status: intent.status,
      amountMinor: intent.amount.amountMinor,
      currency: intent.amount.currency,
      refundedMinor: intent.refundedMinor,
      createdAt: intent.createdAt,
    }));
    const outcome = reconcilePayments(intents, payments, window);
    const { syncsRequested, breaksResolved } = await this.act(runId, outcome.findings, outcome.agreeing);
    const run: ReconRun = {
      ...seen,
      runId,
      trigger,
      window,
      startedAt,
      finishedAt: clock(),
      outcome: outcome.findings.length === 0 ? 'CLEAN' : 'BREAKS',
      agreeing: outcome.agreeing.length,
      inFlight: outcome.inFlight.length,
      findings: outcome.findings.length,
      syncsRequested,
      breaksResolved,
      error: null,
    };
    await records.recordRun(run);
    this.runs.inc({ trigger, outcome: run.outcome });
    logger.info({ runId, trigger, outcome: run.outcome, pspIntents: run.pspIntents, payments: run.payments, findings: run.findings, syncsRequested, breaksResolved, driftMs: paymentsReadAt.getTime() - pspReadAt.getTime() }, 'reconciliation run');
    return { ...run, breaks: outcome.findings };
  }

  /** Raise every finding, ask for the syncs that fix the safe ones, and close what both sides now agree on. */
  private async act(runId: string, findings: readonly ReconFinding[], agreeing: readonly string[]): Promise<{ syncsRequested: number; breaksResolved: number }> {
    const { transactions } = this.options;
    let syncsRequested = 0;
    for (const finding of findings) {
      const synced = await transactions(async (tx) => {
        await this.options.breaks.raise(tx, { kind: finding.kind, paymentId: finding.paymentId, tenantId: finding.tenantId, pspObjectId: finding.pspObjectId, pspEventId: null, detail: finding.detail });
        return finding.fix === 'SYNC' && finding.paymentId !== null ? this.requestSync(tx, finding.paymentId, runId) : false;
      });
      if (synced) syncsRequested += 1;
    }
    const breaksResolved = await transactions((tx) => this.options.records.resolveAgreeing(tx, agreeing, `converged: reconciliation run ${runId} found the PSP and the payment agreeing`));
    return { syncsRequested, breaksResolved };
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

function emptyCounts(): Pick<ReconRun, 'pspIntents' | 'pspPages' | 'payments' | 'agreeing' | 'inFlight' | 'findings' | 'syncsRequested' | 'breaksResolved' | 'pspReadAt' | 'paymentsReadAt'> {
  return { pspIntents: null, pspPages: null, payments: null, agreeing: null, inFlight: null, findings: null, syncsRequested: null, breaksResolved: null, pspReadAt: null, paymentsReadAt: null };
}
