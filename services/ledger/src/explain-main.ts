import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { SUSPENSE_TARGETS } from '@txn/ledger-domain';
import { commandInteger, commandOption } from '@txn/service-kit';
import { commandConnection, json } from './command-database';

/**
 * `explain` for a person: says where the money a break booked to SUSPENSE belongs, and why
 * (docs/decisions/0031). The running ledger answers the request: one adjusting entry out of
 * SUSPENSE by this person (EntryPosted, so payment's reconciliation sees the suspense cleared and
 * closes its IN_SUSPENSE break on its next run), and the break marked EXPLAINED.
 *
 *   ./platform ledger explain <breakId> --to MERCHANT_PAYABLE --by <who> --reason "<why>" [--wait-s N]
 *   ./platform ledger explain <breakId> --by <who> --reason "<why>"   (a break that booked no money)
 *
 * Exit 0: explained (now or before); 1: refused or failed (the answer says why); 2: could not run
 * (bad arguments, database down, no ledger answered in time). Asking again is safe: one entry per break.
 */

const CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_WAIT_S = 30;
const MAX_WAIT_S = 600;
const WAIT_POLL_MS = 250;
const USAGE = `usage: explain <breakId> [--to ${SUSPENSE_TARGETS.join('|')}] --by <who> --reason "<why>" [--wait-s N]`;

interface ExplainArguments {
  readonly breakId: string;
  readonly to: string | null;
  readonly by: string;
  readonly reason: string;
  readonly wait_s: number;
}

function argumentsOf(args: readonly string[]): ExplainArguments {
  const [breakId] = args;
  if (breakId === undefined || breakId.startsWith('--')) throw new Error(USAGE);
  const by = commandOption(args, '--by');
  const reason = commandOption(args, '--reason');
  if (by === undefined || by.trim() === '' || reason === undefined || reason.trim() === '') throw new Error(`--by and --reason are required: who explains the break, and why\n${USAGE}`);
  return { breakId, to: commandOption(args, '--to') ?? null, by, reason, wait_s: commandInteger(commandOption(args, '--wait-s'), DEFAULT_WAIT_S, MAX_WAIT_S, '--wait-s') };
}

async function explain(pool: Pool, request: ExplainArguments): Promise<number> {
  const requestId = randomUUID();
  await pool.query('INSERT INTO suspense_explanation_requests (request_id, break_id, target_code, explained_by, reason) VALUES ($1, $2, $3, $4, $5)', [requestId, request.breakId, request.to, request.by, request.reason]);
  const deadline = Date.now() + request.wait_s * 1_000;
  while (Date.now() < deadline) {
    const { rows } = await pool.query<{ outcome: string | null }>('SELECT request_id, break_id, target_code, explained_by, outcome, entry_id, detail, requested_at, answered_at FROM suspense_explanation_requests WHERE request_id = $1', [requestId]);
    const answered = rows[0];
    if (answered !== undefined && answered.outcome !== null) {
      process.stdout.write(`${json(answered)}\n`);
      return answered.outcome === 'EXPLAINED' || answered.outcome === 'ALREADY_EXPLAINED' ? 0 : 1;
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, WAIT_POLL_MS));
  }
  process.stderr.write(`explain: no ledger answered request ${requestId} within ${request.wait_s} s (is it running? ./platform status); it stays queued and is answered when one runs\n`);
  return 2;
}

async function main(): Promise<number> {
  let request: ExplainArguments;
  let pool: Pool;
  try {
    request = argumentsOf(process.argv.slice(2));
    pool = new Pool({ ...commandConnection('explain', process.env), max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'ledger-explain' });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  try {
    return await explain(pool, request);
  } catch (error) {
    process.stderr.write(`explain: could not run: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await pool.end();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
