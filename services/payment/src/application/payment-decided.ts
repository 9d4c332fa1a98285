import { needsAttention, type Payment, type PaymentDecision } from '@txn/payment-domain';
import type { Decided, DecisionStore, Subject } from '@txn/nest-messaging';
import type { Payments, PspCalls, StoredPayment } from './ports';

/** What the store needs besides the decision: the payment as read, or for a new one its customer and method. */
export interface PaymentWrite {
  readonly before: StoredPayment | undefined;
  readonly extras?: { readonly customerId: string; readonly paymentMethod: string };
}

export type PaymentDecided = Decided<PaymentDecision, PaymentWrite>;

export function paymentSubject(payment: Pick<Payment, 'paymentId' | 'tenantId' | 'bookingId' | 'status'> | undefined, fallback: { readonly paymentId: string; readonly tenantId: string; readonly bookingId: string }): Subject {
  // The booking is the saga: every payment event is correlated by it.
  return {
    aggregateId: payment?.paymentId ?? fallback.paymentId,
    tenantId: payment?.tenantId ?? fallback.tenantId,
    correlationId: payment?.bookingId ?? fallback.bookingId,
    status: payment?.status ?? null,
  };
}

/**
 * When the outcome poller should next ask the PSP about this payment: the earliest scheduled
 * query of its unknown lifecycle call or unknown refunds, or of a PSP event's sync, with the remaining delay divided by
 * `divisor` (1 in production; tests compress the schedule).
 */
export function queryDueAt(payment: Payment, now: Date, divisor: number): Date | null {
  const times: number[] = [];
  const unknownAt = payment.unknown?.nextQueryAt ?? null;
  if (unknownAt !== null && payment.inFlight === null) times.push(unknownAt.getTime());
  const syncAt = payment.pspSync?.nextQueryAt ?? null;
  if (syncAt !== null) times.push(syncAt.getTime());
  for (const refund of payment.refunds) {
    const refundAt = refund.query?.nextQueryAt ?? null;
    if (refund.status === 'OUTCOME_UNKNOWN' && refundAt !== null) times.push(refundAt.getTime());
  }
  if (times.length === 0) return null;
  const remaining_ms = Math.max(0, Math.min(...times) - now.getTime());
  return new Date(now.getTime() + Math.floor(remaining_ms / divisor));
}

/**
 * Payment's port for the one settle path: an applied decision stores the payment (with when to ask
 * the PSP next and whether a person must look: the domain says so, or one of its PSP calls is
 * parked) and puts its PSP calls on the work list, caused by what caused the decision; an
 * unapplied message is recorded in unapplied_messages.
 */
export function paymentDecisionStore(payments: Payments, calls: PspCalls, options: { readonly queryTimeDivisor: number; readonly clock: () => Date }): DecisionStore<PaymentDecision, PaymentWrite> {
  return {
    async storeApplied(tx, { decision, write, causationId }) {
      const payment = decision.state;
      const extras = write.before ?? write.extras;
      if (extras === undefined) throw new Error(`payment ${payment.paymentId}: a new payment needs its customer and payment method`);
      const stored: StoredPayment = { payment, customerId: extras.customerId, paymentMethod: extras.paymentMethod };
      // A parked call is a person's work the aggregate does not see: the flag stays until it is released.
      const attention = needsAttention(payment) || (write.before !== undefined && (await calls.hasParked(tx, payment.paymentId)));
      const indexes = { queryDueAt: queryDueAt(payment, options.clock(), options.queryTimeDivisor), needsAttention: attention };
      if (write.before === undefined) await payments.insert(tx, stored, indexes);
      else await payments.update(tx, stored, write.before.payment.version, indexes);
      // A call asked for while recording an answer (a re-issue, a void after a refused capture)
      // keeps the chain: it is caused by what caused the answered call.
      await calls.enqueue(tx, payment.paymentId, decision.calls, causationId);
    },
    recordUnapplied: (tx, record) => payments.recordUnapplied(tx, record),
  };
}
