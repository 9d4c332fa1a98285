import { join } from 'node:path';
import { messagingTablesMigration, type ServiceDefinition, type ServiceSchema } from '@txn/service-kit';
import { configureIngressHttp } from './http/configure';
import { IngressModule } from './ingress.module';
import type { IngressSettings } from './settings';

/** The ingress' database: its migrations (and grants.sql), the outbox and inbox tables as migration 2. */
export const WEBHOOK_INGRESS_SCHEMA: ServiceSchema = { migrationsDirectory: join(__dirname, '..', 'migrations'), codeMigrations: [messagingTablesMigration(2)] };

/** The webhook ingress: consumes nothing, serves the PSP's webhooks, publishes psp.events.v1 through its outbox. */
export function webhookIngressService(settings: IngressSettings): ServiceDefinition {
  return {
    ...WEBHOOK_INGRESS_SCHEMA,
    topics: [],
    module: (dependencies) => IngressModule.with(dependencies, settings),
    http: { port: settings.apiPort, host: settings.apiHost, configure: (app, dependencies) => configureIngressHttp(app, dependencies, settings) },
  };
}
