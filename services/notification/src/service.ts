import { join } from 'node:path';
import { messagingTablesMigration, type ServiceDefinition, type ServiceSchema } from '@txn/service-kit';
import { DELIVERED_TOPICS } from './application/deliverable-events';
import { NotificationModule } from './notification.module';
import type { NotificationSettings } from './settings';

/** The notification service's database: its migrations (and grants.sql), the outbox and inbox tables as migration 2. */
export const NOTIFICATION_SCHEMA: ServiceSchema = { migrationsDirectory: join(__dirname, '..', 'migrations'), codeMigrations: [messagingTablesMigration(2)] };

/** What makes the kit's service the notification service: merchants' events and endpoint changes in, webhooks out, its facts on notification.events.v1. */
export function notificationService(settings: NotificationSettings): ServiceDefinition {
  return {
    ...NOTIFICATION_SCHEMA,
    topics: [...DELIVERED_TOPICS],
    module: (dependencies) => NotificationModule.with(dependencies, settings),
  };
}
