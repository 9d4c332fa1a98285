import type { PoolConfig } from 'pg';
import { commandConnection as serviceCommandConnection, jsonLine } from '@txn/service-kit';

/** Where a ledger command (verify, breaks) connects: LEDGER_DATABASE_URL, else the ledger's own DATABASE_* settings. */
export function commandConnection(command: string, env: NodeJS.ProcessEnv): PoolConfig {
  return serviceCommandConnection('ledger', command, env, `./platform ledger ${command}`);
}

/** JSON with bigints as decimal strings: amounts are exact. */
export const json = jsonLine;
