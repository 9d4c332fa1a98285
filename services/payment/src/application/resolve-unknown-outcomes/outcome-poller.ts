import { resolveOutcomeByQuery, resolveRefundByQuery, type Payment, type PaymentDecision, type PspIntentSnapshot, type PspRefundSnapshot } from '@txn/payment-domain';
import type { IterationOutcome } from '@txn/service-kit';
import { Counter } from 'prom-client';
import { authorizeRequestOf } from '../make-psp-calls/make-call';
import { paymentSubject } from '../payment-decided';
import type { StoredPayment } from '../ports';
import { intentSnapshot, refundSnapshot } from '../psp-answers';
import type { PspWorkDeps } from '../psp-work';

export interface OutcomePollerOptions extends PspWorkDeps {
  /** Payments asked about per sweep; a claimed one is ours for `lease_ms`, then another sweep may ask again. */
  readonly batchSize: number;
}

type Finding = { readonly kind: 'lifecycle'; readonly snapshot: PspIntentSnapshot } | { readonly kind: 'refund'; readonly refundId: string; readonly snapshot: PspRefundSnapshot };

/**
 * Resolves unknown outcomes by asking the PSP on payment-domain's bounded schedule (the due time
 * is stored on the payment; after the last query the payment needs attention and is no longer
 * due). An authorization whose answer was lost before we learned the intent's id is asked about
 * by replaying the identical create with the same idempotency key: the PSP answers with the stored
 * result of the first request (or, if it never arrived, performs it now, exactly once), which is
 * what Stripe documents for recovering a lost answer. Everything else is a plain retrieve.
 */
export class OutcomePoller {
  private readonly queries: Counter<'operation' | 'finding'>;

  constructor(private readonly options: OutcomePollerOptions) {
    this.queries = new Counter({
      name: 'payment_outcome_queries_total',
      help: 'PSP queries about unknown outcomes, by operation and what the PSP said.',
      labelNames: ['operation', 'finding'],
      registers: [options.metrics],
    });
  }

  /** One sweep as periodic work: a full batch sweeps again at once. */
  async iteration(): Promise<IterationOutcome> {
    return (await this.pollOnce()) >= this.options.batchSize ? 'more-due' : 'caught-up';
  }

  /** One sweep; returns how many payments it asked about. */
  async pollOnce(): Promise<number> {
    const { transactions, payments, batchSize, lease_ms } = this.options;
    const claimed = await transactions((tx) => payments.claimDueQueries(tx, this.options.clock(), batchSize, lease_ms));
    await Promise.all(claimed.map((paymentId) => this.resolve(paymentId)));
    return claimed.length;
  }

  private async ask(stored: StoredPayment): Promise<Finding[]> {
    const { payment } = stored;
    const { psp } = this.options;
    const findings: Finding[] = [];
    const unknown = payment.unknown;
    if (unknown !== null && payment.inFlight === null && unknown.nextQueryAt !== null) {
      const answer =
        payment.pspPaymentIntentId === null && unknown.operation === 'AUTHORIZE'
          ? await psp.authorize(authorizeRequestOf(stored, unknown.idempotencyKey))
          : payment.pspPaymentIntentId === null
            ? ({ ok: false, failure: { kind: 'not_found' } } as const)
            : await psp.retrieve(payment.pspPaymentIntentId);
      const snapshot = intentSnapshot(answer);
      this.queries.inc({ operation: unknown.operation, finding: snapshot.pspStatus });
      findings.push({ kind: 'lifecycle', snapshot });
    }
    for (const refund of payment.refunds) {
      if (refund.status !== 'OUTCOME_UNKNOWN' || (refund.query?.nextQueryAt ?? null) === null || payment.pspPaymentIntentId === null) continue;
      const snapshot = refundSnapshot(await psp.findRefund(payment.pspPaymentIntentId, refund.refundId));
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
          const decision: PaymentDecision =
            finding.kind === 'lifecycle' ? resolveOutcomeByQuery(current.payment, finding.snapshot, ctx) : resolveRefundByQuery(current.payment, finding.refundId, finding.snapshot, ctx);
          await this.options.settler.settle(tx, { decision, subject: paymentSubject(current.payment, current.payment), write: { before: current } }, undefined, { messageType: 'OUTCOME_QUERY' });
        }
      });
      this.logFindings(stored.payment, findings);
    } catch (error) {
      // The claim's lease runs out and a later sweep asks again.
      this.options.logger.warn({ paymentId, errorClass: (error as Error).name, error: (error as Error).message }, 'outcome query failed; asked again after its lease');
    }
  }

  private logFindings(payment: Payment, findings: readonly Finding[]): void {
    for (const finding of findings) {
      this.options.logger.info(
        { paymentId: payment.paymentId, kind: finding.kind, finding: 'pspStatus' in finding.snapshot ? finding.snapshot.pspStatus : finding.snapshot.pspRefundStatus },
        'asked the PSP about an unknown outcome',
      );
    }
  }
}
