import { join } from 'node:path';
import { BookingHeld } from '@txn/contracts';
import { messagingTablesMigration, type ServiceDefinition } from '@txn/service-kit';
import { PaymentModule } from './payment.module';
import { createStripePsp } from './psp/stripe-psp';
import type { PaymentServiceProvider } from './application/psp-port';
import type { PaymentSettings } from './settings';

/** Seams for tests and later wiring: another PSP adapter, the customer's own payment method. */
export interface PaymentServiceOptions {
  readonly psp?: PaymentServiceProvider;
  readonly paymentMethodOf?: (customerId: string) => string;
}

/** What makes the kit's service the payment service. */
export function paymentService(settings: PaymentSettings, options: PaymentServiceOptions = {}): ServiceDefinition {
  const psp = options.psp ?? createStripePsp(settings.psp);
  const paymentMethodOf = options.paymentMethodOf ?? ((): string => settings.paymentMethod);
  return {
    topics: [BookingHeld.topic],
    migrationsDirectory: join(__dirname, '..', 'migrations'),
    codeMigrations: [messagingTablesMigration(2)],
    module: (dependencies) => PaymentModule.with(dependencies, settings, psp, paymentMethodOf),
  };
}
