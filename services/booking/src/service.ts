import { join } from 'node:path';
import { PaymentAuthorized, RequestBooking } from '@txn/contracts';
import { messagingTablesMigration, type ServiceDefinition, type ServiceSchema } from '@txn/service-kit';
import { BookingModule } from './booking.module';
import type { BookingSettings } from './settings';

/** Booking's database: its migrations (and migrations/grants.sql), what `main.ts migrate` applies. */
export const BOOKING_SCHEMA: ServiceSchema = { migrationsDirectory: join(__dirname, '..', 'migrations'), codeMigrations: [messagingTablesMigration(2)] };

/** What makes the kit's service the booking service. */
export function bookingService(settings: BookingSettings): ServiceDefinition {
  return {
    ...BOOKING_SCHEMA,
    topics: [RequestBooking.topic, PaymentAuthorized.topic],
    module: (dependencies) => BookingModule.with(dependencies, settings),
  };
}
