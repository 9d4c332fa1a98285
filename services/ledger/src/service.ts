import { BookingCompleted, PaymentAuthorized } from '@txn/contracts';
import type { ServiceDefinition } from '@txn/service-kit';
import { LedgerModule } from './ledger.module';
import { LEDGER_CODE_MIGRATIONS, MIGRATIONS_DIR } from './persistence/migrations';
import type { LedgerSettings } from './settings';

/** What makes the kit's service the ledger service: payment and booking facts in, ledger.events.v1 out. */
export function ledgerService(settings: LedgerSettings): ServiceDefinition {
  return {
    topics: [PaymentAuthorized.topic, BookingCompleted.topic],
    migrationsDirectory: MIGRATIONS_DIR,
    codeMigrations: LEDGER_CODE_MIGRATIONS,
    module: (dependencies) => LedgerModule.with(dependencies, settings),
  };
}
