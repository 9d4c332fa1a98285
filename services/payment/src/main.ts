import 'reflect-metadata';
import { ConfigError, bootstrapService, loadServiceConfig, stopOnSignals } from '@txn/service-kit';
import { paymentService } from './service';
import { readPaymentSettings } from './settings';

/** node --import tsx services/payment/src/main.ts, with the settings of docs/decisions/0011-service-runtime.md plus PSP_*. */
async function main(): Promise<void> {
  const config = loadServiceConfig(process.env, readPaymentSettings);
  const service = await bootstrapService(config, paymentService(config));
  stopOnSignals(service, service.dependencies.logger);
}

main().catch((error: unknown) => {
  // Before (or without) the logger: one JSON line on stderr naming what is wrong.
  const problems = error instanceof ConfigError ? error.problems : undefined;
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'payment', msg: 'failed to start', errorClass: (error as Error).name, error: (error as Error).message, problems })}\n`);
  process.exit(1);
});
