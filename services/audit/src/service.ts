import { join } from 'node:path';
import { messagingTablesMigration, type ServiceDefinition, type ServiceSchema } from '@txn/service-kit';
import { AUDITED_TOPICS } from './application/audited-events';
import { AuditModule } from './audit.module';
import type { AuditSettings } from './settings';

/** The audit's database: its migrations (and grants.sql), the outbox and inbox tables as migration 2. */
export const AUDIT_SCHEMA: ServiceSchema = { migrationsDirectory: join(__dirname, '..', 'migrations'), codeMigrations: [messagingTablesMigration(2)] };

/** What makes the kit's service the audit: every audited topic in, records chained per tenant, checkpoints out on audit.checkpoints.v1. */
export function auditService(settings: AuditSettings): ServiceDefinition {
  return {
    ...AUDIT_SCHEMA,
    topics: [...AUDITED_TOPICS],
    module: (dependencies) => AuditModule.with(dependencies, settings),
  };
}
