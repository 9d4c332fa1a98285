import 'reflect-metadata';
import { bootstrapService, loadServiceConfig, runServiceCommand, stopOnSignals } from '@txn/service-kit';
import { WEBHOOK_INGRESS_SCHEMA, webhookIngressService } from './service';
import { readIngressSettings } from './settings';

/**
 * node --import tsx services/webhook-ingress/src/main.ts           the ingress (webhooks on API_PORT, health and metrics on HTTP_PORT)
 * node --import tsx services/webhook-ingress/src/main.ts migrate   the migration step alone (docs/decisions/0015-database-roles.md)
 */
void runServiceCommand({
  service: 'webhook-ingress',
  schema: WEBHOOK_INGRESS_SCHEMA,
  serve: async () => {
    const config = loadServiceConfig(process.env, readIngressSettings);
    const service = await bootstrapService(config, webhookIngressService(config));
    stopOnSignals(service, service.dependencies.logger);
  },
});
