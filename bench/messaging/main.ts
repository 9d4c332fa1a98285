// Messaging benchmark: producer transactions → outbox → relay → Kafka → inbox consumer, all on
// the real local infrastructure (`./platform up` first). Three measurements, one run:
//   1. raw limits measured here and now: PostgreSQL commits/s on this disk (one connection,
//      one row per commit) and Kafka produce + consume rates with the same client (kafkajs);
//   2. the pipeline at a fixed offered load (--rate events/s for --seconds): handled/s and
//      end-to-end latency (event occurredAt → inbox transaction) p50/p99;
//   3. the pipeline saturated (--events written as fast as possible): the most it handles.
// Both pipeline runs check the invariants: every event applied exactly once, per-key order kept.
//
//   npm run bench:messaging -- [--rate 1000] [--seconds 15] [--events 20000] [--keys 500]
//                              [--tx-size 100] [--partitions 6]
//
// Prints the figures and writes bench/results/messaging.json.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { AVRO_TYPE_OPTIONS, EVENT_TYPES, type BookingHeld } from '@txn/contracts';
import { kafkaBrokers, loadPlatformConfig, postgresAdmin, provisionDatabase, dropProvisionedDatabases, schemaRegistryUrl } from '@txn/infra-local';
import {
  AvroCodec,
  createInboxConsumer,
  createKafkaConsumerTransport,
  createKafkaPublisher,
  ensureInboxSchema,
  INBOX_TABLE,
  type HandlerOutcome,
  type InboxConsumer,
  type InboxMessage,
} from '@txn/messaging';
import { appendToOutbox, ensureOutboxSchema, OutboxRelay, type OutboxMessage } from '@txn/outbox';
import { registerSchemas } from '@txn/schema-deploy';
import { inTransaction, type SqlTransaction } from '@txn/sql';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '15' },
    events: { type: 'string', default: '20000' },
    keys: { type: 'string', default: '500' },
    'tx-size': { type: 'string', default: '100' },
    partitions: { type: 'string', default: '6' },
  },
});
const OFFERED_RATE_PER_S = Number(args.rate);
const OFFERED_SECONDS = Number(args.seconds);
const SATURATION_EVENTS = Number(args.events);
const KEYS = Number(args.keys);
const TX_SIZE = Number(args['tx-size']);
const PARTITIONS = Number(args.partitions);
/** Each pipeline run must drain within this after its last write, or the benchmark fails. */
const DRAIN_TIMEOUT_MS = 5 * 60_000;
const POLL_MS = 50;
const RAW_COMMIT_SECONDS = 3;
const RAW_KAFKA_MESSAGES = 100_000;
const RAW_KAFKA_BATCH = 500;

const contract = EVENT_TYPES.BookingHeld;
const config = loadPlatformConfig();
const runId = randomBytes(3).toString('hex');
const logger = pino({ level: 'warn' });
const codec = new AvroCodec({ registryUrl: schemaRegistryUrl(config), clientId: 'bench', typeOptions: AVRO_TYPE_OPTIONS });
const kafka = new Kafka({ clientId: 'bench', brokers: kafkaBrokers(config), logLevel: logLevel.NOTHING });

function bookingHeld(key: string, sequence: number): BookingHeld {
  const now = new Date();
  return {
    envelope: {
      eventId: randomUUID(),
      eventType: 'BookingHeld',
      occurredAt: now,
      producer: 'bench',
      aggregateId: key,
      aggregateVersion: BigInt(sequence),
      correlationId: key,
      causationId: null,
      actor: { type: 'SERVICE', id: 'bench' },
      tenantId: 'bench-merchant',
    },
    bookingId: key,
    statusBefore: null,
    statusAfter: 'HELD',
    reason: 'REQUESTED',
    customerId: 'customer-1',
    customerEmail: null,
    slot: { resourceId: 'room-1', startsAt: now, endsAt: new Date(now.getTime() + 3_600_000) },
    price: { amountMinor: 12_345n, currency: 'EUR' },
    holdExpiresAt: new Date(now.getTime() + 900_000),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN);
}

const sleep = (ms: number): Promise<void> => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));

interface Stage {
  readonly pool: Pool;
  readonly connection: { host: string; port: number; database: string; user: string; password: string };
  readonly topic: string;
  readonly subject: string;
}

const databases: string[] = [];
const topics: string[] = [];

async function stage(label: string): Promise<Stage> {
  const admin = postgresAdmin(config);
  const name = `bench_${label}_${runId}`;
  const password = randomBytes(18).toString('base64url');
  const { database, user } = await provisionDatabase(admin, name, password);
  databases.push(name);
  const connection = { host: admin.host, port: admin.port, database, user, password };
  const pool = new Pool({ ...connection, max: 8 });
  const topic = `bench.${label}.${runId}`;
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  await kafkaAdmin.disconnect();
  topics.push(topic);
  const subject = `${topic}-txn.booking.BookingHeld`;
  await registerSchemas(schemaRegistryUrl(config), { BookingHeld: { subject, schema: contract.schema } });
  return { pool, connection, topic, subject };
}

/** PostgreSQL commits/s with one connection, one row per transaction: what an unbatched consumer gets. */
async function rawCommitRate(): Promise<number> {
  const { pool } = await stage('commit');
  await pool.query('CREATE TABLE bench_commit (id bigint PRIMARY KEY)');
  const client = await pool.connect();
  let commits = 0;
  const until = Date.now() + RAW_COMMIT_SECONDS * 1000;
  while (Date.now() < until) {
    await client.query('INSERT INTO bench_commit VALUES ($1)', [commits]);
    commits += 1;
  }
  client.release();
  await pool.end();
  return Math.round(commits / RAW_COMMIT_SECONDS);
}

/** Kafka produce and consume rates with the same client and the same message size, nothing else. */
async function rawKafkaRates(): Promise<{ produce_per_s: number; consume_per_s: number; messageBytes: number }> {
  const { pool, topic, subject } = await stage('raw');
  await pool.end();
  const value = await codec.encode(subject, contract.schema, bookingHeld('booking-0', 1));
  const publisher = await createKafkaPublisher({ clientId: 'bench-raw', brokers: kafkaBrokers(config) });
  const produceStart = Date.now();
  for (let sent = 0; sent < RAW_KAFKA_MESSAGES; sent += RAW_KAFKA_BATCH) {
    const batch = Array.from({ length: RAW_KAFKA_BATCH }, (_, i) => ({ topic, key: `booking-${(sent + i) % KEYS}`, value, headers: {} }));
    await publisher.publish(batch);
  }
  const produceSeconds = (Date.now() - produceStart) / 1000;
  await publisher.close();

  const consumer = kafka.consumer({ groupId: `bench.raw.${runId}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let firstAt = 0;
  let lastAt = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (firstAt === 0) firstAt = Date.now();
      consumed += batch.messages.length;
      lastAt = Date.now();
    },
  });
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (consumed < RAW_KAFKA_MESSAGES && Date.now() < deadline) await sleep(POLL_MS);
  await consumer.disconnect();
  return {
    produce_per_s: Math.round(RAW_KAFKA_MESSAGES / produceSeconds),
    // From the first fetched batch: the group join is not part of the rate.
    consume_per_s: Math.round(consumed / Math.max(0.001, (lastAt - firstAt) / 1000)),
    messageBytes: value.length,
  };
}

interface PipelineResult {
  readonly events: number;
  readonly handled_per_s: number;
  readonly latency_ms: { p50: number; p95: number; p99: number; max: number };
  readonly orderViolations: number;
  readonly appliedOnce: boolean;
  readonly inboxOutcomes: Record<string, number>;
}

/** The outbox, the inbox and the two tables the handler writes: what it applied per key, and each event's latency. */
async function createPipelineTables(pool: Pool): Promise<void> {
  await inTransaction(pool, async (tx) => {
    await ensureOutboxSchema(tx);
    await ensureInboxSchema(tx);
    await tx.query('CREATE TABLE bench_applied (booking_id text PRIMARY KEY, last_version bigint NOT NULL, applied bigint NOT NULL DEFAULT 1)');
    await tx.query('CREATE TABLE bench_latency (event_id uuid PRIMARY KEY, latency_ms double precision NOT NULL)');
  });
}

/** Applies one event in the inbox transaction and records its latency; 'stale' when it would take its key back to an older version. */
async function applyInOrder(tx: SqlTransaction, message: InboxMessage<BookingHeld>): Promise<HandlerOutcome> {
  // Refuses to go backwards: an event overtaking an earlier one of its key would be stale.
  const rows = await tx.query(
    `INSERT INTO bench_applied (booking_id, last_version) VALUES ($1, $2)
     ON CONFLICT (booking_id) DO UPDATE SET last_version = EXCLUDED.last_version, applied = bench_applied.applied + 1
       WHERE bench_applied.last_version < EXCLUDED.last_version
     RETURNING last_version`,
    [message.value.bookingId, message.value.envelope.aggregateVersion.toString()],
  );
  await tx.query('INSERT INTO bench_latency VALUES ($1, extract(epoch from clock_timestamp() - $2::timestamptz) * 1000)', [
    message.value.envelope.eventId,
    message.value.envelope.occurredAt,
  ]);
  return rows.length === 0 ? 'stale' : 'applied';
}

/** The inbox consumer of the stage's topic, counting in `counts` the events that arrived out of order. */
function pipelineConsumer(label: string, { pool, topic }: Stage, counts: { orderViolations: number }): InboxConsumer {
  const group = `bench.${label}.${runId}`;
  return createInboxConsumer<BookingHeld>({
    consumerGroup: group,
    topics: [topic],
    transport: createKafkaConsumerTransport({ clientId: `bench-${label}-consumer`, brokers: kafkaBrokers(config), groupId: group, topics: [topic], logger }),
    codec,
    readerSchemaFor: (name) => (name === contract.fullName ? contract.schema : undefined),
    pool,
    logger,
    metrics: new Registry(),
    handler: async (tx, message) => {
      const outcome = await applyInOrder(tx, message);
      if (outcome === 'stale') counts.orderViolations += 1;
      return outcome;
    },
  });
}

/** Writes `events` events to the outbox, TX_SIZE per transaction, one transaction every `writeInterval_ms` from `startedAt` (0: as fast as possible). */
async function writeEvents({ pool, topic, subject }: Stage, events: number, writeInterval_ms: number, startedAt: number): Promise<void> {
  const nextVersion = new Map<string, number>();
  for (let written = 0, tick = 0; written < events; tick += 1) {
    const batch: OutboxMessage[] = [];
    for (let i = 0; i < TX_SIZE && written + i < events; i += 1) {
      const key = `booking-${(written + i) % KEYS}`;
      const version = (nextVersion.get(key) ?? 0) + 1;
      nextVersion.set(key, version);
      const event = bookingHeld(key, version);
      batch.push({ eventId: event.envelope.eventId, topic, key, eventType: 'BookingHeld', value: await codec.encode(subject, contract.schema, event), correlationId: key, producer: 'bench' });
    }
    await inTransaction(pool, (tx) => appendToOutbox(tx, batch));
    written += batch.length;
    const due = startedAt + (tick + 1) * writeInterval_ms;
    if (writeInterval_ms > 0 && due > Date.now()) await sleep(due - Date.now());
  }
}

/** Polls until the consumer has handled `events` events or DRAIN_TIMEOUT_MS has passed; returns how many it handled. */
async function awaitHandled(pool: Pool, events: number): Promise<number> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let handled = 0;
  while (handled < events && Date.now() < deadline) {
    handled = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_latency')).rows[0]?.n ?? 0);
    if (handled < events) await sleep(POLL_MS);
  }
  return handled;
}

/** What the run left in the stage's database: latency percentiles, exactly-once, inbox outcomes. */
async function pipelineFigures(pool: Pool, events: number, handled: number, elapsed_ms: number, orderViolations: number): Promise<PipelineResult> {
  const latencies = (await pool.query<{ latency_ms: number }>('SELECT latency_ms FROM bench_latency ORDER BY latency_ms')).rows.map((r) => r.latency_ms);
  const appliedSum = Number((await pool.query<{ n: string }>('SELECT coalesce(sum(applied), 0) AS n FROM bench_applied')).rows[0]?.n ?? 0);
  const inbox = await pool.query<{ outcome: string; n: string }>(`SELECT outcome, count(*) AS n FROM ${INBOX_TABLE} GROUP BY outcome`);
  return {
    events,
    handled_per_s: Math.round(handled / (elapsed_ms / 1000)),
    latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: Math.round(latencies.at(-1) ?? Number.NaN) },
    orderViolations,
    appliedOnce: handled === events && appliedSum === events,
    inboxOutcomes: Object.fromEntries(inbox.rows.map((r) => [r.outcome, Number(r.n)])),
  };
}

/**
 * outbox write → relay → Kafka → inbox consumer. `writeInterval_ms` decides when each transaction
 * of TX_SIZE events is written: at a fixed rate, or (0) as fast as possible.
 */
async function pipeline(label: string, events: number, writeInterval_ms: number): Promise<PipelineResult> {
  const target = await stage(label);
  await createPipelineTables(target.pool);
  const publisher = await createKafkaPublisher({ clientId: `bench-${label}-relay`, brokers: kafkaBrokers(config) });
  const relay = new OutboxRelay({ database: target.connection, publisher, registry: new Registry(), name: `bench-${label}`, logger });
  const counts = { orderViolations: 0 };
  const consumer = pipelineConsumer(label, target, counts);
  await consumer.start();
  relay.start();
  // Let the consumer join its group before the clock starts.
  await sleep(1_000);

  const startedAt = Date.now();
  await writeEvents(target, events, writeInterval_ms, startedAt);
  const handled = await awaitHandled(target.pool, events);
  const doneAt = Date.now();
  await relay.stop();
  await consumer.stop();
  await publisher.close();

  const result = await pipelineFigures(target.pool, events, handled, doneAt - startedAt, counts.orderViolations);
  await target.pool.end();
  return result;
}

async function cleanUp(): Promise<void> {
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const existing = new Set(await kafkaAdmin.listTopics());
  await kafkaAdmin.deleteTopics({ topics: [...existing].filter((t) => t.includes(`.${runId}`)) }).catch(() => undefined);
  await kafkaAdmin.disconnect();
  await dropProvisionedDatabases(postgresAdmin(config), databases);
}

async function main(): Promise<void> {
  const commits_per_s = await rawCommitRate();
  const kafkaRaw = await rawKafkaRates();
  const offered = await pipeline('offered', OFFERED_RATE_PER_S * OFFERED_SECONDS, (1000 * TX_SIZE) / OFFERED_RATE_PER_S);
  const saturated = await pipeline('saturated', SATURATION_EVENTS, 0);
  const lowerRawLimit = Math.min(commits_per_s, kafkaRaw.produce_per_s, kafkaRaw.consume_per_s);
  const result = {
    at: new Date().toISOString(),
    machine: '2 cores; PostgreSQL, Kafka, registry on the same machine (loopback)',
    parameters: { offeredRate_per_s: OFFERED_RATE_PER_S, offeredSeconds: OFFERED_SECONDS, saturationEvents: SATURATION_EVENTS, keys: KEYS, transactionSize: TX_SIZE, partitions: PARTITIONS },
    rawLimits: { postgresCommits_per_s: commits_per_s, kafka: kafkaRaw, lower_per_s: lowerRawLimit },
    offeredLoad: offered,
    saturated,
    saturatedVersusLowerRawLimit: Number((saturated.handled_per_s / lowerRawLimit).toFixed(2)),
  };
  const ok = [offered, saturated].every((run) => run.appliedOnce && run.orderViolations === 0);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n${ok ? 'OK' : 'INVARIANT BROKEN'}: every event applied exactly once, in order per key\n`);
  mkdirSync(join(config.rootDir, 'bench', 'results'), { recursive: true });
  writeFileSync(join(config.rootDir, 'bench', 'results', 'messaging.json'), `${JSON.stringify(result, null, 2)}\n`);
  await cleanUp();
  process.exitCode = ok ? 0 : 1;
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  await cleanUp().catch(() => undefined);
  process.exit(1);
});
