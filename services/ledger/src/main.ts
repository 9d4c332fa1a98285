import 'reflect-metadata';
import { ConfigError, bootstrapService, loadServiceConfig, stopOnSignals } from '@txn/service-kit';
import { ledgerService } from './service';
import { readLedgerSettings } from './settings';

/** node --import tsx services/ledger/src/main.ts, with the settings of docs/decisions/0011-service-runtime.md and settings.ts. */
async function main(): Promise<void> {
  const config = loadServiceConfig(process.env, readLedgerSettings);
  const service = await bootstrapService(config, ledgerService(config));
  stopOnSignals(service, service.dependencies.logger);
}

main().catch((error: unknown) => {
  // Before (or without) the logger: one JSON line on stderr naming what is wrong.
  const problems = error instanceof ConfigError ? error.problems : undefined;
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'ledger', msg: 'failed to start', errorClass: (error as Error).name, error: (error as Error).message, problems })}\n`);
  process.exit(1);
});
