import { join } from 'node:path';
import { PaymentAuthorized, RequestBooking } from '@txn/contracts';
import { messagingTablesMigration, type ServiceDefinition } from '@txn/service-kit';
import { BookingModule } from './booking.module';
import type { BookingSettings } from './settings';

/** What makes the kit's service the booking service. */
export function bookingService(settings: BookingSettings): ServiceDefinition {
  return {
    topics: [RequestBooking.topic, PaymentAuthorized.topic],
    migrationsDirectory: join(__dirname, '..', 'migrations'),
    codeMigrations: [messagingTablesMigration(2)],
    module: (dependencies) => BookingModule.with(dependencies, settings),
  };
}
