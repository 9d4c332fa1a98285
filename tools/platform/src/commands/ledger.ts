import type { PlatformConfig } from '@txn/infra-local';
import { runServiceCommand, serviceDatabaseSettings, type ServiceProgram, type ServiceProgramOptions, type ServiceProgramTable } from './service-programs';

/**
 * `./platform ledger <command>`: the ledger service's own programs (`services/ledger/src/<name>-main.ts`)
 * with the ledger's settings (service-programs.ts). A new command is one entry in LEDGER_COMMANDS.
 */
export const LEDGER_COMMANDS: Readonly<Record<string, ServiceProgram>> = {
  verify: {
    summary: 'prove the books: every balance equals its journal lines and pending holds, every entry balances, every currency nets to zero',
    program: 'verify-main.ts',
    exitCodes: '0 clean, 1 discrepancies (one JSON line each, then a summary), 2 could not run',
  },
  breaks: {
    summary: 'list the open breaks: facts the books could not place (booked to SUSPENSE when money moved), oldest first [--limit N]',
    program: 'breaks-main.ts',
    exitCodes: '0 none open, 1 breaks to explain (one JSON line each, then a summary by kind), 2 could not run',
  },
  explain: {
    summary: 'explain a break: <breakId> [--to MERCHANT_PAYABLE|PSP_CLEARING|PLATFORM_FEE_REVENUE|PLATFORM_FEE_REFUNDS] --by <who> --reason "<why>": one adjusting entry out of SUSPENSE, by that person; the running ledger answers',
    program: 'explain-main.ts',
    exitCodes: '0 explained (now or before), 1 refused or failed (the answer says why), 2 could not run (no ledger answered in time)',
  },
};

const LEDGER_PROGRAMS: ServiceProgramTable = { service: 'ledger', verb: 'ledger', commands: LEDGER_COMMANDS };

/** The database settings the ledger component hands the running ledger service (its runtime role). */
export function ledgerDatabaseSettings(config: PlatformConfig): Record<string, string> {
  return serviceDatabaseSettings(config, 'ledger');
}

/** `./platform ledger <command> [args…]`; returns the process exit code. */
export function runLedgerCommand(args: readonly string[], config: PlatformConfig, options: ServiceProgramOptions = {}): Promise<number> {
  return runServiceCommand(LEDGER_PROGRAMS, args, config, options);
}
