import { BookingCompleted, PaymentAuthorized } from '@txn/contracts';
import type { ServiceDefinition, ServiceSchema } from '@txn/service-kit';
import { LedgerModule } from './ledger.module';
import { LEDGER_CODE_MIGRATIONS, MIGRATIONS_DIR } from './persistence/migrations';
import type { LedgerSettings } from './settings';

/** The ledger's database: its migrations (and migrations/grants.sql), what `main.ts migrate` applies. */
export const LEDGER_SCHEMA: ServiceSchema = { migrationsDirectory: MIGRATIONS_DIR, codeMigrations: LEDGER_CODE_MIGRATIONS };

/** What makes the kit's service the ledger service: payment and booking facts in, ledger.events.v1 out. */
export function ledgerService(settings: LedgerSettings): ServiceDefinition {
  return {
    ...LEDGER_SCHEMA,
    topics: [PaymentAuthorized.topic, BookingCompleted.topic],
    module: (dependencies) => LedgerModule.with(dependencies, settings),
  };
}
