import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { AVRO_TYPE_OPTIONS, type AvroRecordSchema } from '@txn/contracts';
import { appendToOutbox, ensureOutboxSchema, OutboxRelay, type OutboxMessage, type OutboxRelayOptions } from '@txn/outbox';
import { registerSchemas } from '@txn/schema-deploy';
import { inTransaction } from '@txn/sql';
import { createSuiteScope, testEnvironment, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import {
  AvroCodec,
  createInboxConsumer,
  deadLetterTopicOf,
  ensureInboxSchema,
  INBOX_TABLE,
  type InboxConsumerHooks,
  type InboxMessage,
  type MessageHandler,
  type MessageOutcome,
  type RetryPolicy,
} from '../../src';
import type { BackbonePair } from './backbone-pair';
import { BOOKING_HELD, type BookingHeldV2, type PlannedEvent, type WrittenEvent } from './bookings';

// Everything one contract test touches, on the real stack: its own database (outbox, inbox and the
// handler's tables), its own 8-partition topic and subject, relays and group members built from
// the pair under test, and the queries the invariants are checked with.

/** Enough partitions that many keys spread over several, and a group of two members shares them. */
export const PARTITIONS = 8;
/** A member that stopped without leaving loses its partitions this soon. */
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_INTERVAL_MS = 1_000;
/** Retries kept short: a poison message is parked within a fraction of a second. */
export const CONTRACT_RETRY: RetryPolicy = { maxAttempts: 3, initialDelay_ms: 20, maxDelay_ms: 100 };
/** Connections per test database: two members, the writer and the suite's queries. */
const POOL_SIZE = 6;
const STATEMENT_TIMEOUT_MS = 10_000;
const ADMIN_TIMEOUT_MS = 10_000;
const REGISTRY_REQUEST_TIMEOUT_MS = 5_000;

/** The handler's state: the last version applied per booking, and one row per application. */
const HANDLER_DDL = [
  `CREATE TABLE booking_view (
     consumer_group text NOT NULL, booking_id uuid NOT NULL, last_version bigint NOT NULL,
     PRIMARY KEY (consumer_group, booking_id))`,
  `CREATE TABLE applied_events (
     seq bigserial PRIMARY KEY, consumer_group text NOT NULL, member text NOT NULL,
     event_id uuid NOT NULL, booking_id uuid NOT NULL, version bigint NOT NULL, previous_version bigint NOT NULL,
     "partition" integer NOT NULL, "offset" bigint NOT NULL, has_promo_code boolean NOT NULL, promo_code text)`,
];

/** One test's stream: a topic, its BookingHeld subject, and the service database on both ends. */
export interface Stream {
  readonly topic: string;
  readonly subject: string;
  readonly database: SuiteDatabase;
  readonly pool: Pool;
}

/** One row the handler wrote when it applied an event. */
export interface AppliedRow {
  readonly member: string;
  readonly eventId: string;
  readonly bookingId: string;
  readonly version: number;
  readonly previousVersion: number;
  readonly partition: number;
  readonly offset: string;
  readonly hasPromoCode: boolean;
  readonly promoCode: string | null;
}

interface LogLine {
  readonly msg: string;
  readonly outcome?: string;
  readonly eventId?: string;
}

/** A running consumer group member. */
export interface Member {
  readonly name: string;
  /** Event ids of the messages this member handled with `outcome`, in the order it logged them. */
  outcomes(outcome: MessageOutcome): string[];
  stop(): Promise<void>;
}

export interface MemberSetup {
  readonly group: string;
  /** Written into `applied_events.member`. */
  readonly name: string;
  /** The reader schema; the generated BookingHeld (v1) by default. */
  readonly readerSchema?: AvroRecordSchema;
  readonly hooks?: InboxConsumerHooks;
  /** The handler throws for messages this says are poison. */
  readonly isPoison?: (message: InboxMessage<BookingHeldV2>) => boolean;
}

export class PoisonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonError';
  }
}

/**
 * The contract's handler: a projection of each booking that refuses to go backwards. An event
 * whose aggregateVersion is not above the booking's last applied one is `stale`; otherwise the
 * view moves forward and an `applied_events` row records the version it moved from. Everything
 * is written through the inbox transaction.
 */
function bookingProjection(group: string, member: string, isPoison: MemberSetup['isPoison']): MessageHandler<BookingHeldV2> {
  return async (tx, message) => {
    if (isPoison?.(message) === true) throw new PoisonError(`booking ${message.value.bookingId} cannot be applied yet`);
    const { value } = message;
    await tx.query('INSERT INTO booking_view (consumer_group, booking_id, last_version) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING', [group, value.bookingId]);
    const [current] = await tx.query<{ last_version: string }>(
      'SELECT last_version::text FROM booking_view WHERE consumer_group = $1 AND booking_id = $2 FOR UPDATE',
      [group, value.bookingId],
    );
    const previous = BigInt(current?.last_version ?? '0');
    const version = value.envelope.aggregateVersion;
    if (version <= previous) return 'stale';
    await tx.query('UPDATE booking_view SET last_version = $3 WHERE consumer_group = $1 AND booking_id = $2', [group, value.bookingId, version.toString()]);
    const hasPromoCode = Object.hasOwn(value, 'promoCode');
    await tx.query(
      `INSERT INTO applied_events (consumer_group, member, event_id, booking_id, version, previous_version, "partition", "offset", has_promo_code, promo_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [group, member, message.eventId, value.bookingId, version.toString(), previous.toString(), message.partition, message.offset, hasPromoCode, hasPromoCode ? value.promoCode : null],
    );
    return 'applied';
  };
}

function outboxMessage(topic: string, subjectBytes: Buffer, event: PlannedEvent): OutboxMessage {
  const { envelope, bookingId } = event.value;
  return {
    eventId: envelope.eventId,
    topic,
    key: bookingId,
    eventType: envelope.eventType,
    value: subjectBytes,
    correlationId: envelope.correlationId,
    producer: envelope.producer,
  };
}

export class ContractWorld {
  readonly codec: AvroCodec;
  private readonly kafka: Kafka;
  /** Undone after each test, last first. */
  private cleanups: (() => Promise<void>)[] = [];
  private readonly subjects = new Set<string>();
  /** Created by the consumer runtime, not by the scope: deleted here. */
  private readonly deadLetterTopics = new Set<string>();

  private constructor(
    readonly pair: BackbonePair,
    readonly scope: SuiteScope,
  ) {
    const environment = testEnvironment();
    this.codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: `contract-${scope.id}`, typeOptions: AVRO_TYPE_OPTIONS });
    this.kafka = new Kafka({ clientId: `contract-${scope.id}`, brokers: [...environment.kafka.brokers], logLevel: logLevel.NOTHING, requestTimeout: ADMIN_TIMEOUT_MS });
  }

  static async create(pair: BackbonePair): Promise<ContractWorld> {
    return new ContractWorld(pair, await createSuiteScope(`contract ${pair.name}`));
  }

  get brokers(): readonly string[] {
    return testEnvironment().kafka.brokers;
  }

  group(name: string): string {
    return this.scope.groupId(name);
  }

  deadLetterTopic(stream: Stream, group: string): string {
    return deadLetterTopicOf(stream.topic, group);
  }

  /** A database with the outbox, inbox and handler tables; a topic; BookingHeld v1 registered for it. */
  async stream(name: string): Promise<Stream> {
    const database = await this.scope.database(name);
    const pool = new Pool({ ...database, max: POOL_SIZE, connectionTimeoutMillis: 5_000, statement_timeout: STATEMENT_TIMEOUT_MS });
    this.cleanups.push(() => pool.end());
    await inTransaction(pool, async (tx) => {
      await ensureOutboxSchema(tx);
      await ensureInboxSchema(tx);
      for (const statement of HANDLER_DDL) await tx.query(statement);
    });
    const topic = this.scope.topic(name);
    await this.scope.createTopics([{ topic, numPartitions: PARTITIONS }]);
    const stream: Stream = { topic, subject: `${topic}-${BOOKING_HELD.fullName}`, database, pool };
    await this.register(stream, BOOKING_HELD.schema);
    return stream;
  }

  /** Registers as the deploy step does (BACKWARD_TRANSITIVE, compatibility checked first). */
  async register(stream: Stream, schema: AvroRecordSchema): Promise<void> {
    this.subjects.add(stream.subject);
    await registerSchemas(testEnvironment().schemaRegistry.url, { BookingHeld: { subject: stream.subject, schema } }, { requestTimeout_ms: REGISTRY_REQUEST_TIMEOUT_MS });
  }

  /** Encodes the events with their writer schemas and appends them in one committed transaction. */
  async write(stream: Stream, transaction: readonly PlannedEvent[]): Promise<WrittenEvent[]> {
    const messages: OutboxMessage[] = [];
    for (const event of transaction) messages.push(outboxMessage(stream.topic, await this.codec.encode(stream.subject, event.schema, event.value), event));
    await inTransaction(stream.pool, (tx) => appendToOutbox(tx, messages));
    return transaction.map((event) => event.written);
  }

  async writeAll(stream: Stream, transactions: readonly (readonly PlannedEvent[])[]): Promise<WrittenEvent[]> {
    const written: WrittenEvent[] = [];
    for (const transaction of transactions) written.push(...(await this.write(stream, transaction)));
    return written;
  }

  /** A relay (not started) with its own publisher from the pair, as a relay process would have. */
  async relay(stream: Stream, name: string, options: Partial<OutboxRelayOptions> = {}): Promise<OutboxRelay> {
    const publisher = await this.pair.createPublisher({ clientId: `relay-${name}-${this.scope.id}`, brokers: this.brokers });
    const relay = new OutboxRelay({
      database: { ...stream.database },
      publisher,
      registry: new Registry(),
      name,
      logger: pino({ level: 'silent' }),
      idlePoll_ms: 20,
      standbyRetry_ms: 100,
      metricsRefreshInterval_ms: 0,
      ...options,
    });
    this.cleanups.push(async () => {
      await relay.stop().catch(() => undefined);
      await publisher.close().catch(() => undefined);
    });
    return relay;
  }

  /** Starts a group member: the pair's transport under the inbox runtime, the projection as handler. */
  async member(stream: Stream, setup: MemberSetup): Promise<Member> {
    const lines: LogLine[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback): void {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
        callback();
      },
    });
    const logger = pino({ level: 'info', base: undefined }, sink);
    const readerSchema = setup.readerSchema ?? BOOKING_HELD.schema;
    const transport = this.pair.createConsumerTransport({
      clientId: `member-${setup.name}-${this.scope.id}`,
      brokers: this.brokers,
      groupId: setup.group,
      topics: [stream.topic],
      logger,
      sessionTimeout_ms: SESSION_TIMEOUT_MS,
      heartbeatInterval_ms: HEARTBEAT_INTERVAL_MS,
    });
    const consumer = createInboxConsumer<BookingHeldV2>({
      consumerGroup: setup.group,
      topics: [stream.topic],
      transport,
      codec: this.codec,
      readerSchemaFor: (fullName) => (fullName === BOOKING_HELD.fullName ? readerSchema : undefined),
      pool: stream.pool,
      handler: bookingProjection(setup.group, setup.name, setup.isPoison),
      logger,
      metrics: new Registry(),
      retry: CONTRACT_RETRY,
      ...(setup.hooks === undefined ? {} : { hooks: setup.hooks }),
    });
    this.deadLetterTopics.add(deadLetterTopicOf(stream.topic, setup.group));
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => (stopped ??= consumer.stop());
    this.cleanups.push(() => stop().catch(() => undefined));
    await consumer.start();
    return {
      name: setup.name,
      outcomes: (outcome) => lines.filter((line) => line.outcome === outcome).map((line) => line.eventId ?? ''),
      stop,
    };
  }

  async unsentCount(stream: Stream): Promise<number> {
    const result = await stream.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
    return Number(result.rows[0]?.n ?? 0);
  }

  async appliedCount(stream: Stream, group: string, member?: string): Promise<number> {
    const result = await stream.pool.query<{ n: string }>('SELECT count(*) AS n FROM applied_events WHERE consumer_group = $1 AND ($2::text IS NULL OR member = $2)', [
      group,
      member ?? null,
    ]);
    return Number(result.rows[0]?.n ?? 0);
  }

  /** Messages of a group the inbox recorded, whatever the handler said (dead letters excluded). */
  async handledCount(stream: Stream, group: string): Promise<number> {
    const result = await stream.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${INBOX_TABLE} WHERE consumer_group = $1`, [group]);
    return Number(result.rows[0]?.n ?? 0);
  }

  /** The handler's applications for a group, in commit order. */
  async applied(stream: Stream, group: string): Promise<AppliedRow[]> {
    const result = await stream.pool.query<{
      member: string;
      event_id: string;
      booking_id: string;
      version: string;
      previous_version: string;
      partition: number;
      offset: string;
      has_promo_code: boolean;
      promo_code: string | null;
    }>(
      `SELECT member, event_id, booking_id, version::text, previous_version::text, "partition", "offset"::text, has_promo_code, promo_code
       FROM applied_events WHERE consumer_group = $1 ORDER BY seq`,
      [group],
    );
    return result.rows.map((row) => ({
      member: row.member,
      eventId: row.event_id,
      bookingId: row.booking_id,
      version: Number(row.version),
      previousVersion: Number(row.previous_version),
      partition: row.partition,
      offset: row.offset,
      hasPromoCode: row.has_promo_code,
      promoCode: row.promo_code,
    }));
  }

  /** Inbox rows of a group per recorded outcome. */
  async inboxOutcomes(stream: Stream, group: string): Promise<Record<string, number>> {
    const result = await stream.pool.query<{ outcome: string | null; n: string }>(`SELECT outcome, count(*) AS n FROM ${INBOX_TABLE} WHERE consumer_group = $1 GROUP BY outcome`, [group]);
    return Object.fromEntries(result.rows.map((row) => [row.outcome ?? 'none', Number(row.n)]));
  }

  async lastVersions(stream: Stream, group: string): Promise<Map<string, number>> {
    const result = await stream.pool.query<{ booking_id: string; last_version: string }>('SELECT booking_id, last_version::text FROM booking_view WHERE consumer_group = $1', [group]);
    return new Map(result.rows.map((row) => [row.booking_id, Number(row.last_version)]));
  }

  /** Stops the test's members and relays, closes its publishers and pool. */
  async endTest(): Promise<void> {
    const cleanups = this.cleanups.reverse();
    this.cleanups = [];
    for (const cleanup of cleanups) await cleanup();
  }

  async dispose(): Promise<void> {
    await this.endTest();
    const baseUrl = testEnvironment().schemaRegistry.url;
    for (const subject of this.subjects) {
      for (const suffix of ['', '?permanent=true']) {
        await fetch(`${baseUrl}/subjects/${encodeURIComponent(subject)}${suffix}`, { method: 'DELETE', signal: AbortSignal.timeout(REGISTRY_REQUEST_TIMEOUT_MS) }).catch(() => undefined);
      }
    }
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const topics = [...this.deadLetterTopics].filter((topic) => existing.has(topic));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: ADMIN_TIMEOUT_MS });
    } finally {
      await admin.disconnect();
    }
    await this.scope.dispose();
  }
}
