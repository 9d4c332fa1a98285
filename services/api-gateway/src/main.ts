import 'reflect-metadata';
import { bootstrapService, loadServiceConfig, runServiceCommand, stopOnSignals } from '@txn/service-kit';
import { API_GATEWAY_SCHEMA, apiGatewayService } from './service';
import { readGatewaySettings } from './settings';

/**
 * node --import tsx services/api-gateway/src/main.ts           the gateway (public API on API_PORT, health and metrics on HTTP_PORT)
 * node --import tsx services/api-gateway/src/main.ts migrate   the migration step alone (docs/decisions/0015-database-roles.md)
 */
void runServiceCommand({
  service: 'api-gateway',
  schema: API_GATEWAY_SCHEMA,
  serve: async () => {
    const config = loadServiceConfig(process.env, readGatewaySettings);
    const service = await bootstrapService(config, apiGatewayService(config));
    stopOnSignals(service, service.dependencies.logger);
  },
});
