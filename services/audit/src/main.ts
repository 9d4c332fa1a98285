import 'reflect-metadata';
import { bootstrapService, loadServiceConfig, runServiceCommand, stopOnSignals } from '@txn/service-kit';
import { AUDIT_SCHEMA, auditService } from './service';
import { readAuditSettings } from './settings';

/**
 * node --import tsx services/audit/src/main.ts           the audit service (health and metrics on HTTP_PORT)
 * node --import tsx services/audit/src/main.ts migrate   the migration step alone (docs/decisions/0015-database-roles.md)
 */
void runServiceCommand({
  service: 'audit',
  schema: AUDIT_SCHEMA,
  serve: async () => {
    const config = loadServiceConfig(process.env, readAuditSettings);
    const service = await bootstrapService(config, auditService(config));
    stopOnSignals(service, service.dependencies.logger);
  },
});
