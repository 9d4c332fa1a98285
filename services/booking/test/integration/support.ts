import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { BookingHeld, EVENT_TYPES, PaymentAuthorized, RequestBooking, type Actor, type Envelope, type EventContract } from '@txn/contracts';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS } from '@txn/messaging';
import { registerSchemas } from '@txn/schema-deploy';
import { bootstrapService, createServiceLogger, loadServiceConfig, type RunningService } from '@txn/service-kit';
import { baseServiceSettings, Cleanups, jsonLogSink, type LogLine, collectEvents, createSuiteScope, deleteSubjects, testEnvironment, waitFor, type SuiteDatabase } from '@txn/testing';
import { bookingService } from '../../src/service';
import type { BookingSettings } from '../../src/settings';

// The booking service in-process for the integration suites: started as main.ts starts it
// (bootstrapService) on the real PostgreSQL, Kafka and registry, but on a suite database, suite
// topics (topicOverrides), suite subjects and a suite consumer group; what it logs and what it
// publishes are collected for the assertions, which stay in each spec.

/** Joining a group, a handler transaction and the relay's poll take well under a second here. */
export const FLOW_TIMEOUT_MS = 30_000;
export const HOUR_MS = 3_600_000;
export const PRICE_MINOR = 12_345n;
export const CUSTOMER: Actor = { type: 'USER', id: 'customer-1' };
export const PAYMENT_SERVICE: Actor = { type: 'SERVICE', id: 'payment' };
/** In-place retries only: a handler failing in these suites is a finding, not something to wait out. */
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };
/** Keys are booking or payment ids: 3 partitions keep per-key order and still exercise more than one. */
const PARTITIONS_PER_TOPIC = 3;
/** The test's own pool next to the service's: a few queries at a time. */
const POOL_MAX = 2;
const POOL_CONNECT_TIMEOUT_MS = 5_000;
/** A request's hold unless the test asks for another. */
const HOLD_MS = 15 * 60_000;

/** A decoded record from one of the suite topics the reader watches. */
export interface SeenEvent {
  readonly eventType: string;
  readonly key: string | undefined;
  readonly value: { readonly envelope: Envelope; readonly bookingId: string; readonly [field: string]: unknown };
}

/** The contract topics booking consumes or produces; each has a suite topic. */
const BOOKING_TOPICS = [RequestBooking.topic, BookingHeld.topic, PaymentAuthorized.topic] as const;

export interface BookingSuiteOptions {
  /** Names the suite scope (topics, group, database) and the test's Kafka clients. */
  readonly suiteName: string;
  readonly settings: BookingSettings;
  /**
   * The contract topics the reader collects into `seen`. Booking's events always; its commands
   * topic only for a suite that watches the commands booking sends itself (a reader of commands
   * also sees every command the test sends).
   */
  readonly read: readonly (typeof BOOKING_TOPICS)[number][];
}

export interface BookingInProcess {
  readonly service: RunningService;
  /** A second, small pool on the suite database: what the test queries and tampers with. */
  readonly pool: Pool;
  /** The service's log lines, parsed, in the order written. */
  readonly logs: readonly LogLine[];
  /** Encodes with the registry codec and publishes to the suite topic of the contract's topic. */
  send<T extends { readonly envelope: Envelope }>(contract: EventContract<T>, event: T, key: string): Promise<void>;
  /** A fresh resource of the tenant: each test books its own, so tests never compete for a slot. */
  addResource(tenantId: string): Promise<string>;
  /** The consumer outcomes (`applied`, `duplicate`, `stale`, `rejected`) logged for one event, in order. */
  outcomesOf(eventId: string): unknown[];
  /** The consumer's log line follows its commit: wait for the first outcome rather than assume it. */
  waitForOutcome(eventId: string): Promise<unknown[]>;
  /** What the reader saw for one booking (of one type, when given), in arrival order. */
  eventsOf(bookingId: string, eventType?: string): SeenEvent[];
  waitForEvent(bookingId: string, eventType: string): Promise<SeenEvent>;
  /** The sum of a metric's values whose labels include `labels`, from the service's registry. */
  metricValue(name: string, labels: Readonly<Record<string, string>>): Promise<number>;
  /** Stops what the start made, latest first; every step runs, the first failure is rethrown. */
  close(): Promise<void>;
}

/** What the services component does for the real database: the administrator installs btree_gist. */
async function installExtensions(database: SuiteDatabase): Promise<void> {
  const { postgres } = testEnvironment();
  const admin = new Client({ host: database.host, port: database.port, database: database.database, user: postgres.adminUser, password: postgres.adminPassword });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS btree_gist').finally(() => admin.end());
}

export async function startBookingInProcess(options: BookingSuiteOptions): Promise<BookingInProcess> {
  const environment = testEnvironment();
  const clientId = `${options.suiteName}-test`;
  const cleanups = new Cleanups();
  const close = (): Promise<void> => cleanups.runAll();
  try {
    const scope = await createSuiteScope(options.suiteName);
    cleanups.push(() => scope.dispose());
    const topicOf: Record<string, string> = {
      [RequestBooking.topic]: scope.topic('booking-commands'),
      [BookingHeld.topic]: scope.topic('booking-events'),
      [PaymentAuthorized.topic]: scope.topic('payment-events'),
    };
    await scope.createTopics(BOOKING_TOPICS.map((topic) => ({ topic: topicOf[topic] as string, numPartitions: PARTITIONS_PER_TOPIC })));
    // The deploy step for the suite topics: producers never register at run time.
    const catalogue: Record<string, { subject: string; schema: (typeof RequestBooking)['schema'] }> = {};
    for (const contract of Object.values(EVENT_TYPES)) {
      const topic = topicOf[contract.topic];
      if (topic !== undefined) catalogue[contract.eventType] = { subject: `${topic}-${contract.fullName}`, schema: contract.schema };
    }
    const subjects = (await registerSchemas(environment.schemaRegistry.url, catalogue)).map((entry) => entry.subject);
    cleanups.push(() => deleteSubjects(environment.schemaRegistry.url, subjects));

    const database = await scope.database('booking');
    await installExtensions(database);
    const secretsDir = mkdtempSync(join(tmpdir(), `${options.suiteName}-secrets-`));
    cleanups.push(() => Promise.resolve(rmSync(secretsDir, { recursive: true, force: true })));
    const passwordFile = join(secretsDir, 'database-password');
    writeFileSync(passwordFile, database.password, { mode: 0o600 });
    const config = loadServiceConfig(
      {
        ...baseServiceSettings('booking', database, passwordFile, 'info'),
      },
      // Booking's settings come from the suite, not from the environment.
      () => ({}),
    );
    const logs: LogLine[] = [];
    const service = await bootstrapService(config, bookingService(options.settings), {
      topicOverrides: topicOf,
      consumerGroup: scope.groupId('booking'),
      retry: TEST_RETRY,
      logger: createServiceLogger({ serviceName: 'booking', level: 'info', destination: jsonLogSink(logs) }),
      telemetry: false,
    });
    cleanups.push(() => service.close());
    const pool = new Pool({ ...database, max: POOL_MAX, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS });
    cleanups.push(() => pool.end());
    const publisher = await createKafkaPublisher({ clientId, brokers: environment.kafka.brokers });
    cleanups.push(() => publisher.close());
    const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId });

    const seen: SeenEvent[] = [];
    const reader = await collectEvents({
      brokers: environment.kafka.brokers,
      clientId,
      groupId: scope.groupId('reader'),
      topics: options.read.map((topic) => topicOf[topic] as string),
      codec,
      collect: ({ eventType, key, value }) => seen.push({ eventType, key, value: value as SeenEvent['value'] }),
    });
    cleanups.push(() => reader.stop());

    const outcomesOf = (eventId: string): unknown[] => logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
    const eventsOf = (bookingId: string, eventType?: string): SeenEvent[] =>
      seen.filter((event) => event.value.bookingId === bookingId && (eventType === undefined || event.eventType === eventType));

    return {
      service,
      pool,
      logs,
      async send(contract, event, key) {
        const topic = topicOf[contract.topic];
        if (topic === undefined) throw new Error(`${contract.eventType} is not on a topic of this suite`);
        const value = await codec.encode(`${topic}-${contract.fullName}`, contract.schema, event);
        await publisher.publish([
          { topic, key, value, headers: { [MESSAGE_HEADERS.eventId]: event.envelope.eventId, [MESSAGE_HEADERS.eventType]: contract.eventType, [MESSAGE_HEADERS.correlationId]: event.envelope.correlationId } },
        ]);
      },
      async addResource(tenantId) {
        const resourceId = `room-${randomUUID().slice(0, 8)}`;
        await pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [tenantId, resourceId, 'Room']);
        return resourceId;
      },
      outcomesOf,
      waitForOutcome: (eventId) => waitFor(`the consumer's outcome for ${eventId}`, () => (outcomesOf(eventId).length > 0 ? outcomesOf(eventId) : undefined), FLOW_TIMEOUT_MS),
      eventsOf,
      waitForEvent: (bookingId, eventType) => waitFor(`${eventType} for booking ${bookingId}`, () => eventsOf(bookingId, eventType)[0], FLOW_TIMEOUT_MS),
      async metricValue(name, labels) {
        const metric = await service.dependencies.metrics.getSingleMetric(name)?.get();
        return (metric?.values ?? []).filter((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted)).reduce((sum, value) => sum + value.value, 0);
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** The messages a suite sends booking, all of one tenant, as their senders would write them. */
export class BookingMessages {
  constructor(
    readonly tenantId: string,
    /** The envelope's producer: the suite, so that a person reading a topic knows who wrote it. */
    private readonly producer: string,
  ) {}

  envelope(eventType: string, aggregateId: string, actor: Actor = CUSTOMER): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: this.producer, aggregateId, aggregateVersion: 0n, correlationId: aggregateId, causationId: null, actor, tenantId: this.tenantId };
  }

  /** A customer's request for a slot of `length_ms` from `startsAt`, at PRICE_MINOR. */
  requestBooking(resourceId: string, startsAt: Date, options: { readonly length_ms?: number; readonly holdFor_ms?: number; readonly customerEmail?: string | null } = {}): RequestBooking {
    const bookingId = randomUUID();
    return {
      envelope: this.envelope('RequestBooking', bookingId),
      bookingId,
      requestIdempotencyKey: randomUUID(),
      customerId: CUSTOMER.id,
      customerEmail: options.customerEmail ?? null,
      slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + (options.length_ms ?? HOUR_MS)) },
      price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      holdExpiresAt: new Date(Date.now() + (options.holdFor_ms ?? HOLD_MS)),
    };
  }

  /** Payment's fact for the full price; its correlation id is the booking's, as in the saga. */
  paymentAuthorized(bookingId: string, paymentId: string): PaymentAuthorized {
    return {
      envelope: { ...this.envelope('PaymentAuthorized', paymentId, PAYMENT_SERVICE), correlationId: bookingId },
      paymentId,
      bookingId,
      statusBefore: 'PENDING',
      statusAfter: 'AUTHORIZED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: 'pi_test',
      pspIdempotencyKey: `pay_${paymentId}_authorize`,
      authorizedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      authorizationExpiresAt: null,
    };
  }
}
