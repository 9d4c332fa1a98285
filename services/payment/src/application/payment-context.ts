import type { Actor } from '@txn/contracts';
import type { FeeTerms } from '@txn/payment-domain';
import type { Payments, ReconProjections, UnmatchedPspEvents } from './ports';
import type { PspBreakRecorder } from './apply-psp-events/break-recorder';

/** What payment's message use cases share, built once by the module; `clock` is the service's one clock. */
export interface PaymentContext {
  readonly payments: Payments;
  /** The actor of every decision payment makes: the service. */
  readonly actor: Actor;
  /** The PSP payment method for a customer (until bookings carry the customer's own). */
  paymentMethodOf(customerId: string): string;
  /** The fee schedule's terms for a merchant now: fixed on each payment when it is created. */
  feeTermsOf(tenantId: string): FeeTerms;
  readonly clock: () => Date;
  /** PSP events no payment names yet, kept to check against the PSP. */
  readonly unmatched: UnmatchedPspEvents;
  readonly breaks: PspBreakRecorder;
  /** What reconciliation keeps of the ledger's and bookings' events. */
  readonly projections: ReconProjections;
}

export const PAYMENT_CONTEXT = Symbol('payment-context');
