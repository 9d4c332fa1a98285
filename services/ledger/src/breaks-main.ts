import { Pool, type PoolConfig } from 'pg';
import { openBreaks, MAX_BREAKS_LISTED } from './breaks';
import { commandConnection, json } from './command-database';

/**
 * `breaks` for a person or a cron job: every open break (a fact the books could not place: booked
 * to SUSPENSE when money moved) as one JSON line, oldest first, then a summary by kind.
 * Exit 0: none open; 1: breaks to explain; 2: could not run (bad setting, database down).
 *
 *   ./platform ledger breaks [--limit N]   (the local platform: finds the ledger's settings itself)
 *   DATABASE_HOST=… … node --import tsx services/ledger/src/breaks-main.ts   (the service's own settings)
 *
 * It only reads: the service's runtime role is enough.
 */

const CONNECT_TIMEOUT_MS = 10_000;

function limitOf(args: readonly string[]): number {
  const at = args.indexOf('--limit');
  if (at === -1) return MAX_BREAKS_LISTED;
  const limit = Number(args[at + 1]);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_BREAKS_LISTED) throw new Error(`breaks: --limit takes 1..${MAX_BREAKS_LISTED}, got ${args[at + 1] ?? 'nothing'}`);
  return limit;
}

async function main(): Promise<number> {
  let connection: PoolConfig;
  let limit: number;
  try {
    connection = commandConnection('breaks', process.env);
    limit = limitOf(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const pool = new Pool({ ...connection, max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'ledger-breaks' });
  try {
    const open = await openBreaks(pool, limit);
    for (const raised of open) process.stdout.write(`${json(raised)}\n`);
    const byKind: Record<string, number> = {};
    for (const raised of open) byKind[raised.kind] = (byKind[raised.kind] ?? 0) + 1;
    process.stdout.write(`${json({ verdict: open.length === 0 ? 'NONE_OPEN' : 'OPEN_BREAKS', open: open.length, truncated: open.length === limit, byKind })}\n`);
    return open.length === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`breaks: could not run: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await pool.end();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
