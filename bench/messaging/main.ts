// Messaging benchmark: producer transactions → outbox → relay → Kafka → inbox consumer, all on
// the real local infrastructure (`./platform up` first). It measures what a service can push
// through the backbone on this machine and checks the invariants on the way: every event
// applied exactly once, per-key order kept.
//
//   npm run bench:messaging -- [--events 20000] [--keys 500] [--tx-size 100] [--partitions 6]
//
// Prints a table and writes bench/results/messaging.json.
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
import { AvroCodec, createInboxConsumer, createKafkaConsumerTransport, createKafkaPublisher, ensureInboxSchema, INBOX_TABLE } from '@txn/messaging';
import { appendToOutbox, ensureOutboxSchema, OutboxRelay, type OutboxMessage } from '@txn/outbox';
import { registerSchemas } from '@txn/schema-deploy';
import { inTransaction } from '@txn/sql';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    keys: { type: 'string', default: '500' },
    'tx-size': { type: 'string', default: '100' },
    partitions: { type: 'string', default: '6' },
  },
});
const EVENTS = Number(args.events);
const KEYS = Number(args.keys);
const TX_SIZE = Number(args['tx-size']);
const PARTITIONS = Number(args.partitions);
/** The whole run must finish within this, or the benchmark reports failure. */
const RUN_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 100;

const contract = EVENT_TYPES.BookingHeld;
const config = loadPlatformConfig();
const runId = randomBytes(3).toString('hex');
const topic = `bench.messaging.${runId}`;
const subject = `${topic}-txn.booking.BookingHeld`;
const databaseName = `bench_messaging_${runId}`;
const group = `bench.messaging.${runId}`;
const logger = pino({ level: 'warn' });

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
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const admin = postgresAdmin(config);
  const password = randomBytes(18).toString('base64url');
  const { database, user } = await provisionDatabase(admin, databaseName, password);
  const connection = { host: admin.host, port: admin.port, database, user, password };
  const pool = new Pool({ ...connection, max: 8 });
  const kafkaAdmin = new Kafka({ clientId: 'bench', brokers: kafkaBrokers(config), logLevel: logLevel.NOTHING }).admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  await registerSchemas(schemaRegistryUrl(config), { BookingHeld: { subject, schema: contract.schema } });

  await inTransaction(pool, async (tx) => {
    await ensureOutboxSchema(tx);
    await ensureInboxSchema(tx);
    await tx.query(`CREATE TABLE bench_applied (
      booking_id text PRIMARY KEY, last_version bigint NOT NULL, applied bigint NOT NULL DEFAULT 1,
      first_occurred_at timestamptz NOT NULL)`);
    await tx.query(`CREATE TABLE bench_latency (event_id uuid PRIMARY KEY, latency_ms double precision NOT NULL)`);
  });

  const codec = new AvroCodec({ registryUrl: schemaRegistryUrl(config), clientId: 'bench', typeOptions: AVRO_TYPE_OPTIONS });
  const publisher = await createKafkaPublisher({ clientId: 'bench-relay', brokers: kafkaBrokers(config) });
  const relay = new OutboxRelay({ database: connection, publisher, registry: new Registry(), name: 'bench', logger });
  let orderViolations = 0;
  const consumer = createInboxConsumer<BookingHeld>({
    consumerGroup: group,
    topics: [topic],
    transport: createKafkaConsumerTransport({ clientId: 'bench-consumer', brokers: kafkaBrokers(config), groupId: group, topics: [topic], logger }),
    codec,
    readerSchemaFor: (name) => (name === 'txn.booking.BookingHeld' ? contract.schema : undefined),
    pool,
    logger,
    metrics: new Registry(),
    handler: async (tx, message) => {
      const version = message.value.envelope.aggregateVersion;
      // A handler that refuses to go backwards: an out-of-order event would show up as stale.
      const rows = await tx.query<{ last_version: string }>(
        `INSERT INTO bench_applied (booking_id, last_version, first_occurred_at) VALUES ($1, $2, $3)
         ON CONFLICT (booking_id) DO UPDATE SET last_version = EXCLUDED.last_version, applied = bench_applied.applied + 1
           WHERE bench_applied.last_version < EXCLUDED.last_version
         RETURNING last_version`,
        [message.value.bookingId, version.toString(), message.value.envelope.occurredAt],
      );
      await tx.query('INSERT INTO bench_latency VALUES ($1, extract(epoch from clock_timestamp() - $2::timestamptz) * 1000)', [
        message.value.envelope.eventId,
        message.value.envelope.occurredAt,
      ]);
      if (rows.length === 0) {
        orderViolations += 1;
        return 'stale';
      }
      return 'applied';
    },
  });

  await consumer.start();
  relay.start();
  const startedAt = Date.now();

  // Writers: transactions of TX_SIZE events, keys interleaved, each key's versions increasing.
  const nextVersion = new Map<string, number>();
  let written = 0;
  while (written < EVENTS) {
    const batch: OutboxMessage[] = [];
    for (let i = 0; i < TX_SIZE && written + i < EVENTS; i += 1) {
      const key = `booking-${(written + i) % KEYS}`;
      const version = (nextVersion.get(key) ?? 0) + 1;
      nextVersion.set(key, version);
      const event = bookingHeld(key, version);
      batch.push({
        eventId: event.envelope.eventId,
        topic,
        key,
        eventType: 'BookingHeld',
        value: await codec.encode(subject, contract.schema, event),
        correlationId: key,
        producer: 'bench',
      });
    }
    await inTransaction(pool, (tx) => appendToOutbox(tx, batch));
    written += batch.length;
  }
  const writtenAt = Date.now();

  const deadline = startedAt + RUN_TIMEOUT_MS;
  let applied = 0;
  while (Date.now() < deadline) {
    const rows = await pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_latency');
    applied = Number(rows.rows[0]?.n ?? 0);
    if (applied >= EVENTS) break;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, POLL_MS));
  }
  const doneAt = Date.now();
  await relay.stop();
  await consumer.stop();

  const latencies = (await pool.query<{ latency_ms: number }>('SELECT latency_ms FROM bench_latency ORDER BY latency_ms')).rows.map((r) => r.latency_ms);
  const perKey = await pool.query<{ keys: string; applied: string }>('SELECT count(*) AS keys, sum(applied) AS applied FROM bench_applied');
  const inbox = await pool.query<{ outcome: string; n: string }>(`SELECT outcome, count(*) AS n FROM ${INBOX_TABLE} GROUP BY outcome`);

  const result = {
    at: new Date().toISOString(),
    machine: '2 cores, local processes on loopback',
    parameters: { events: EVENTS, keys: KEYS, transactionSize: TX_SIZE, partitions: PARTITIONS },
    writeRate_per_s: Math.round(EVENTS / ((writtenAt - startedAt) / 1000)),
    endToEndRate_per_s: Math.round(applied / ((doneAt - startedAt) / 1000)),
    wallTime_s: (doneAt - startedAt) / 1000,
    latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) },
    applied,
    appliedPerKeySum: Number(perKey.rows[0]?.applied ?? 0),
    orderViolations,
    inboxOutcomes: Object.fromEntries(inbox.rows.map((r) => [r.outcome, Number(r.n)])),
  };
  const ok = applied === EVENTS && result.appliedPerKeySum === EVENTS && orderViolations === 0;
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n${ok ? 'OK' : 'INVARIANT BROKEN'}: every event applied once, in order per key\n`);
  mkdirSync(join(config.rootDir, 'bench', 'results'), { recursive: true });
  writeFileSync(join(config.rootDir, 'bench', 'results', 'messaging.json'), `${JSON.stringify(result, null, 2)}\n`);

  await publisher.close();
  await pool.end();
  await kafkaAdmin.deleteTopics({ topics: [topic, `${topic}.${group}.dlq`] }).catch(() => undefined);
  await kafkaAdmin.disconnect();
  await dropProvisionedDatabases(admin, [databaseName]);
  process.exitCode = ok ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
