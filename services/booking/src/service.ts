import { join } from 'node:path';
import { PaymentAuthorized, RequestBooking } from '@txn/contracts';
import { ensureInboxSchema } from '@txn/messaging';
import { ensureOutboxSchema } from '@txn/outbox';
import type { ServiceDefinition } from '@txn/service-kit';
import { BookingModule } from './booking.module';
import type { BookingSettings } from './settings';

/** What makes the kit's service the booking service. */
export function bookingService(settings: BookingSettings): ServiceDefinition {
  return {
    topics: [RequestBooking.topic, PaymentAuthorized.topic],
    migrationsDirectory: join(__dirname, '..', 'migrations'),
    // The inbox and outbox DDL belongs to the messaging libraries; one copy of it, run as a migration.
    codeMigrations: [
      {
        version: 2,
        name: 'inbox_and_outbox',
        apply: async (tx) => {
          await ensureInboxSchema(tx);
          await ensureOutboxSchema(tx);
        },
      },
    ],
    module: (dependencies) => BookingModule.with(dependencies, settings),
  };
}
