import { Pool } from 'pg';
import { commandConnection, commandInstant, commandInteger, commandOption, jsonLine } from '@txn/service-kit';
import { listDeliveries, replayDeliveries } from './delivery-log';

/**
 * The notification service's commands, for a person or a merchant's support engineer:
 *
 *   ./platform notifications deliveries [--endpoint E] [--merchant M] [--type T] [--status PENDING|SUCCEEDED|GAVE_UP] [--since 24h|ISO] [--until ISO] [--limit N]
 *     the delivery log, newest first: one JSON line per delivery with every attempt. Exit 0, 2.
 *   ./platform notifications replay <delivery id>
 *   ./platform notifications replay --endpoint E --since 24h|ISO
 *     send again (same event id and body, a new retry round, due now). Exit 0 (the count on
 *     stdout), 1 nothing matched, 2 could not run.
 *
 * Needs the service's DATABASE_* settings (its runtime role).
 */

const CONNECT_TIMEOUT_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = ['PENDING', 'SUCCEEDED', 'GAVE_UP'];

function write(line: unknown): void {
  process.stdout.write(`${jsonLine(line)}\n`);
}

function uuidOption(args: readonly string[], name: string): string | undefined {
  const value = commandOption(args, name);
  if (value !== undefined && !UUID.test(value)) throw new Error(`${name} takes a UUID`);
  return value;
}

async function deliveries(pool: Pool, args: readonly string[]): Promise<number> {
  const now = new Date();
  const status = commandOption(args, '--status');
  if (status !== undefined && !STATUSES.includes(status)) throw new Error(`--status takes one of ${STATUSES.join(', ')}`);
  const since = commandOption(args, '--since');
  const until = commandOption(args, '--until');
  const rows = await listDeliveries(pool, {
    endpointId: uuidOption(args, '--endpoint'),
    merchantId: commandOption(args, '--merchant'),
    eventType: commandOption(args, '--type'),
    status,
    since: since === undefined ? undefined : commandInstant(since, now, '--since'),
    until: until === undefined ? undefined : commandInstant(until, now, '--until'),
    limit: commandInteger(commandOption(args, '--limit'), 100, 10_000, '--limit'),
  });
  for (const row of rows) write(row);
  if (rows.length === 0) process.stderr.write('deliveries: none matched\n');
  return 0;
}

async function replay(pool: Pool, args: readonly string[]): Promise<number> {
  const [first] = args;
  const endpointId = uuidOption(args, '--endpoint');
  const since = commandOption(args, '--since');
  let count: number;
  if (first !== undefined && UUID.test(first)) count = await replayDeliveries(pool, { deliveryId: first });
  else if (endpointId !== undefined && since !== undefined) count = await replayDeliveries(pool, { endpointId, since: commandInstant(since, new Date(), '--since') });
  else throw new Error('replay: name a delivery id, or --endpoint E --since T');
  write({ replayed: count });
  return count === 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'deliveries' && command !== 'replay') {
    process.stderr.write('usage: notification-main.ts deliveries [--endpoint E] [--merchant M] [--type T] [--status S] [--since T] [--until T] [--limit N] | replay <delivery id> | replay --endpoint E --since T\n');
    return 2;
  }
  let pool: Pool | undefined;
  try {
    pool = new Pool({ ...commandConnection('notification', `notifications ${command}`, process.env, './platform up notification'), max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: `notification-${command}` });
    return command === 'deliveries' ? await deliveries(pool, args) : await replay(pool, args);
  } catch (error) {
    process.stderr.write(`notifications ${command}: could not run: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await pool?.end();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
