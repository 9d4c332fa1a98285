import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandConnection, commandInstant, commandInteger, commandOption, jsonLine } from '@txn/service-kit';

/**
 * The PSP's events since a point in time, fetched and fed through the webhook path, from the
 * command line. Only the ingress' database is needed: the request is claimed by the running
 * ingress (any instance), which reads the PSP's event list with its own PSP key and stores each
 * event exactly as a webhook (deduplicated by the PSP's event id; published once).
 *
 *   catch-up [--since 2h|<ISO>] [--account A] [--wait-s N]
 *       prints the report: account, pages, fetched, stored (new to us), known (delivered already),
 *       unreadable. `--account`: whose event list (default `default`, POST /webhooks/stripe's).
 *       Exit 0 caught up, 1 stopped at its page bound (the service goes on; run again) or the
 *       ingress has no API key for that account, 2 could not run (no ingress answered in time, or
 *       it has no PSP_API_URL to read from).
 *
 *   ./platform ingress catch-up --since 2h   (the local platform: finds the ingress' settings itself)
 */

const CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_SINCE = '24h';
const DEFAULT_WAIT_S = 300;
const MAX_WAIT_S = 3_600;
const WAIT_POLL_MS = 500;
/** Stripe keeps its event list for 30 days: further back finds nothing and would read as "caught up". */
const MAX_LOOKBACK_MS = 30 * 86_400_000;

async function catchUp(pool: Pool, args: readonly string[]): Promise<number> {
  const now = new Date();
  const since = commandInstant(commandOption(args, '--since') ?? DEFAULT_SINCE, now, '--since');
  const wait_s = commandInteger(commandOption(args, '--wait-s'), DEFAULT_WAIT_S, MAX_WAIT_S, '--wait-s');
  if (since.getTime() >= now.getTime()) throw new Error(`--since ${since.toISOString()} is not in the past`);
  if (now.getTime() - since.getTime() > MAX_LOOKBACK_MS) throw new Error(`--since ${since.toISOString()} is beyond the PSP's 30-day event list`);
  // Which PSP account's event list (its own API key): `default` is POST /webhooks/stripe's.
  const account = commandOption(args, '--account') ?? 'default';
  if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(account)) throw new Error(`--account "${account}" is not an account name (lower case, digits, - and _)`);
  const requestId = randomUUID();
  await pool.query("INSERT INTO catch_up_requests (request_id, provider, account, since) VALUES ($1, 'stripe', $2, $3)", [requestId, account, since]);
  const deadline = Date.now() + wait_s * 1_000;
  while (Date.now() < deadline) {
    const { rows } = await pool.query<{ report: { complete?: boolean } | null }>('SELECT report FROM catch_up_requests WHERE request_id = $1', [requestId]);
    const report = rows[0]?.report;
    if (report !== null && report !== undefined) {
      process.stdout.write(`${jsonLine({ verdict: report.complete === true ? 'CAUGHT_UP' : 'INCOMPLETE', requestId, ...report })}\n`);
      return report.complete === true ? 0 : 1;
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, WAIT_POLL_MS));
  }
  process.stderr.write(`ingress catch-up: no webhook-ingress answered request ${requestId} within ${wait_s} s (is it running, with PSP_API_URL set? ./platform status)\n`);
  return 2;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'catch-up') {
    process.stderr.write('usage: catch-up-main.ts catch-up [--since 24h|ISO] [--wait-s N]\n');
    return 2;
  }
  let pool: Pool;
  try {
    pool = new Pool({ ...commandConnection('webhook_ingress', 'ingress catch-up', process.env, './platform ingress catch-up'), max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'webhook-ingress-catch-up' });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  try {
    return await catchUp(pool, args);
  } catch (error) {
    process.stderr.write(`ingress catch-up: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await pool.end();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
