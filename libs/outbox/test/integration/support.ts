import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createKafkaPublisher, MESSAGE_HEADERS, type RecordPublisher } from '@txn/messaging';
import { inTransaction } from '@txn/sql';
import { createSuiteScope, testEnvironment, waitFor, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { appendToOutbox, ensureOutboxSchema, OutboxRelay, type OutboxMessage, type OutboxRelayOptions } from '../../src';

/** Partitions of every test topic: enough that many keys spread over several partitions. */
export const PARTITIONS = 8;
/** Joining a group, fetching and relaying on a shared 2-core machine stays well under this. */
export const DELIVERY_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 3_000;
const TOPIC_READY_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 10_000;

export const quietLogger = pino({ level: 'silent' });

/** One consumed record, decoded from the test's JSON value. */
export interface Delivered {
  readonly partition: number;
  readonly key: string;
  readonly eventId: string;
  readonly seq: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** A test event: the value is JSON `{ key, seq }` (the outbox carries opaque bytes; no Avro needed here). */
export function testEvent(topic: string, key: string, seq: number): OutboxMessage {
  return {
    eventId: randomUUID(),
    topic,
    key,
    eventType: 'TestHappened',
    value: Buffer.from(JSON.stringify({ key, seq })),
    correlationId: `saga-${key}`,
    causationId: randomUUID(),
    producer: 'outbox-int-spec',
  };
}

/** Everything a test needs: its own database (with the outbox table), topic, publisher, consumers. */
export class OutboxHarness {
  readonly relays: OutboxRelay[] = [];
  private readonly consumers: Consumer[] = [];
  private readonly pools: Pool[] = [];
  private constructor(
    readonly scope: SuiteScope,
    readonly kafka: Kafka,
    readonly publisher: RecordPublisher,
  ) {}

  static async create(name: string): Promise<OutboxHarness> {
    const scope = await createSuiteScope(name);
    const brokers = [...testEnvironment().kafka.brokers];
    const kafka = new Kafka({
      clientId: `test-${scope.id}`,
      brokers,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      retry: { retries: 5, maxRetryTime: 5_000 },
      logLevel: logLevel.NOTHING,
    });
    const publisher = await createKafkaPublisher({ clientId: `relay-${scope.id}`, brokers, requestTimeout_ms: REQUEST_TIMEOUT_MS });
    return new OutboxHarness(scope, kafka, publisher);
  }

  /** A fresh database with the outbox table, and a pool on it for the "service's" writes. */
  async database(label: string): Promise<{ database: SuiteDatabase; pool: Pool }> {
    const database = await this.scope.database(label);
    const pool = new Pool({ ...database, max: 4, connectionTimeoutMillis: 5_000, statement_timeout: 10_000 });
    this.pools.push(pool);
    await inTransaction(pool, (tx) => ensureOutboxSchema(tx));
    return { database, pool };
  }

  /**
   * Creates a topic and waits for every partition's leader. Under CPU load kafkajs' own
   * waitForLeaders sometimes fails with UNKNOWN_TOPIC_OR_PARTITION (it retries only
   * LEADER_NOT_AVAILABLE) although the topic was created; a retried create then reports "exists",
   * so leaders are awaited here.
   */
  async topic(base: string): Promise<string> {
    const topic = this.scope.topic(base);
    await waitFor(`topic ${topic} to be created`, async () => {
      await this.scope.createTopics([{ topic, numPartitions: PARTITIONS }]);
      return true;
    }, TOPIC_READY_TIMEOUT_MS, 200);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await waitFor(`leaders for every partition of ${topic}`, async () => {
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = metadata.topics[0]?.partitions ?? [];
        return partitions.length === PARTITIONS && partitions.every((p) => p.leader >= 0) ? true : undefined;
      }, TOPIC_READY_TIMEOUT_MS, 100);
    } finally {
      await admin.disconnect();
    }
    return topic;
  }

  relay(database: SuiteDatabase, options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
    const relay = new OutboxRelay({
      database,
      publisher: this.publisher,
      registry: new Registry(),
      logger: quietLogger,
      idlePoll_ms: 20,
      standbyRetry_ms: 100,
      metricsRefreshInterval_ms: 0,
      ...options,
    });
    this.relays.push(relay);
    return relay;
  }

  /** Consumes `topic` from the beginning into the returned array (every delivery, duplicates included). */
  async consume(topic: string): Promise<Delivered[]> {
    const sink: Delivered[] = [];
    const consumer = this.kafka.consumer({
      groupId: this.scope.groupId(`${topic.split('.').pop() ?? 'c'}-${this.consumers.length}`),
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          const first = Array.isArray(value) ? value[0] : value;
          if (first !== undefined) headers[name] = first.toString();
        }
        const body = JSON.parse(message.value?.toString('utf8') ?? '{}') as { key: string; seq: number };
        sink.push({ partition, key: message.key?.toString('utf8') ?? '', eventId: headers[MESSAGE_HEADERS.eventId] ?? '', seq: body.seq, headers });
      },
    });
    return sink;
  }

  async dispose(): Promise<void> {
    for (const relay of this.relays) await relay.stop().catch(() => undefined);
    for (const consumer of this.consumers) await consumer.disconnect().catch(() => undefined);
    for (const pool of this.pools) await pool.end().catch(() => undefined);
    await this.publisher.close().catch(() => undefined);
    await this.scope.dispose();
  }
}

/** Appends in one committed transaction. */
export async function appendCommitted(pool: Pool, messages: readonly OutboxMessage[]): Promise<void> {
  await inTransaction(pool, (tx) => appendToOutbox(tx, messages));
}

/** Waits until every event id in `expected` has been delivered at least once. */
export async function waitForDelivery(sink: readonly Delivered[], expected: readonly OutboxMessage[], what: string): Promise<void> {
  const wanted = new Set(expected.map((m) => m.eventId));
  await waitFor(
    what,
    () => {
      const seen = new Set(sink.map((d) => d.eventId));
      for (const id of wanted) if (!seen.has(id)) return undefined;
      return true;
    },
    DELIVERY_TIMEOUT_MS,
  );
}

/**
 * Per key, the sequence of first deliveries (what an inbox lets through) must be 0..n-1: in
 * order and complete. Duplicates are allowed (at-least-once) but must not reorder first sight.
 */
export function expectOrderedPerKey(sink: readonly Delivered[], perKey: ReadonlyMap<string, number>): void {
  const firstSeen = new Map<string, number[]>();
  const ids = new Set<string>();
  for (const delivery of sink) {
    if (ids.has(delivery.eventId)) continue;
    ids.add(delivery.eventId);
    firstSeen.set(delivery.key, [...(firstSeen.get(delivery.key) ?? []), delivery.seq]);
  }
  for (const [key, count] of perKey) {
    expect({ key, seqs: firstSeen.get(key) ?? [] }).toEqual({ key, seqs: Array.from({ length: count }, (_, i) => i) });
  }
  // One key, one partition.
  for (const key of perKey.keys()) expect(new Set(sink.filter((d) => d.key === key).map((d) => d.partition)).size).toBe(1);
}

/** A TCP port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * A real kafkajs producer pointed at a closed port: every publish fails to connect quickly.
 * (createKafkaPublisher connects on creation, so it cannot be made for an unreachable broker.)
 */
export function unreachablePublisher(port: number): RecordPublisher {
  const kafka = new Kafka({
    clientId: 'unreachable',
    brokers: [`127.0.0.1:${port}`],
    connectionTimeout: 500,
    requestTimeout: 1_000,
    // The idempotent producer insists on retries; keep them few and short so a publish fails fast.
    retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  return {
    async publish(records) {
      await producer.connect();
      await producer.sendBatch({ acks: -1, topicMessages: records.map((r) => ({ topic: r.topic, messages: [{ key: r.key, value: r.value, headers: { ...r.headers } }] })) });
    },
    close: () => producer.disconnect(),
  };
}

/** The value of a metric (first sample) in a relay's registry. */
export async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const data = await metric.get();
  return data.values[0]?.value ?? 0;
}
