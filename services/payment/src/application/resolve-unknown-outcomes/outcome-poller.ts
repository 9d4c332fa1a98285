import type { Actor } from '@txn/contracts';
import {
  authorizationSearchWindow,
  pspSyncDue,
  reconcileWithPsp,
  resolveOutcomeByQuery,
  resolveRefundByQuery,
  type Payment,
  type PaymentDecision,
  type PspIntentSnapshot,
  type PspObservation,
  type PspRefundSnapshot,
} from '@txn/payment-domain';
import type { IterationOutcome } from '@txn/service-kit';
import type { SqlTransaction } from '@txn/sql';
import { Counter } from 'prom-client';
import { paymentSubject } from '../payment-decided';
import type { StoredPayment } from '../ports';
import type { IntentView, PspAnswer } from '../psp-port';
import { intentSnapshot, refundSnapshot } from '../psp-answers';
import type { PspWorkDeps } from '../psp-work';
import type { PspBreakRecorder } from '../apply-psp-events/break-recorder';

export interface OutcomePollerOptions extends PspWorkDeps {
  /** Payments asked about per sweep; a claimed one is ours for `lease_ms`, then another sweep may ask again. */
  readonly batchSize: number;
  /** Claims of one payment in a row whose answer was never recorded, before it is left to a person. */
  readonly maxClaims: number;
  /** Where a sync's findings that no transition explains go. */
  readonly breaks: PspBreakRecorder;
  /** The actor of changes the PSP made by itself (a dashboard refund): what the ingress names it. */
  readonly pspActor: Actor;
}

type Finding =
  | { readonly kind: 'lifecycle'; readonly snapshot: PspIntentSnapshot }
  | { readonly kind: 'refund'; readonly refundId: string; readonly snapshot: PspRefundSnapshot }
  /** A PSP event was news: what the PSP holds now, to apply by state. */
  | { readonly kind: 'sync'; readonly observation: PspObservation };

/** Whether this finding made the domain stop asking and alert (the schedule ran out, or the create window closed). */
function alertedNow(before: Payment, after: Payment, finding: Finding): boolean {
  if (finding.kind === 'sync') return before.pspSync?.alertedAt === null && (after.pspSync?.alertedAt ?? null) !== null;
  if (finding.kind === 'lifecycle') return before.unknown?.alertedAt === null && (after.unknown?.alertedAt ?? null) !== null;
  const alertedAt = (payment: Payment): Date | null => payment.refunds.find((refund) => refund.refundId === finding.refundId)?.query?.alertedAt ?? null;
  return alertedAt(before) === null && alertedAt(after) !== null;
}

function findingName(finding: Finding): string {
  if (finding.kind === 'sync') return finding.observation.intent.pspStatus;
  return 'pspStatus' in finding.snapshot ? finding.snapshot.pspStatus : finding.snapshot.pspRefundStatus;
}

/**
 * Resolves unknown outcomes by asking the PSP on payment-domain's bounded schedule (the due time
 * is stored on the payment; after the last query the payment needs attention and is no longer
 * due). Asking never acts: an intent we know is retrieved; an authorization whose answer was lost
 * before we learned the intent's id is searched for by our metadata among the intents created
 * around its attempts (a list, which cannot create anything; decision 0022), never by replaying
 * the create: past 24 h the PSP may have forgotten the key and the replay would authorize twice.
 * What the search does not find, the domain re-creates with the same key inside the create window,
 * or leaves to a person past it. A payment whose findings cannot be recorded `maxClaims` times in
 * a row is not asked about again: it is left to a person (flagged, logged, counted).
 */
export class OutcomePoller {
  private readonly queries: Counter<'operation' | 'finding'>;
  private readonly parked: Counter;

  constructor(private readonly options: OutcomePollerOptions) {
    this.queries = new Counter({
      name: 'payment_outcome_queries_total',
      help: 'PSP queries about unknown outcomes, by operation and what the PSP said.',
      labelNames: ['operation', 'finding'],
      registers: [options.metrics],
    });
    this.parked = new Counter({
      name: 'payment_outcome_queries_parked_total',
      help: 'Payments no longer asked about because their findings could not be recorded (needs_attention set).',
      registers: [options.metrics],
    });
  }

  /** One sweep as periodic work: a full batch sweeps again at once. */
  async iteration(): Promise<IterationOutcome> {
    return (await this.pollOnce()) >= this.options.batchSize ? 'more-due' : 'caught-up';
  }

  /** One sweep; returns how many payments it asked about. */
  async pollOnce(): Promise<number> {
    const { transactions, payments, batchSize, lease_ms, maxClaims } = this.options;
    const now = this.options.clock();
    const { stuck, claimed } = await transactions(async (tx) => ({
      stuck: await payments.parkStuckQueries(tx, now, maxClaims, batchSize),
      claimed: await payments.claimDueQueries(tx, now, batchSize, lease_ms, maxClaims),
    }));
    for (const paymentId of stuck) {
      this.parked.inc();
      this.options.logger.error({ paymentId, claims: maxClaims }, 'outcome queries stopped: their findings could not be recorded; a person must look');
    }
    await Promise.all(claimed.map((paymentId) => this.resolve(paymentId)));
    return claimed.length;
  }

  /** What the PSP holds of the payment's lifecycle call, asked without acting. */
  private lifecycleAnswer(payment: Payment): Promise<PspAnswer<IntentView>> {
    const { psp } = this.options;
    if (payment.pspPaymentIntentId !== null) return psp.retrieve(payment.pspPaymentIntentId);
    if (payment.unknown?.operation === 'AUTHORIZE') return psp.findAuthorization({ paymentId: payment.paymentId, ...authorizationSearchWindow(payment, this.options.clock()) });
    // A capture or void always names its intent: nothing to ask about.
    return Promise.resolve({ ok: false, failure: { kind: 'not_found' } });
  }

  /**
   * A sync: the intent (retrieved, or searched for by our metadata when we never learned its id)
   * and, once it took money, every refund it has. Either part unanswered makes the whole answer
   * inconclusive: half of the truth is not applied.
   */
  private async syncFinding(payment: Payment, requestsSeen: number): Promise<Finding> {
    const { psp, pspActor } = this.options;
    const answer = payment.pspPaymentIntentId !== null ? await psp.retrieve(payment.pspPaymentIntentId) : await psp.findAuthorization({ paymentId: payment.paymentId, ...authorizationSearchWindow(payment, this.options.clock()) });
    if (!answer.ok && answer.failure.kind === 'several_intents') {
      this.options.logger.error({ paymentId: payment.paymentId, intentIds: answer.failure.intentIds }, 'the PSP holds several PaymentIntents for one payment: a person must look');
    }
    const intent = intentSnapshot(answer);
    this.queries.inc({ operation: 'SYNC', finding: intent.pspStatus });
    if (intent.pspStatus !== 'succeeded') return { kind: 'sync', observation: { intent, refunds: [], requestsSeen, pspActor } };
    const listed = await psp.listRefunds(intent.pspPaymentIntentId);
    if (!listed.ok) return { kind: 'sync', observation: { intent: { pspStatus: 'unreachable' }, refunds: [], requestsSeen, pspActor } };
    const refunds = listed.value.map((refund) => ({ pspRefundId: refund.id, refundId: refund.refundId, status: refund.status, amount: refund.amount, createdAt: refund.createdAt }));
    return { kind: 'sync', observation: { intent, refunds, requestsSeen, pspActor } };
  }

  private async ask(stored: StoredPayment): Promise<Finding[]> {
    const { payment } = stored;
    // A sync fetches everything the other queries would: it alone answers this claim.
    if (payment.pspSync !== null && pspSyncDue(payment, this.options.clock())) return [await this.syncFinding(payment, payment.pspSync.requests)];
    const findings: Finding[] = [];
    const unknown = payment.unknown;
    if (unknown !== null && payment.inFlight === null && unknown.nextQueryAt !== null) {
      const answer = await this.lifecycleAnswer(payment);
      if (!answer.ok && answer.failure.kind === 'several_intents') {
        // Not ours to pick one: each may hold the customer's money. Inconclusive: asked again on schedule, then left to a person.
        this.options.logger.error({ paymentId: payment.paymentId, idempotencyKey: unknown.idempotencyKey, intentIds: answer.failure.intentIds }, 'the PSP holds several PaymentIntents for one payment: a person must look');
      }
      const snapshot = intentSnapshot(answer);
      this.queries.inc({ operation: unknown.operation, finding: snapshot.pspStatus });
      findings.push({ kind: 'lifecycle', snapshot });
    }
    for (const refund of payment.refunds) {
      if (refund.status !== 'OUTCOME_UNKNOWN' || (refund.query?.nextQueryAt ?? null) === null || payment.pspPaymentIntentId === null) continue;
      const snapshot = refundSnapshot(await this.options.psp.findRefund(payment.pspPaymentIntentId, refund.refundId));
      this.queries.inc({ operation: 'REFUND', finding: snapshot.pspRefundStatus });
      findings.push({ kind: 'refund', refundId: refund.refundId, snapshot });
    }
    return findings;
  }

  private async resolve(paymentId: string): Promise<void> {
    try {
      const { transactions, payments } = this.options;
      const stored = await transactions((tx) => payments.lockForUpdate(tx, paymentId));
      if (stored === undefined) return;
      const findings = await this.ask(stored);
      await transactions(async (tx) => {
        for (const finding of findings) {
          const current = await payments.lockForUpdate(tx, paymentId);
          if (current === undefined) return;
          const ctx = { now: this.options.clock(), actor: this.options.actor };
          const decision = await this.decide(tx, current.payment, finding, ctx);
          await this.options.settler.settle(tx, { decision, subject: paymentSubject(current.payment, current.payment), write: { before: current } }, undefined, { messageType: 'OUTCOME_QUERY' });
          if (decision.outcome === 'applied' && alertedNow(current.payment, decision.state, finding)) this.logLeftToAPerson(current.payment, finding);
        }
      });
      this.logFindings(stored.payment, findings);
    } catch (error) {
      // The claim's lease runs out and a later sweep asks again (each claim counted against maxClaims).
      this.options.logger.warn({ paymentId, errorClass: (error as Error).name, error: (error as Error).message }, 'outcome query failed; asked again after its lease');
    }
  }

  /** What the finding means for the payment; a sync's breaks are raised in the same transaction. */
  private async decide(tx: SqlTransaction, payment: Payment, finding: Finding, ctx: { readonly now: Date; readonly actor: Actor }): Promise<PaymentDecision> {
    switch (finding.kind) {
      case 'lifecycle':
        return resolveOutcomeByQuery(payment, finding.snapshot, ctx);
      case 'refund':
        return resolveRefundByQuery(payment, finding.refundId, finding.snapshot, ctx);
      case 'sync': {
        const { decision, breaks } = reconcileWithPsp(payment, finding.observation, ctx);
        const pspObjectId = payment.pspPaymentIntentId ?? ('pspPaymentIntentId' in finding.observation.intent ? (finding.observation.intent.pspPaymentIntentId ?? payment.paymentId) : payment.paymentId);
        for (const found of breaks) await this.options.breaks.raise(tx, { ...found, paymentId: payment.paymentId, bookingId: payment.bookingId, tenantId: payment.tenantId, pspObjectId, pspEventId: null });
        return decision;
      }
    }
  }

  private logLeftToAPerson(payment: Payment, finding: Finding): void {
    if (finding.kind === 'sync') {
      this.options.logger.error({ paymentId: payment.paymentId, cause: payment.pspSync?.cause }, 'a PSP event could not be checked against the PSP after the last query: a person must look');
      return;
    }
    const key = finding.kind === 'lifecycle' ? payment.unknown?.idempotencyKey : payment.refunds.find((refund) => refund.refundId === finding.refundId)?.idempotencyKey;
    const found = finding.kind === 'lifecycle' ? finding.snapshot.pspStatus : finding.snapshot.pspRefundStatus;
    this.options.logger.error({ paymentId: payment.paymentId, idempotencyKey: key, operation: finding.kind === 'lifecycle' ? payment.unknown?.operation : 'REFUND', finding: found }, 'outcome still unknown after the last query (or the create window closed): a person decides');
  }

  private logFindings(payment: Payment, findings: readonly Finding[]): void {
    for (const finding of findings) {
      this.options.logger.info(
        { paymentId: payment.paymentId, kind: finding.kind, finding: findingName(finding) },
        'asked the PSP about an unknown outcome',
      );
    }
  }
}
