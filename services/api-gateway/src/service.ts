import { join } from 'node:path';
import { AuditRecorded, BookingHeld, EntryPosted, PaymentAuthorized, WebhookEndpointAutoDisabled } from '@txn/contracts';
import { messagingTablesMigration, type ServiceDefinition, type ServiceSchema } from '@txn/service-kit';
import { GatewayModule } from './gateway.module';
import { configureGatewayHttp } from './http/configure';
import { GATEWAY_MIGRATIONS } from './persistence/migrations';
import type { GatewaySettings } from './settings';

/** The gateway's database: the inbox and outbox (1), then its TypeORM migrations; grants in migrations/grants.sql. */
export const API_GATEWAY_SCHEMA: ServiceSchema = { migrationsDirectory: join(__dirname, '..', 'migrations'), codeMigrations: [messagingTablesMigration(1), ...GATEWAY_MIGRATIONS] };

/** What makes the kit's service the api-gateway: the events its read models follow, and its public HTTP surface. */
export function apiGatewayService(settings: GatewaySettings): ServiceDefinition {
  return {
    ...API_GATEWAY_SCHEMA,
    topics: [BookingHeld.topic, PaymentAuthorized.topic, EntryPosted.topic, AuditRecorded.topic, WebhookEndpointAutoDisabled.topic],
    module: (dependencies) => GatewayModule.with(dependencies, settings),
    http: { port: settings.apiPort, host: settings.apiHost, configure: (app, dependencies) => configureGatewayHttp(app, dependencies, settings) },
  };
}
