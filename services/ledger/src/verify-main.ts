import { Pool, type PoolConfig } from 'pg';
import { commandConnection, json } from './command-database';
import type { VerifyReport } from './application/verify-books/verify-books';
import { verifyLedger } from './verify';

/**
 * `verify` for a person or a cron job: prints every discrepancy as one JSON line, then a summary.
 * Exit 0: the ledger is proven; 1: discrepancies; 2: verify could not run (bad setting, database down).
 *
 *   ./platform ledger verify     (the local platform: finds the ledger's settings itself)
 *   DATABASE_HOST=… DATABASE_PORT=… DATABASE_NAME=… DATABASE_USER=… DATABASE_PASSWORD_FILE=… \
 *     node --import tsx services/ledger/src/verify-main.ts      (the service's own settings)
 *   LEDGER_DATABASE_URL=postgres://user:pass@host:port/db node --import tsx services/ledger/src/verify-main.ts
 *
 * It only reads (one REPEATABLE READ READ ONLY transaction): the service's runtime role is enough.
 */

const CONNECT_TIMEOUT_MS = 10_000;

function print(report: VerifyReport): void {
  for (const finding of report.findings) process.stdout.write(`${json(finding)}\n`);
  const summary = {
    verdict: report.findings.length === 0 ? 'CLEAN' : 'DISCREPANCIES',
    discrepancies: report.findings.length,
    truncated: report.truncated,
    accountsChecked: report.accountsChecked,
    entriesChecked: report.entriesChecked,
    domainVerify: report.domainVerify,
    currencies: report.currencies,
  };
  process.stdout.write(`${json(summary)}\n`);
}

async function main(): Promise<number> {
  let connection: PoolConfig;
  try {
    connection = commandConnection('verify', process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  // One connection: verify runs in a single snapshot transaction.
  const pool = new Pool({ ...connection, max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'ledger-verify' });
  try {
    const report = await verifyLedger(pool);
    print(report);
    return report.findings.length === 0 && !report.truncated ? 0 : 1;
  } catch (error) {
    process.stderr.write(`verify: could not run: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await pool.end();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
