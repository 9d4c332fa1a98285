import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandConnection, commandInstant as instant, commandInteger as integer, commandOption as option, jsonLine } from '@txn/service-kit';

/**
 * Reconciliation from the command line (docs/decisions/0029). Only payment's database is needed:
 *
 *   run [--since 24h|<ISO>] [--until <ISO>] [--wait-s N]
 *       asks the running payment service for a run over the window (recon_requests), waits for it
 *       and prints its breaks (one JSON line each) and the run. Exit 0 clean, 1 breaks, 3 the run
 *       failed (it could not see its whole window), 2 could not run (no service answered in time).
 *   breaks [--limit N]
 *       the open breaks between the PSP and payments, oldest first, then a summary by kind.
 *       Exit 0 none open, 1 breaks to explain, 2 could not run.
 *
 *   ./platform recon run --since 2h   (the local platform: finds payment's settings itself)
 */

const CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_SINCE_MS = 24 * 3_600_000;
const DEFAULT_WAIT_S = 300;
const MAX_WAIT_S = 3_600;
const WAIT_POLL_MS = 500;
const MAX_BREAKS_LISTED = 1_000;

interface RunRow {
  readonly run_id: string;
  readonly outcome: 'CLEAN' | 'BREAKS' | 'FAILED';
  readonly started_at: Date;
  readonly [column: string]: unknown;
}

async function run(pool: Pool, args: readonly string[]): Promise<number> {
  const now = new Date();
  const since = instant(option(args, '--since') ?? `${DEFAULT_SINCE_MS / 3_600_000}h`, now, '--since');
  const until = option(args, '--until') === undefined ? now : instant(option(args, '--until') as string, now, '--until');
  const wait_s = integer(option(args, '--wait-s'), DEFAULT_WAIT_S, MAX_WAIT_S, '--wait-s');
  if (until.getTime() <= since.getTime()) throw new Error(`the window is empty: --since ${since.toISOString()} is not before --until ${until.toISOString()}`);
  const requestId = randomUUID();
  await pool.query('INSERT INTO recon_requests (request_id, window_from, window_to) VALUES ($1, $2, $3)', [requestId, since, until]);
  const deadline = Date.now() + wait_s * 1_000;
  while (Date.now() < deadline) {
    const { rows } = await pool.query<RunRow>('SELECT r.* FROM recon_requests q JOIN recon_runs r ON r.run_id = q.run_id WHERE q.request_id = $1', [requestId]);
    const done = rows[0];
    if (done !== undefined) {
      // Every break still open after the run (found again or raised now), the evidence left to `breaks`.
      const { rows: raised } = await pool.query('SELECT kind, leg, payment_id, tenant_id, psp_object_id, detail, explanation, raised_at, raised_at >= $1 AS new FROM psp_breaks WHERE resolved_at IS NULL ORDER BY raised_at LIMIT $2', [done.started_at, MAX_BREAKS_LISTED]);
      for (const found of raised) process.stdout.write(`${jsonLine(found)}\n`);
      process.stdout.write(`${jsonLine({ verdict: done.outcome, ...done })}\n`);
      return done.outcome === 'CLEAN' ? 0 : done.outcome === 'BREAKS' ? 1 : 3;
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, WAIT_POLL_MS));
  }
  process.stderr.write(`recon run: no payment service answered request ${requestId} within ${wait_s} s (is it running? ./platform status)\n`);
  return 2;
}

async function breaks(pool: Pool, args: readonly string[]): Promise<number> {
  const limit = integer(option(args, '--limit'), MAX_BREAKS_LISTED, MAX_BREAKS_LISTED, '--limit');
  const { rows } = await pool.query<{ kind: string }>(
    'SELECT break_id, kind, leg, payment_id, tenant_id, psp_object_id, psp_event_id, detail, explanation, evidence, raised_at FROM psp_breaks WHERE resolved_at IS NULL ORDER BY raised_at LIMIT $1',
    [limit],
  );
  for (const found of rows) process.stdout.write(`${jsonLine(found)}\n`);
  const byKind: Record<string, number> = {};
  for (const found of rows) byKind[found.kind] = (byKind[found.kind] ?? 0) + 1;
  process.stdout.write(`${jsonLine({ verdict: rows.length === 0 ? 'NONE_OPEN' : 'OPEN_BREAKS', open: rows.length, truncated: rows.length === limit, byKind })}\n`);
  return rows.length === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'run' && command !== 'breaks') {
    process.stderr.write('usage: recon-main.ts run [--since 24h|ISO] [--until ISO] [--wait-s N] | breaks [--limit N]\n');
    return 2;
  }
  let pool: Pool;
  try {
    pool = new Pool({ ...commandConnection('payment', `recon ${command}`, process.env, `./platform recon ${command}`), max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: `payment-recon-${command}` });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  try {
    return command === 'run' ? await run(pool, args) : await breaks(pool, args);
  } catch (error) {
    process.stderr.write(`recon ${command}: could not run: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await pool.end();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
