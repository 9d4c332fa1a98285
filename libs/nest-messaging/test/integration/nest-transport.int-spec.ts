import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { AVRO_TYPE_OPTIONS, BookingConfirmed, BookingHeld, PaymentAuthorized, type Envelope } from '@txn/contracts';
import {
  AvroCodec,
  createKafkaPublisher,
  deadLetterTopicOf,
  ensureInboxSchema,
  MESSAGE_HEADERS,
  readDeadLetterInfo,
  type ConsumedRecord,
  type HandlerOutcome,
  type RecordPublisher,
} from '@txn/messaging';
import { ensureOutboxSchema } from '@txn/outbox';
import { registerSchemas } from '@txn/schema-deploy';
import { inTransaction } from '@txn/sql';
import { createSuiteScope, testEnvironment, waitFor, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { EventPublisher, InboxContext, InboxTransport, MessagingModule, OutboxRelayLifecycle } from '../../src';

// A "payment" service as a real Nest microservice on the InboxTransport: on BookingHeld it records
// a payment and publishes PaymentAuthorized through the outbox, in the inbox transaction.

/** Joining a group on the local broker and relaying a few rows takes seconds; bounded anyway. */
const FLOW_TIMEOUT_MS = 30_000;
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };
const POISON_CUSTOMER = 'customer-poison';

class PspUnavailableError extends Error {
  constructor() {
    super('the PSP did not answer');
    this.name = 'PspUnavailableError';
  }
}

function envelope(eventType: string, aggregateId: string, fields: Partial<Envelope> = {}): Envelope {
  return {
    eventId: randomUUID(),
    eventType,
    occurredAt: new Date(),
    producer: 'nest-transport-test',
    aggregateId,
    aggregateVersion: 1n,
    correlationId: aggregateId,
    causationId: null,
    actor: { type: 'SERVICE', id: 'test' },
    tenantId: 'merchant-1',
    ...fields,
  };
}

function bookingHeld(customerId = 'customer-1'): BookingHeld {
  const bookingId = randomUUID();
  const now = new Date();
  return {
    envelope: envelope('BookingHeld', bookingId),
    bookingId,
    statusBefore: null,
    statusAfter: 'HELD',
    reason: 'REQUESTED',
    customerId,
    customerEmail: 'someone@example.test',
    slot: { resourceId: 'room-1', startsAt: now, endsAt: new Date(now.getTime() + 3_600_000) },
    price: { amountMinor: 12_345n, currency: 'EUR' },
    holdExpiresAt: new Date(now.getTime() + 900_000),
  };
}

@Controller()
class AuthorizeOnBookingHeld {
  constructor(@Inject(EventPublisher) private readonly events: EventPublisher) {}

  @EventPattern('BookingHeld')
  async onBookingHeld(@Payload() held: BookingHeld, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    if (held.customerId === POISON_CUSTOMER) throw new PspUnavailableError();
    const paymentId = randomUUID();
    const inserted = await inbox.tx.query('INSERT INTO payments (payment_id, booking_id, amount_minor) VALUES ($1, $2, $3) ON CONFLICT (booking_id) DO NOTHING RETURNING 1', [
      paymentId,
      held.bookingId,
      held.price.amountMinor.toString(),
    ]);
    if (inserted.length === 0) return 'stale';
    const authorized: PaymentAuthorized = {
      envelope: envelope('PaymentAuthorized', paymentId, { correlationId: held.envelope.correlationId, causationId: inbox.eventId, producer: 'payment' }),
      paymentId,
      bookingId: held.bookingId,
      statusBefore: 'PENDING',
      statusAfter: 'AUTHORIZED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: `pi_${paymentId.slice(0, 8)}`,
      pspIdempotencyKey: `${paymentId}:authorize`,
      authorizedAmount: held.price,
      authorizationExpiresAt: null,
      authorizedAt: null,
    };
    await this.events.publish(inbox.tx, PaymentAuthorized, authorized);
    return 'applied';
  }
}

interface AppDependencies {
  readonly codec: AvroCodec;
  readonly logger: Logger;
  readonly database: SuiteDatabase;
  readonly topicOverrides: Readonly<Record<string, string>>;
  readonly relayMetrics: Registry;
}

@Module({})
class PaymentAppModule {
  static with(dependencies: AppDependencies): DynamicModule {
    const environment = testEnvironment();
    return {
      module: PaymentAppModule,
      imports: [
        MessagingModule.forRoot({
          codec: dependencies.codec,
          logger: dependencies.logger,
          topicOverrides: dependencies.topicOverrides,
          relay: {
            database: { ...dependencies.database },
            kafka: { clientId: 'nest-transport-relay', brokers: environment.kafka.brokers },
            registry: dependencies.relayMetrics,
            name: 'payment',
            // The notify wake-up is off: the test waits through the relay's 100 ms poll.
          },
        }),
      ],
      controllers: [AuthorizeOnBookingHeld],
    };
  }
}

interface LogLine {
  readonly msg: string;
  readonly [field: string]: unknown;
}

function capturingLogger(lines: LogLine[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  return pino({ level: 'info', base: undefined }, sink);
}

describe('InboxTransport in a Nest microservice (real Kafka, registry, PostgreSQL)', () => {
  const environment = testEnvironment();
  const kafka = new Kafka({ clientId: 'nest-transport-test', brokers: [...environment.kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5_000, requestTimeout: 10_000 });
  const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'nest-transport-test', typeOptions: AVRO_TYPE_OPTIONS });
  const logs: LogLine[] = [];
  const consumerMetrics = new Registry();
  let scope: SuiteScope;
  let pool: Pool;
  let bookingTopic: string;
  let paymentTopic: string;
  let group: string;
  let subjects: string[];
  let rawPublisher: RecordPublisher;
  let producerSide: EventPublisher;
  let app: Awaited<ReturnType<typeof NestFactory.createMicroservice>> | undefined;

  async function readTopic(topic: string, count: number): Promise<ConsumedRecord[]> {
    const consumer = kafka.consumer({ groupId: `${topic}.reader.${randomUUID()}`, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
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
    return records;
  }

  function outcomesOf(eventId: string): unknown[] {
    return logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
  }

  beforeAll(async () => {
    scope = await createSuiteScope('nest-transport');
    bookingTopic = scope.topic('booking-events');
    paymentTopic = scope.topic('payment-events');
    group = scope.groupId('payment');
    await scope.createTopics([
      { topic: bookingTopic, numPartitions: 3 },
      { topic: paymentTopic, numPartitions: 3 },
    ]);
    // The contracts' schemas under this suite's subjects (TopicRecordNameStrategy on its topics).
    const registered = await registerSchemas(environment.schemaRegistry.url, {
      BookingHeld: { subject: `${bookingTopic}-${BookingHeld.fullName}`, schema: BookingHeld.schema },
      BookingConfirmed: { subject: `${bookingTopic}-${BookingConfirmed.fullName}`, schema: BookingConfirmed.schema },
      PaymentAuthorized: { subject: `${paymentTopic}-${PaymentAuthorized.fullName}`, schema: PaymentAuthorized.schema },
    });
    subjects = registered.map((entry) => entry.subject);

    const database = await scope.database();
    pool = new Pool({ ...database, max: 4, connectionTimeoutMillis: 5_000 });
    await inTransaction(pool, async (tx) => {
      await ensureInboxSchema(tx);
      await ensureOutboxSchema(tx);
      await tx.query('CREATE TABLE payments (payment_id uuid PRIMARY KEY, booking_id uuid NOT NULL UNIQUE, amount_minor bigint NOT NULL)');
    });
    const topicOverrides = { [BookingHeld.topic]: bookingTopic, [PaymentAuthorized.topic]: paymentTopic };
    producerSide = new EventPublisher({ codec, topicOverrides });
    rawPublisher = await createKafkaPublisher({ clientId: 'nest-transport-test', brokers: environment.kafka.brokers });

    const logger = capturingLogger(logs);
    const transport = new InboxTransport({
      consumerGroup: group,
      topics: [bookingTopic],
      pool,
      codec,
      logger,
      metrics: consumerMetrics,
      kafka: { clientId: 'nest-transport-consumer', brokers: environment.kafka.brokers },
      retry: TEST_RETRY,
    });
    app = await NestFactory.createMicroservice<MicroserviceOptions>(PaymentAppModule.with({ codec, logger, database, topicOverrides, relayMetrics: new Registry() }), {
      strategy: transport,
      logger: ['error', 'warn'],
    });
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
    await rawPublisher?.close();
    await pool?.end();
    for (const subject of subjects ?? []) {
      for (const suffix of ['', '?permanent=true']) {
        await fetch(`${environment.schemaRegistry.url}/subjects/${encodeURIComponent(subject)}${suffix}`, { method: 'DELETE', signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      }
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const dlq = deadLetterTopicOf(bookingTopic, group);
      if ((await admin.listTopics()).includes(dlq)) await admin.deleteTopics({ topics: [dlq], timeout: 10_000 });
    } finally {
      await admin.disconnect();
    }
    await scope?.dispose();
  });

  it('applies a BookingHeld once in the handler, publishes PaymentAuthorized through the outbox, and records a redelivery as duplicate', async () => {
    const held = bookingHeld();
    await inTransaction(pool, (tx) => producerSide.publish(tx, BookingHeld, held));

    await waitFor('the BookingHeld to be applied', () => (outcomesOf(held.envelope.eventId).includes('applied') ? true : undefined), FLOW_TIMEOUT_MS);
    const payments = await pool.query<{ payment_id: string }>('SELECT payment_id FROM payments WHERE booking_id = $1', [held.bookingId]);
    expect(payments.rows).toHaveLength(1);
    const paymentId = payments.rows[0]?.payment_id;

    // The follow-up reached its topic, keyed by the payment, caused by the BookingHeld.
    const [record] = await readTopic(paymentTopic, 1);
    expect(record?.key?.toString()).toBe(paymentId);
    const decoded = await codec.decode(record?.value ?? null, (name) => (name === PaymentAuthorized.fullName ? PaymentAuthorized.schema : undefined));
    const authorized = decoded.value as PaymentAuthorized;
    expect(authorized.bookingId).toBe(held.bookingId);
    expect(authorized.authorizedAmount).toEqual({ amountMinor: 12_345n, currency: 'EUR' });
    expect(authorized.envelope.causationId).toBe(held.envelope.eventId);
    expect(String(record?.headers[MESSAGE_HEADERS.causationId])).toBe(held.envelope.eventId);
    expect(String(record?.headers[MESSAGE_HEADERS.correlationId])).toBe(held.envelope.correlationId);
    expect(String(record?.headers[MESSAGE_HEADERS.eventType])).toBe('PaymentAuthorized');

    // The same event delivered again (a relay crash after publish, a replay): no second effect.
    await rawPublisher.publish([
      {
        topic: bookingTopic,
        key: held.bookingId,
        value: await codec.encode(`${bookingTopic}-${BookingHeld.fullName}`, BookingHeld.schema, held),
        headers: { [MESSAGE_HEADERS.eventId]: held.envelope.eventId, [MESSAGE_HEADERS.eventType]: 'BookingHeld' },
      },
    ]);
    await waitFor('the redelivery to be handled', () => (outcomesOf(held.envelope.eventId).includes('duplicate') ? true : undefined), FLOW_TIMEOUT_MS);
    expect(outcomesOf(held.envelope.eventId)).toEqual(['applied', 'duplicate']);
    expect((await pool.query('SELECT 1 FROM payments WHERE booking_id = $1', [held.bookingId])).rows).toHaveLength(1);
    const followUps = await pool.query("SELECT 1 FROM outbox WHERE event_type = 'PaymentAuthorized' AND headers->>'causation-id' = $1", [held.envelope.eventId]);
    expect(followUps.rows).toHaveLength(1);
    // The customer's e-mail is a sensitive field: never in a log line.
    expect(JSON.stringify(logs)).not.toContain('someone@example.test');
  });

  it('acknowledges an event type no handler takes without an inbox row and counts it', async () => {
    const bookingId = randomUUID();
    const confirmed: BookingConfirmed = {
      envelope: envelope('BookingConfirmed', bookingId),
      bookingId,
      statusBefore: 'HELD',
      statusAfter: 'CONFIRMED',
      reason: 'PAYMENT_AUTHORIZED',
      paymentId: randomUUID(),
      authorizedAmount: { amountMinor: 500n, currency: 'EUR' },
    };
    await inTransaction(pool, (tx) => new EventPublisher({ codec, topicOverrides: { [BookingConfirmed.topic]: bookingTopic } }).publish(tx, BookingConfirmed, confirmed));
    const unhandledCount = async (): Promise<number | undefined> =>
      (await consumerMetrics.getSingleMetric('messaging_consumer_unhandled_messages_total')?.get())?.values.find((value) => value.labels.event_type === 'BookingConfirmed')?.value;
    await waitFor('the BookingConfirmed to be acknowledged', async () => ((await unhandledCount()) === 1 ? true : undefined), FLOW_TIMEOUT_MS);
    // No effect, so nothing to dedup: no inbox row and no handled outcome.
    const inbox = await pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [confirmed.envelope.eventId]);
    expect(inbox.rows).toEqual([]);
    expect(outcomesOf(confirmed.envelope.eventId)).toEqual([]);
  });

  it('parks a message whose handler keeps failing with the handler\'s own error class, and the next message still flows', async () => {
    const poison = bookingHeld(POISON_CUSTOMER);
    const next = bookingHeld();
    // One key: the next message is behind the poison one in its partition.
    const nextOnSameKey: BookingHeld = { ...next, envelope: { ...next.envelope, aggregateId: poison.envelope.aggregateId } };
    await inTransaction(pool, (tx) =>
      producerSide.publishAll(tx, [
        { contract: BookingHeld, event: poison },
        { contract: BookingHeld, event: nextOnSameKey },
      ]),
    );
    await waitFor('the message after the poison one to be applied', () => (outcomesOf(next.envelope.eventId).includes('applied') ? true : undefined), FLOW_TIMEOUT_MS);
    expect(outcomesOf(poison.envelope.eventId)).toEqual([]);

    const [parked] = await readTopic(deadLetterTopicOf(bookingTopic, group), 1);
    const info = readDeadLetterInfo(parked?.headers ?? {});
    expect(info).toMatchObject({ originalTopic: bookingTopic, consumerGroup: group, attempts: TEST_RETRY.maxAttempts, errorClass: 'PspUnavailableError', reason: 'handler-failed' });
    expect(String(parked?.headers[MESSAGE_HEADERS.eventId])).toBe(poison.envelope.eventId);
    expect((await pool.query('SELECT 1 FROM payments WHERE booking_id = $1', [poison.bookingId])).rows).toHaveLength(0);
  });

  it('stops the consumer and the relay when the application closes', async () => {
    const relay = app?.get(OutboxRelayLifecycle);
    expect(relay?.current()?.isLeader()).toBe(true);
    await app?.close();
    app = undefined;
    expect(relay?.current()).toBeUndefined();

    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([group]);
      expect(groups[0]?.members).toEqual([]);
    } finally {
      await admin.disconnect();
    }
    // The relay's session (and its advisory lock) is gone from the server.
    await waitFor(
      'the relay session to end',
      async () => {
        const sessions = await pool.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'outbox-relay:payment' AND datname = current_database()");
        return sessions.rows.length === 0 ? true : undefined;
      },
      5_000,
    );
  });
});
