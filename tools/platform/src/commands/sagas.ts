import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { componentsFor, Supervisor, type PlatformConfig } from '@txn/infra-local';

export const SAGAS_USAGE = `usage: ./platform sagas <command>
  overdue [--limit N]   sagas past their deadline and not finished (the booking database's
                        overdue_sagas view), most overdue first; at most N rows (default 50, max 1000)`;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1_000;
/** The per-stage totals stop counting here: the command stays quick however many sagas are stuck. */
const MAX_COUNTED = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 15_000;
/** PostgreSQL's undefined_table: the running booking service has not applied migration 003. */
const UNDEFINED_TABLE = '42P01';

class UsageError extends Error {}

export interface OverdueSaga {
  readonly booking_id: string;
  readonly tenant_id: string;
  readonly status: string;
  readonly stage: string;
  readonly deadline_at: Date;
  /** bigint in SQL: pg hands it over as a string. */
  readonly overdue_ms: string;
  readonly timeout_requested_at: Date | null;
}

/** 93_784_000 → "1d 2h 3m 4s": how late, for a person. */
export function formatOverdue(overdue_ms: number): string {
  const seconds = Math.floor(overdue_ms / 1_000);
  const parts = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'm'],
    [seconds % 60, 's'],
  ] as const;
  const first = parts.findIndex(([value]) => value > 0);
  if (first < 0) return `${overdue_ms} ms`;
  return parts.slice(first).map(([value, unit]) => `${value}${unit}`).join(' ');
}

/** The table `./platform sagas overdue` prints: one line per saga, then the totals per stage. */
export function formatOverdueSagas(rows: readonly OverdueSaga[], totals: ReadonlyMap<string, number>): string[] {
  const total = [...totals.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0) return ['no saga is past its deadline'];
  const header = ['BOOKING', 'TENANT', 'STATUS', 'STAGE', 'DEADLINE', 'OVERDUE', 'TIMEOUT REQUESTED'];
  const cells = rows.map((row) => [
    row.booking_id,
    row.tenant_id,
    row.status,
    row.stage,
    row.deadline_at.toISOString(),
    formatOverdue(Number(row.overdue_ms)),
    row.timeout_requested_at === null ? '-' : row.timeout_requested_at.toISOString(),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => (line[i] ?? '').length)));
  const lines = [header, ...cells].map((line) => line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  const byStage = [...totals].map(([stage, n]) => `${stage} ${n >= MAX_COUNTED ? `≥${MAX_COUNTED}` : n}`).join(', ');
  lines.push('', `${total >= MAX_COUNTED ? `≥${MAX_COUNTED}` : total} overdue (${byStage}); ${rows.length} shown`);
  // What a reader should do next, for the two ways a saga stays here.
  if (rows.some((row) => row.timeout_requested_at !== null)) lines.push('timeout requested but not applied: is booking consuming? ./platform dlq list');
  if (rows.some((row) => row.stage === 'HOLD')) lines.push('HOLD rows normally leave within one expiry sweep (BOOKING_EXPIRY_SWEEP_INTERVAL_MS): ./platform logs booking');
  return lines;
}

function limitOf(args: readonly string[]): number {
  const index = args.indexOf('--limit');
  if (index < 0) return DEFAULT_LIMIT;
  const value = args[index + 1];
  const limit = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || limit < 1 || limit > MAX_LIMIT) throw new UsageError(`--limit needs an integer in 1..${MAX_LIMIT}`);
  return limit;
}

/** The booking database as the running booking service reaches it: its component's settings and password file. */
function bookingConnection(config: PlatformConfig): Client {
  const supervisor = new Supervisor(config, componentsFor(config));
  const booking = supervisor.components.find((component) => component.name === 'booking');
  const env = booking === undefined ? undefined : booking.command(supervisor.context(booking)).env;
  const passwordFile = env?.DATABASE_PASSWORD_FILE;
  if (env === undefined || passwordFile === undefined) throw new Error('the booking component names no database settings');
  return new Client({
    host: env.DATABASE_HOST,
    port: Number(env.DATABASE_PORT),
    database: env.DATABASE_NAME,
    user: env.DATABASE_USER,
    password: readFileSync(passwordFile, 'utf8').trim(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: 'platform-sagas',
  });
}

async function printOverdue(config: PlatformConfig, limit: number): Promise<number> {
  const client = bookingConnection(config);
  await client.connect();
  try {
    const rows = await client.query<OverdueSaga>(
      'SELECT booking_id, tenant_id, status, stage, deadline_at, overdue_ms, timeout_requested_at FROM overdue_sagas ORDER BY deadline_at LIMIT $1',
      [limit],
    );
    const counted = await client.query<{ stage: string; n: number }>(
      'SELECT stage, count(*)::int AS n FROM (SELECT stage FROM overdue_sagas LIMIT $1) overdue GROUP BY stage ORDER BY stage',
      [MAX_COUNTED],
    );
    for (const line of formatOverdueSagas(rows.rows, new Map(counted.rows.map((row) => [row.stage, row.n])))) process.stdout.write(`${line}\n`);
    return 0;
  } catch (error) {
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) {
      process.stderr.write('sagas: the booking database has no overdue_sagas view yet: the running booking service predates its migration 003; restart it (./platform down booking && ./platform up booking)\n');
      return 1;
    }
    throw error;
  } finally {
    await client.end();
  }
}

/** `./platform sagas overdue`; returns the process exit code. */
export async function runSagasCommand(args: readonly string[], config: PlatformConfig): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command !== 'overdue') throw new UsageError(command === undefined ? 'name a command' : `unknown command ${command}`);
    return await printOverdue(config, limitOf(rest));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`sagas: ${error.message}\n${SAGAS_USAGE}\n`);
      return 2;
    }
    process.stderr.write(`sagas: ${(error as Error).message}\n`);
    return 1;
  }
}
