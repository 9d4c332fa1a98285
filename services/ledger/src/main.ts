import 'reflect-metadata';
import { bootstrapService, loadServiceConfig, runServiceCommand, stopOnSignals } from '@txn/service-kit';
import { LEDGER_SCHEMA, ledgerService } from './service';
import { readLedgerSettings } from './settings';

/**
 * node --import tsx services/ledger/src/main.ts           the service, with the settings of docs/decisions/0011-service-runtime.md and settings.ts
 * node --import tsx services/ledger/src/main.ts migrate   the migration step alone (docs/decisions/0015-database-roles.md)
 */
void runServiceCommand({
  service: 'ledger',
  schema: LEDGER_SCHEMA,
  serve: async () => {
    const config = loadServiceConfig(process.env, readLedgerSettings);
    const service = await bootstrapService(config, ledgerService(config));
    stopOnSignals(service, service.dependencies.logger);
  },
});
