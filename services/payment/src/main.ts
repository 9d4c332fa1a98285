import 'reflect-metadata';
import { bootstrapService, loadServiceConfig, runServiceCommand, stopOnSignals } from '@txn/service-kit';
import { PAYMENT_SCHEMA, paymentService } from './service';
import { readPaymentSettings } from './settings';

/**
 * node --import tsx services/payment/src/main.ts           the service, with the settings of docs/decisions/0011-service-runtime.md plus PSP_*
 * node --import tsx services/payment/src/main.ts migrate   the migration step alone (docs/decisions/0015-database-roles.md)
 */
void runServiceCommand({
  service: 'payment',
  schema: PAYMENT_SCHEMA,
  serve: async () => {
    const config = loadServiceConfig(process.env, readPaymentSettings);
    const service = await bootstrapService(config, paymentService(config));
    stopOnSignals(service, service.dependencies.logger);
  },
});
