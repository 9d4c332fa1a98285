import { requestPspSync } from '@txn/payment-domain';
import type { IterationOutcome } from '@txn/service-kit';
import { paymentSubject } from '../payment-decided';
import type { UnmatchedPspEvent, UnmatchedPspEvents } from '../ports';
import type { IntentView, PspAnswer } from '../psp-port';
import type { PspWorkDeps } from '../psp-work';
import type { PspBreakRecorder } from './break-recorder';

export interface UnmatchedSweepOptions extends PspWorkDeps {
  readonly unmatched: UnmatchedPspEvents;
  readonly breaks: PspBreakRecorder;
  /** Events checked per sweep (each one PSP request). */
  readonly batchSize: number;
  /** Checks of one event whose PSP answer proves nothing, before it is raised as a break anyway. */
  readonly maxChecks: number;
}

type Checked = UnmatchedPspEvent & { readonly checks: number };

/**
 * Settles PSP events no payment of ours named when they arrived (a charge event can overtake the
 * answer that tells us the intent's id). The PSP is asked for the intent: its metadata names our
 * payment, which then syncs; an intent without our metadata, or none at all, is a charge we never
 * created: a break, never accepted silently. Bounded: an event whose check keeps failing is raised
 * as a break after `maxChecks` claims (each claim leases it for `lease_ms`).
 */
export class UnmatchedEventSweep {
  constructor(private readonly options: UnmatchedSweepOptions) {}

  async iteration(): Promise<IterationOutcome> {
    return (await this.sweepOnce()) >= this.options.batchSize ? 'more-due' : 'caught-up';
  }

  async sweepOnce(): Promise<number> {
    const { transactions, unmatched, batchSize, lease_ms } = this.options;
    const claimed = await transactions((tx) => unmatched.claimDue(tx, this.options.clock(), batchSize, lease_ms));
    for (const event of claimed) await this.check(event);
    return claimed.length;
  }

  private async check(event: Checked): Promise<void> {
    const intentId = event.pspPaymentIntentId;
    try {
      const answer: PspAnswer<IntentView> = intentId === null ? { ok: false, failure: { kind: 'not_found' } } : await this.options.psp.retrieve(intentId);
      if (answer.ok && answer.value.paymentId !== null && (await this.matched(event, answer.value.paymentId))) return;
      const provedForeign = answer.ok || answer.failure.kind === 'not_found';
      // Inconclusive (the PSP unreachable): asked again after the lease, up to the bound.
      if (!provedForeign && event.checks < this.options.maxChecks) return;
      const detail = provedForeign
        ? `${event.pspEventType}: PaymentIntent ${intentId ?? '(none)'} carries no payment of ours`
        : `${event.pspEventType}: PaymentIntent ${intentId ?? '(none)'} could not be checked at the PSP in ${event.checks} tries`;
      await this.options.transactions(async (tx) => {
        await this.options.breaks.raise(tx, { kind: 'UNKNOWN_PSP_OBJECT', paymentId: null, tenantId: event.tenantId, pspObjectId: event.pspObjectId, pspEventId: event.pspEventId, detail });
        await this.options.unmatched.close(tx, event.pspEventId, 'BREAK', null);
      });
    } catch (error) {
      this.options.logger.warn({ pspEventId: event.pspEventId, errorClass: (error as Error).name, error: (error as Error).message }, 'unmatched PSP event not checked; checked again after its lease');
    }
  }

  /** The intent's metadata names a payment of ours (of the event's merchant, when it names one): that payment syncs. */
  private matched(event: Checked, paymentId: string): Promise<boolean> {
    const { transactions, payments, settler, unmatched, actor } = this.options;
    return transactions(async (tx) => {
      const stored = await payments.lockForUpdate(tx, paymentId);
      if (stored === undefined || (event.tenantId !== null && event.tenantId !== stored.payment.tenantId)) return false;
      const decision = requestPspSync(stored.payment, `${event.pspEventType} ${event.pspEventId}`, { now: this.options.clock(), actor });
      await settler.settle(tx, { decision, subject: paymentSubject(stored.payment, stored.payment), write: { before: stored } }, undefined, { messageType: 'PSP_EVENT_MATCHED' });
      await unmatched.close(tx, event.pspEventId, 'MATCHED', paymentId);
      this.options.logger.info({ pspEventId: event.pspEventId, paymentId }, 'unmatched PSP event matched to its payment by the intent\'s metadata');
      return true;
    });
  }
}
