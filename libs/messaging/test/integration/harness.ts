import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { Kafka, logLevel, type IHeaders, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { AVRO_TYPE_OPTIONS } from '@txn/contracts';
import { findRootDir } from '@txn/infra-local';
import { inTransaction } from '@txn/sql';
import { createSuiteScope, testEnvironment, waitFor, type SuiteScope } from '@txn/testing';
import {
  AvroCodec,
  createInboxConsumer,
  createKafkaConsumerTransport,
  deadLetterTopicOf,
  ensureInboxSchema,
  type ConsumedRecord,
  type InboxConsumer,
  type InboxConsumerHooks,
  type MessageHandler,
  type ReaderSchemaFor,
  type RetryPolicy,
} from '../../src';

// Shared set-up of the messaging integration suites: a suite scope (topics, database), the codec
// on the real registry, a raw producer for hostile bytes, and consumers whose JSON logs are kept.

/** Retries kept short in tests; production uses DEFAULT_RETRY_POLICY. */
export const TEST_RETRY: RetryPolicy = { maxAttempts: 3, initialDelay_ms: 20, maxDelay_ms: 100 };
/** Joining a group on the local broker and handling a few messages takes a few seconds. */
export const FLOW_TIMEOUT_MS = 30_000;

const rootDir = findRootDir(__dirname);
export const ENVELOPE_SCHEMA = JSON.parse(readFileSync(join(rootDir, 'schemas/avro/common/Envelope.avsc'), 'utf8')) as Record<string, unknown>;

export interface AvroField {
  readonly name: string;
  readonly type: unknown;
  readonly default?: unknown;
}

/** A test event: the platform envelope, then an account and an amount. */
export function amountMovedSchema(extraFields: readonly AvroField[] = []): avro.Schema {
  return {
    type: 'record',
    name: 'AmountMoved',
    namespace: 'test.messaging',
    fields: [{ name: 'envelope', type: ENVELOPE_SCHEMA }, { name: 'accountId', type: 'string' }, { name: 'amountMinor', type: 'long' }, ...extraFields],
  } as avro.Schema;
}

export interface AmountMoved {
  envelope: { eventId: string; correlationId: string };
  accountId: string;
  amountMinor: bigint;
  [extra: string]: unknown;
}

export function amountMoved(accountId: string, amountMinor: bigint, extra: Record<string, unknown> = {}): AmountMoved {
  const eventId = randomUUID();
  return {
    envelope: {
      eventId,
      eventType: 'AmountMoved',
      occurredAt: new Date(),
      producer: 'messaging-test',
      aggregateId: accountId,
      aggregateVersion: 1n,
      correlationId: `saga-${eventId.slice(0, 8)}`,
      causationId: null,
      actor: { type: 'SYSTEM', id: 'test' },
      tenantId: 'tenant-1',
    } as AmountMoved['envelope'],
    accountId,
    amountMinor,
    ...extra,
  };
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface RunningConsumer {
  readonly consumer: InboxConsumer;
  readonly logs: LogLine[];
  readonly metrics: Registry;
  /** Handled-message log lines of one outcome. */
  outcomes(outcome: string): LogLine[];
  stop(): Promise<void>;
}

export interface ConsumerSetup {
  readonly topic: string;
  readonly group: string;
  readonly handler: MessageHandler;
  readonly readerSchema?: avro.Schema;
  readonly readerSchemaFor?: ReaderSchemaFor;
  readonly hooks?: InboxConsumerHooks;
  readonly retry?: RetryPolicy;
  readonly maxBatchSize?: number;
}

export class Harness {
  readonly codec: AvroCodec;
  private readonly registryAdmin: SchemaRegistry;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private readonly running = new Set<RunningConsumer>();
  private readonly subjects = new Set<string>();
  /** Created by the runtime (not by the suite scope), so deleted here. */
  private readonly deadLetterTopics = new Set<string>();

  private constructor(
    readonly scope: SuiteScope,
    readonly pool: Pool,
  ) {
    const environment = testEnvironment();
    this.codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: `test-${scope.id}`, typeOptions: AVRO_TYPE_OPTIONS });
    this.registryAdmin = new SchemaRegistry({ host: environment.schemaRegistry.url, clientId: `test-${scope.id}`, retry: { retries: 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 2 } });
    this.kafka = new Kafka({ clientId: `test-${scope.id}`, brokers: [...environment.kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5_000, requestTimeout: 10_000 });
  }

  static async create(name: string): Promise<Harness> {
    const scope = await createSuiteScope(name);
    const database = await scope.database();
    const pool = new Pool({
      host: database.host,
      port: database.port,
      database: database.database,
      user: database.user,
      password: database.password,
      max: 4,
      connectionTimeoutMillis: 5_000,
    });
    await inTransaction(pool, (tx) => ensureInboxSchema(tx));
    await pool.query('CREATE TABLE IF NOT EXISTS effects (seq serial PRIMARY KEY, consumer_group text NOT NULL, event_id uuid NOT NULL, account_id text NOT NULL, amount_minor bigint NOT NULL)');
    return new Harness(scope, pool);
  }

  /** Registers as the deploy step does (explicit BACKWARD_TRANSITIVE); returns the id. */
  async register(subject: string, schema: avro.Schema): Promise<number> {
    this.subjects.add(subject);
    const { id } = await this.registryAdmin.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE });
    return id;
  }

  async produceRaw(topic: string, key: string, value: Buffer | null, headers: IHeaders = {}): Promise<void> {
    if (this.producer === undefined) {
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await this.producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  }

  async produce(topic: string, subject: string, schema: avro.Schema, event: AmountMoved, headers: IHeaders = {}): Promise<void> {
    const value = await this.codec.encode(subject, schema, event);
    await this.produceRaw(topic, event.accountId, value, { 'event-id': event.envelope.eventId, 'event-type': 'AmountMoved', ...headers });
  }

  async startConsumer(setup: ConsumerSetup): Promise<RunningConsumer> {
    const logs: LogLine[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback): void {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
        callback();
      },
    });
    const metrics = new Registry();
    const logger = pino({ level: 'info', base: undefined }, sink);
    const environment = testEnvironment();
    const transport = createKafkaConsumerTransport({
      clientId: `test-${this.scope.id}`,
      brokers: environment.kafka.brokers,
      groupId: setup.group,
      topics: [setup.topic],
      // A crashed member in these tests is replaced at once; a short session frees its partitions fast.
      sessionTimeout_ms: 10_000,
      heartbeatInterval_ms: 1_000,
      logger,
    });
    const readerSchema = setup.readerSchema ?? amountMovedSchema();
    const consumer = createInboxConsumer({
      consumerGroup: setup.group,
      topics: [setup.topic],
      transport,
      codec: this.codec,
      readerSchemaFor: setup.readerSchemaFor ?? ((name) => (name === 'test.messaging.AmountMoved' ? readerSchema : undefined)),
      pool: this.pool,
      handler: setup.handler,
      logger,
      metrics,
      retry: setup.retry ?? TEST_RETRY,
      ...(setup.maxBatchSize === undefined ? {} : { maxBatchSize: setup.maxBatchSize }),
      ...(setup.hooks === undefined ? {} : { hooks: setup.hooks }),
    });
    this.deadLetterTopics.add(deadLetterTopicOf(setup.topic, setup.group));
    await consumer.start();
    const running: RunningConsumer = {
      consumer,
      logs,
      metrics,
      outcomes: (outcome) => logs.filter((line) => line.outcome === outcome),
      stop: async () => {
        this.running.delete(running);
        await consumer.stop();
      },
    };
    this.running.add(running);
    return running;
  }

  /** The first `count` records of a topic (all partitions), read from the beginning with a throw-away group. */
  async readTopic(topic: string, count: number): Promise<ConsumedRecord[]> {
    const consumer = this.kafka.consumer({ groupId: `${topic}.test-reader.${randomUUID()}`, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
    const records: ConsumedRecord[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          records.push({ topic, partition, offset: message.offset, key: message.key, value: message.value, headers: { ...(message.headers ?? {}) }, timestamp: message.timestamp });
        },
      });
      await waitFor(`${count} record(s) on ${topic}`, () => (records.length >= count ? true : undefined), FLOW_TIMEOUT_MS);
    } finally {
      await consumer.disconnect();
    }
    return records.slice(0, count);
  }

  /** Effects written by the test handler for a consumer group, in commit order. */
  async effects(group: string): Promise<{ event_id: string; account_id: string; amount_minor: string }[]> {
    const result = await this.pool.query<{ event_id: string; account_id: string; amount_minor: string }>(
      'SELECT event_id, account_id, amount_minor::text FROM effects WHERE consumer_group = $1 ORDER BY seq',
      [group],
    );
    return result.rows;
  }

  async inboxRows(group: string): Promise<{ event_id: string; outcome: string | null; topic: string; offset: string }[]> {
    const result = await this.pool.query<{ event_id: string; outcome: string | null; topic: string; offset: string }>(
      'SELECT event_id, outcome, topic, "offset"::text FROM inbox WHERE consumer_group = $1 ORDER BY "offset"',
      [group],
    );
    return result.rows;
  }

  async dispose(): Promise<void> {
    for (const running of [...this.running]) await running.stop().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    const baseUrl = testEnvironment().schemaRegistry.url;
    for (const subject of this.subjects) {
      for (const suffix of ['', '?permanent=true']) {
        await fetch(`${baseUrl}/subjects/${encodeURIComponent(subject)}${suffix}`, { method: 'DELETE', signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      }
    }
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const topics = [...this.deadLetterTopics].filter((topic) => existing.has(topic));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    } finally {
      await admin.disconnect();
    }
    await this.scope.dispose();
  }
}

/** A handler that records an effect row per message and says `applied`. */
export function recordingHandler(group: string): MessageHandler {
  return async (tx, message) => {
    const value = message.value as AmountMoved;
    await tx.query('INSERT INTO effects (consumer_group, event_id, account_id, amount_minor) VALUES ($1, $2, $3, $4)', [group, message.eventId, value.accountId, value.amountMinor.toString()]);
    return 'applied';
  };
}

export { waitFor };
