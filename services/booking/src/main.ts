import 'reflect-metadata';
import { bootstrapService, loadServiceConfig, runServiceCommand, stopOnSignals } from '@txn/service-kit';
import { BOOKING_SCHEMA, bookingService } from './service';
import { readBookingSettings } from './settings';

/**
 * node --import tsx services/booking/src/main.ts           the service, with the settings of docs/decisions/0011-service-runtime.md
 * node --import tsx services/booking/src/main.ts migrate   the migration step alone (docs/decisions/0015-database-roles.md)
 */
void runServiceCommand({
  service: 'booking',
  schema: BOOKING_SCHEMA,
  serve: async () => {
    const config = loadServiceConfig(process.env, readBookingSettings);
    const service = await bootstrapService(config, bookingService(config));
    stopOnSignals(service, service.dependencies.logger);
  },
});
