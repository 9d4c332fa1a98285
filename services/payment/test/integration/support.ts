import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { BookingHeld, EVENT_TYPES, PaymentAuthorized, type Actor, type Envelope, type EventContract, type Money } from '@txn/contracts';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS } from '@txn/messaging';
import { registerSchemas } from '@txn/schema-deploy';
import { bootstrapService, createServiceLogger, loadServiceConfig, type RunningService } from '@txn/service-kit';
import { baseServiceSettings, Cleanups, jsonLogSink, type LogLine, collectEvents, createSuiteScope, deleteSubjects, testEnvironment, waitFor } from '@txn/testing';
import { paymentService, type PaymentServiceOptions } from '../../src/service';
import { readPaymentSettings } from '../../src/settings';

// The payment service in-process for the integration suites: started as main.ts starts it
// (bootstrapService) on the real PostgreSQL, Kafka and registry, but on a suite database, suite
// topics (topicOverrides), suite subjects and a suite consumer group; its PSP is the suite's (a
// URL in its settings, or the `psp` seam). What it logs, and what it publishes when asked, is
// collected for the assertions, which stay in each spec.

/** Group join, a handler transaction, the PSP call after commit, the relay's poll: seconds at most. */
export const FLOW_TIMEOUT_MS = 30_000;
export const HOUR_MS = 3_600_000;
export const PRICE_MINOR = 12_345n;
export const BOOKING_SERVICE: Actor = { type: 'SERVICE', id: 'booking' };
/** In-place retries only: a handler failing in these suites is a finding, not something to wait out. */
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };
/** Keys are booking or payment ids: 3 partitions keep per-key order and still exercise more than one. */
const PARTITIONS_PER_TOPIC = 3;
/** The test's own pool next to the service's: a few queries at a time. */
const POOL_MAX = 2;
const POOL_CONNECT_TIMEOUT_MS = 5_000;
/** A BookingHeld's hold: far longer than any test here. */
const HOLD_MS = 15 * 60_000;
/** A BookingHeld's slot starts this far ahead. */
const SLOT_LEAD_MS = 72 * HOUR_MS;

export function eur(amountMinor: bigint): Money {
  return { amountMinor, currency: 'EUR' };
}

/** A decoded record from the suite's payment events topic. */
export interface SeenEvent {
  readonly eventType: string;
  readonly key: string | undefined;
  readonly value: { readonly envelope: Envelope; readonly paymentId: string; readonly bookingId: string; readonly [field: string]: unknown };
}

export interface PaymentSuiteOptions {
  /** Names the suite scope (topics, group, database) and the test's Kafka clients. */
  readonly suiteName: string;
  /** Written to the service's PSP key file (PSP_API_KEY_FILE). */
  readonly pspApiKey: string;
  /** Payment's own settings as main.ts reads them from the environment (PSP_API_URL, PSP_TIMEOUT_MS, …). */
  readonly settings: Readonly<Record<string, string>>;
  /** The service's seams: the suite's PSP, or the customer's payment method. */
  readonly seams: PaymentServiceOptions;
  /** Lines below this level are not written (nor collected). */
  readonly logLevel: 'info' | 'warn';
  /** Whether a reader collects the payment events topic into `seen`; a suite that asserts on the database alone saves the group join. */
  readonly readPaymentEvents: boolean;
}

export interface PaymentInProcess {
  readonly service: RunningService;
  /** A second, small pool on the suite database: what the test queries. */
  readonly pool: Pool;
  /** The service's log lines at the suite's level, parsed, in the order written. */
  readonly logs: readonly LogLine[];
  /** Encodes with the registry codec and publishes to the suite's booking events topic, keyed by booking id as booking does. */
  send<T extends { readonly envelope: Envelope; readonly bookingId: string }>(contract: EventContract<T>, event: T): Promise<void>;
  /** The consumer outcomes (`applied`, `duplicate`, `stale`, `rejected`) logged for one event, in order. */
  outcomesOf(eventId: string): unknown[];
  /** The consumer's log line follows its commit: wait for `count` outcomes rather than assume them. */
  waitForOutcome(eventId: string, count?: number): Promise<unknown[]>;
  /** What the reader saw for one booking (of one type, when given), in arrival order. */
  eventsOf(bookingId: string, eventType?: string): SeenEvent[];
  waitForEvent(bookingId: string, eventType: string): Promise<SeenEvent>;
  /** Stops what the start made, latest first; every step runs, the first failure is rethrown. */
  close(): Promise<void>;
}

export async function startPaymentInProcess(options: PaymentSuiteOptions): Promise<PaymentInProcess> {
  const environment = testEnvironment();
  const clientId = `${options.suiteName}-test`;
  const cleanups = new Cleanups();
  const close = (): Promise<void> => cleanups.runAll();
  try {
    const scope = await createSuiteScope(options.suiteName);
    cleanups.push(() => scope.dispose());
    const topics = { bookingEvents: scope.topic('booking-events'), paymentEvents: scope.topic('payment-events') };
    const topicOf: Record<string, string> = { [BookingHeld.topic]: topics.bookingEvents, [PaymentAuthorized.topic]: topics.paymentEvents };
    await scope.createTopics(Object.values(topics).map((topic) => ({ topic, numPartitions: PARTITIONS_PER_TOPIC })));
    // The deploy step for the suite topics: producers never register at run time.
    const catalogue: Record<string, { subject: string; schema: (typeof BookingHeld)['schema'] }> = {};
    for (const contract of Object.values(EVENT_TYPES)) {
      const topic = topicOf[contract.topic];
      if (topic !== undefined) catalogue[contract.eventType] = { subject: `${topic}-${contract.fullName}`, schema: contract.schema };
    }
    const subjects = (await registerSchemas(environment.schemaRegistry.url, catalogue)).map((entry) => entry.subject);
    cleanups.push(() => deleteSubjects(environment.schemaRegistry.url, subjects));

    const database = await scope.database('payment');
    const secretsDir = mkdtempSync(join(tmpdir(), `${options.suiteName}-secrets-`));
    cleanups.push(() => Promise.resolve(rmSync(secretsDir, { recursive: true, force: true })));
    const passwordFile = join(secretsDir, 'database-password');
    const pspKeyFile = join(secretsDir, 'psp-api-key');
    writeFileSync(passwordFile, database.password, { mode: 0o600 });
    writeFileSync(pspKeyFile, options.pspApiKey, { mode: 0o600 });
    const config = loadServiceConfig(
      {
        ...baseServiceSettings('payment', database, passwordFile, options.logLevel),
        PSP_API_KEY_FILE: pspKeyFile,
        ...options.settings,
      },
      readPaymentSettings,
    );
    const logs: LogLine[] = [];
    const service = await bootstrapService(config, paymentService(config, options.seams), {
      topicOverrides: topicOf,
      consumerGroup: scope.groupId('payment'),
      retry: TEST_RETRY,
      logger: createServiceLogger({ serviceName: 'payment', level: options.logLevel, destination: jsonLogSink(logs) }),
      telemetry: false,
    });
    cleanups.push(() => service.close());
    const pool = new Pool({ ...database, max: POOL_MAX, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS });
    cleanups.push(() => pool.end());
    const publisher = await createKafkaPublisher({ clientId, brokers: environment.kafka.brokers });
    cleanups.push(() => publisher.close());
    const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId });

    const seen: SeenEvent[] = [];
    if (options.readPaymentEvents) {
      const reader = await collectEvents({
        brokers: environment.kafka.brokers,
        clientId,
        groupId: scope.groupId('reader'),
        topics: [topics.paymentEvents],
        codec,
        collect: ({ eventType, key, value }) => seen.push({ eventType, key, value: value as SeenEvent['value'] }),
      });
      cleanups.push(() => reader.stop());
    }

    const outcomesOf = (eventId: string): unknown[] => logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
    const eventsOf = (bookingId: string, eventType?: string): SeenEvent[] =>
      seen.filter((event) => event.value.bookingId === bookingId && (eventType === undefined || event.eventType === eventType));

    return {
      service,
      pool,
      logs,
      async send(contract, event) {
        const value = await codec.encode(`${topics.bookingEvents}-${contract.fullName}`, contract.schema, event);
        await publisher.publish([
          {
            topic: topics.bookingEvents,
            key: event.bookingId,
            value,
            headers: { [MESSAGE_HEADERS.eventId]: event.envelope.eventId, [MESSAGE_HEADERS.eventType]: contract.eventType, [MESSAGE_HEADERS.correlationId]: event.envelope.correlationId },
          },
        ]);
      },
      outcomesOf,
      waitForOutcome: (eventId, count = 1) => waitFor(`${count} handled outcome(s) of ${eventId}`, () => (outcomesOf(eventId).length >= count ? outcomesOf(eventId) : undefined), FLOW_TIMEOUT_MS),
      eventsOf,
      waitForEvent: (bookingId, eventType) => waitFor(`${eventType} for booking ${bookingId}`, () => eventsOf(bookingId, eventType)[0], FLOW_TIMEOUT_MS),
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** The booking events a suite sends payment, all of one tenant, as booking writes them. */
export class BookingFacts {
  constructor(readonly tenantId: string) {}

  envelope(eventType: string, bookingId: string): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'booking', aggregateId: bookingId, aggregateVersion: 1n, correlationId: bookingId, causationId: null, actor: BOOKING_SERVICE, tenantId: this.tenantId };
  }

  /** A new booking held for the customer, at PRICE_MINOR: what starts a payment. */
  held(options: { readonly bookingId?: string; readonly customerId?: string } = {}): BookingHeld {
    const bookingId = options.bookingId ?? randomUUID();
    const startsAt = new Date(Date.now() + SLOT_LEAD_MS);
    return {
      envelope: this.envelope('BookingHeld', bookingId),
      bookingId,
      statusBefore: null,
      statusAfter: 'HELD',
      reason: 'REQUESTED',
      customerId: options.customerId ?? 'customer-1',
      customerEmail: null,
      slot: { resourceId: 'room-1', startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
      price: eur(PRICE_MINOR),
      holdExpiresAt: new Date(Date.now() + HOLD_MS),
    };
  }
}
