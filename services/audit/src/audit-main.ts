import { Pool } from 'pg';
import { AuditCheckpointTaken, AVRO_TYPE_OPTIONS } from '@txn/contracts';
import { AvroCodec } from '@txn/messaging';
import { commandConnection, commandOption, jsonLine, SettingsReader } from '@txn/service-kit';
import { readLatestCheckpoints } from './kafka/checkpoint-reader';
import { sagaTrail, verifyTrail } from './verify-trail';

/**
 * The audit trail's commands, for a person, an auditor's script or a cron job:
 *
 *   ./platform audit verify [--tenant T] [--no-checkpoints]
 *     walks every chain (or one tenant's), then holds each against its latest checkpoint on
 *     audit.checkpoints.v1; prints one JSON line per chain and a summary.
 *     Exit 0: every chain verifies; 1: a broken link (the line names the first, its kind and
 *     sequence number); 2: could not run.
 *   ./platform audit trail <booking id> [--limit N]
 *     one saga's whole story, one JSON line per record in the order things happened. Exit 0, 2.
 *
 * Reads only (the service's runtime role is enough). Needs the service's DATABASE_* settings, and
 * for the checkpoints KAFKA_BROKERS, SCHEMA_REGISTRY_URL (and KAFKA_TOPIC_PREFIX if the
 * platform runs with one).
 */

const CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_TRAIL_LIMIT = 1_000;
const MAX_TRAIL_LIMIT = 10_000;

function write(line: unknown): void {
  process.stdout.write(`${jsonLine(line)}\n`);
}

async function checkpointsFor(args: readonly string[]): Promise<Awaited<ReturnType<typeof readLatestCheckpoints>> | undefined> {
  if (args.includes('--no-checkpoints')) return undefined;
  const settings = new SettingsReader(process.env);
  const brokers = settings.hostPorts('KAFKA_BROKERS');
  const registryUrl = settings.url('SCHEMA_REGISTRY_URL');
  const prefix = settings.text('KAFKA_TOPIC_PREFIX', { default: '' });
  settings.done();
  const codec = new AvroCodec({ registryUrl, clientId: 'audit-verify', typeOptions: AVRO_TYPE_OPTIONS });
  return readLatestCheckpoints({ brokers, topic: `${prefix}${AuditCheckpointTaken.topic}`, codec });
}

async function verify(pool: Pool, args: readonly string[]): Promise<number> {
  const checkpoints = await checkpointsFor(args);
  const tenant = commandOption(args, '--tenant');
  const report = await verifyTrail(pool, checkpoints ?? new Map(), tenant);
  for (const verdict of report.verdicts) write(verdict);
  const broken = report.verdicts.filter((verdict) => !verdict.ok);
  write({ verdict: broken.length === 0 ? 'VERIFIED' : 'BROKEN', chains: report.chainsChecked, broken: broken.length, checkpoints: checkpoints === undefined ? 'not read (--no-checkpoints): a deleted tail would go unseen' : checkpoints.size });
  return broken.length === 0 ? 0 : 1;
}

async function trail(pool: Pool, args: readonly string[]): Promise<number> {
  const bookingId = args[0];
  if (bookingId === undefined || bookingId.startsWith('--')) throw new Error('trail: name a booking id');
  const limitText = commandOption(args, '--limit');
  const limit = limitText === undefined ? DEFAULT_TRAIL_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRAIL_LIMIT) throw new Error(`--limit takes an integer in 1..${MAX_TRAIL_LIMIT}`);
  const rows = await sagaTrail(pool, bookingId, limit);
  for (const row of rows) {
    write({ at: row.occurred_at, seq: row.seq, action: row.action, aggregate: `${row.aggregate_type}/${row.aggregate_id}@${row.aggregate_version}`, status: `${row.status_before ?? '∅'} → ${row.status_after ?? '∅'}`, reason: row.reason, actor: `${row.actor_type}:${row.actor_id}`, producer: row.producer, traceId: row.trace_id, changes: row.changes });
  }
  if (rows.length === 0) process.stderr.write(`trail: no audit record names ${bookingId}\n`);
  return 0;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'verify' && command !== 'trail') {
    process.stderr.write('usage: audit-main.ts verify [--tenant T] [--no-checkpoints] | trail <booking id> [--limit N]\n');
    return 2;
  }
  let pool: Pool | undefined;
  try {
    pool = new Pool({ ...commandConnection('audit', `audit ${command}`, process.env, './platform up audit'), max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: `audit-${command}` });
    return command === 'verify' ? await verify(pool, args) : await trail(pool, args);
  } catch (error) {
    process.stderr.write(`audit ${command}: could not run: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await pool?.end();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
