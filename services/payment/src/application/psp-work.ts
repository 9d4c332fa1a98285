import type { Actor } from '@txn/contracts';
import type { DecisionSettler } from '@txn/nest-messaging';
import type { PaymentDecision } from '@txn/payment-domain';
import type { Transactions } from '@txn/sql';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PaymentWrite } from './payment-decided';
import type { Payments } from './ports';
import type { PaymentServiceProvider } from './psp-port';

/** What the work that talks to the PSP outside a message (the call dispatcher, the outcome poller) is given. */
export interface PspWorkDeps {
  readonly transactions: Transactions;
  readonly payments: Payments;
  readonly psp: PaymentServiceProvider;
  readonly settler: DecisionSettler<PaymentDecision, PaymentWrite>;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** The actor of what the PSP's answers decide: the service. */
  readonly actor: Actor;
  /** How long claimed work is ours: above the PSP timeout, so a live call is never made twice at once. */
  readonly lease_ms: number;
  readonly clock: () => Date;
}
