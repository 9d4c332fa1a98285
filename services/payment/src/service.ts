import { join } from 'node:path';
import { BookingHeld, EntryPosted, PspEventReceived, RefundPayment } from '@txn/contracts';
import { messagingTablesMigration, type ServiceDefinition, type ServiceSchema } from '@txn/service-kit';
import { PaymentModule } from './payment.module';
import { createStripePsp } from './psp/stripe-psp';
import type { PaymentServiceProvider } from './application/psp-port';
import type { PaymentSettings } from './settings';

/** Seams for tests and later wiring: another PSP adapter, the customer's own payment method. */
export interface PaymentServiceOptions {
  readonly psp?: PaymentServiceProvider;
  readonly paymentMethodOf?: (customerId: string) => string;
}

/** Payment's database: its migrations (and migrations/grants.sql), what `main.ts migrate` applies. */
export const PAYMENT_SCHEMA: ServiceSchema = { migrationsDirectory: join(__dirname, '..', 'migrations'), codeMigrations: [messagingTablesMigration(2)] };

/** What makes the kit's service the payment service. */
export function paymentService(settings: PaymentSettings, options: PaymentServiceOptions = {}): ServiceDefinition {
  const psp = options.psp ?? createStripePsp(settings.psp);
  const paymentMethodOf = options.paymentMethodOf ?? ((): string => settings.paymentMethod);
  return {
    ...PAYMENT_SCHEMA,
    topics: [BookingHeld.topic, PspEventReceived.topic, EntryPosted.topic, RefundPayment.topic],
    module: (dependencies) => PaymentModule.with(dependencies, settings, psp, paymentMethodOf),
  };
}
