import 'reflect-metadata';
import { bootstrapService, loadServiceConfig, runServiceCommand, stopOnSignals } from '@txn/service-kit';
import { NOTIFICATION_SCHEMA, notificationService } from './service';
import { readNotificationSettings } from './settings';

/**
 * node --import tsx services/notification/src/main.ts           the notification service (health and metrics on HTTP_PORT)
 * node --import tsx services/notification/src/main.ts migrate   the migration step alone (docs/decisions/0015-database-roles.md)
 */
void runServiceCommand({
  service: 'notification',
  schema: NOTIFICATION_SCHEMA,
  serve: async () => {
    const config = loadServiceConfig(process.env, readNotificationSettings);
    const service = await bootstrapService(config, notificationService(config));
    stopOnSignals(service, service.dependencies.logger);
  },
});
