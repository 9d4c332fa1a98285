import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import type Stripe from 'stripe';
import { EVENT_TYPES, TOPIC_EVENT_TYPES, type Envelope, type EventContract } from '@txn/contracts';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS, type RecordPublisher } from '@txn/messaging';
import { startPspProxy, type PspProxyStats, type RunningPspProxy } from '@txn/psp-proxy';
import { registerSchemas, type SchemaCatalogue } from '@txn/schema-deploy';
import { bootstrapService, createServiceLogger, loadServiceConfig, type RunningService } from '@txn/service-kit';
import { baseServiceSettings, jsonLogSink, type LogLine, collectEvents, createSuiteScope, deleteSubjects, testEnvironment, waitFor, type SuiteScope } from '@txn/testing';
import { bookingService, DEFAULT_BOOKING_SETTINGS, type BookingSettings } from '@txn/booking';
import { ledgerService, readLedgerSettings } from '@txn/ledger';
import { paymentService, readPaymentSettings } from '@txn/payment';
import { installBookingExtensions, PARTITIONS_PER_TOPIC, SAGA_TOPICS, sandboxIntents, secretFiles, smallPool, type SagaTopic } from './suite-resources';

// The three saga services in one process, each as its main.ts starts it (bootstrapService) but on
// its own suite database, all on one set of suite topics (topicOverrides), each in its own suite
// consumer group, the payment service talking to an in-process PSP fault proxy in front of the
// real localstripe. Nothing is mocked: Kafka, PostgreSQL, the registry and the PSP sandbox are real.

/** In-place retries only: a handler failing in this test is a finding, not something to wait out. */
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };
/** Below the services' 10 s default so that a stuck PSP call shows up well inside a wait. */
const PSP_TIMEOUT_MS = 5_000;
/** How often payment sweeps its PSP call list when no commit notification arrives. */
const PSP_CALL_POLL_INTERVAL_MS = 200;
const PSP_OUTCOME_POLL_INTERVAL_MS = 100;
const BOOKING_HOLD_MS = 15 * 60_000;
const BOOKING_EXPIRY_SWEEP_INTERVAL_MS = 200;
const BOOKING_EXPIRY_BATCH_SIZE = 50;
const REGISTRY_TIMEOUT_MS = 5_000;

export type { LogLine } from '@txn/testing';

/** A decoded record as a reader of the saga's topics saw it. */
export interface SeenEvent {
  readonly topic: SagaTopic;
  readonly eventType: string;
  readonly key: string | undefined;
  readonly partition: number;
  readonly offset: string;
  /** Milliseconds since the harness started: for the timeline, not for assertions. */
  readonly seenAt_ms: number;
  readonly value: { readonly envelope: Envelope; readonly [field: string]: unknown };
}

export interface ServiceUnderTest {
  readonly service: RunningService;
  /** A second, small pool on the service's own database: what a person would query. */
  readonly pool: Pool;
  readonly logs: LogLine[];
}

export interface PlatformInProcess {
  readonly tenantId: string;
  readonly booking: ServiceUnderTest;
  readonly payment: ServiceUnderTest;
  readonly ledger: ServiceUnderTest;
  readonly proxy: RunningPspProxy;
  /** Everything on the four saga topics, in the order the reader received it. */
  readonly seen: readonly SeenEvent[];
  /** Encodes with the registry codec and publishes to the suite topic of the contract's topic. */
  send<T extends { readonly envelope: Envelope }>(contract: EventContract<T>, event: T, key: string): Promise<void>;
  /** The saga's events: every event of one booking's saga carries its id as correlation id. */
  sagaOf(bookingId: string): SeenEvent[];
  /** The first event of the type in the saga (that `matches`, when given), waiting up to `timeout_ms`. */
  waitForEvent(bookingId: string, eventType: string, timeout_ms: number, matches?: (event: SeenEvent) => boolean): Promise<SeenEvent>;
  /** The PaymentIntents localstripe itself holds for one payment (by our metadata.payment_id). */
  intentsAtSandbox(paymentId: string): Promise<Stripe.PaymentIntent[]>;
  proxyStats(): PspProxyStats;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Which PSP payment method a customer pays with (payment's seam; the declining test card for one). */
  readonly paymentMethodOf: (customerId: string) => string;
  /** Booking settings a test changes (e.g. a short capture deadline); the rest as below, or booking's defaults. */
  readonly booking?: Partial<BookingSettings>;
  /** Payment settings over the harness's own, as payment's main.ts reads them from the environment (a benchmark's knobs). */
  readonly paymentEnvironment?: Readonly<Record<string, string>>;
}

async function deleteDeadLetterTopics(prefix: string): Promise<void> {
  const environment = testEnvironment();
  const admin = new Kafka({ clientId: 'e2e-saga-cleanup', brokers: [...environment.kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5_000, requestTimeout: 10_000 }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix) && topic.endsWith('.dlq'));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

export async function startPlatformInProcess(options: PlatformOptions): Promise<PlatformInProcess> {
  const environment = testEnvironment();
  const startedAt_ms = Date.now();
  const scope: SuiteScope = await createSuiteScope('e2e-saga');
  const tenantId = `merchant-${scope.id.replace(/_/g, '-')}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    // Reverse order of start; every step runs even when an earlier one fails.
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  cleanups.push(() => scope.dispose());
  // Each consumer creates `<topic>.<group>.dlq` itself; the scope knows only the topics it made.
  cleanups.push(() => deleteDeadLetterTopics(`test.${scope.id}.`));

  try {
    const topicOf = Object.fromEntries(SAGA_TOPICS.map((topic) => [topic, scope.topic(topic.replace(/\./g, '-'))])) as Record<SagaTopic, string>;
    await scope.createTopics(SAGA_TOPICS.map((topic) => ({ topic: topicOf[topic], numPartitions: PARTITIONS_PER_TOPIC })));

    // The deploy step for the suite topics: producers never register at run time.
    const catalogue: Record<string, SchemaCatalogue[string]> = {};
    for (const topic of SAGA_TOPICS) {
      for (const eventType of TOPIC_EVENT_TYPES[topic]) {
        const contract = EVENT_TYPES[eventType];
        catalogue[eventType] = { subject: `${topicOf[topic]}-${contract.fullName}`, schema: contract.schema };
      }
    }
    const subjects = (await registerSchemas(environment.schemaRegistry.url, catalogue)).map((entry) => entry.subject);
    cleanups.push(() => deleteSubjects(environment.schemaRegistry.url, subjects, REGISTRY_TIMEOUT_MS));

    const [bookingDb, paymentDb, ledgerDb] = await Promise.all([scope.database('booking'), scope.database('payment'), scope.database('ledger')]);
    await installBookingExtensions(bookingDb);

    const secrets = secretFiles('e2e-saga-secrets-');
    cleanups.push(() => secrets.remove());
    const secret = secrets.write;
    const intents = await sandboxIntents(scope.id);
    const apiKey = intents.apiKey;

    const proxy = await startPspProxy({ upstreamUrl: environment.pspSandbox.url });
    cleanups.push(() => proxy.close());

    const bookingLogs: LogLine[] = [];
    const paymentLogs: LogLine[] = [];
    const ledgerLogs: LogLine[] = [];
    const common = (service: string, logs: LogLine[]) => ({
      topicOverrides: topicOf,
      consumerGroup: scope.groupId(service),
      retry: TEST_RETRY,
      logger: createServiceLogger({ serviceName: service, level: 'info', destination: jsonLogSink(logs) }),
      telemetry: false,
    });

    const bookingConfig = loadServiceConfig(baseServiceSettings('booking', bookingDb, secret('booking-db', bookingDb.password)), () => ({}));
    const paymentConfig = loadServiceConfig(
      {
        ...baseServiceSettings('payment', paymentDb, secret('payment-db', paymentDb.password)),
        PSP_API_URL: proxy.url,
        PSP_API_KEY_FILE: secret('psp-api-key', apiKey),
        PSP_TIMEOUT_MS: String(PSP_TIMEOUT_MS),
        // PLATFORM_FEE_BPS unset in both payment and ledger: they agree on the default (1000 = 10 %).
        PAYMENT_CALL_POLL_INTERVAL_MS: String(PSP_CALL_POLL_INTERVAL_MS),
        PAYMENT_OUTCOME_POLL_INTERVAL_MS: String(PSP_OUTCOME_POLL_INTERVAL_MS),
        ...options.paymentEnvironment,
      },
      readPaymentSettings,
    );
    const ledgerConfig = loadServiceConfig(baseServiceSettings('ledger', ledgerDb, secret('ledger-db', ledgerDb.password)), readLedgerSettings);

    // One at a time: three Nest apps compiling and joining groups at once on 2 cores only slows each.
    const bookingRunning = await bootstrapService(
      bookingConfig,
      bookingService({
        ...DEFAULT_BOOKING_SETTINGS,
        hold_ms: BOOKING_HOLD_MS,
        expirySweepInterval_ms: BOOKING_EXPIRY_SWEEP_INTERVAL_MS,
        expiryBatchSize: BOOKING_EXPIRY_BATCH_SIZE,
        ...options.booking,
      }),
      common('booking', bookingLogs),
    );
    cleanups.push(() => bookingRunning.close());
    const paymentRunning = await bootstrapService(paymentConfig, paymentService(paymentConfig, { paymentMethodOf: options.paymentMethodOf }), common('payment', paymentLogs));
    cleanups.push(() => paymentRunning.close());
    const ledgerRunning = await bootstrapService(ledgerConfig, ledgerService(ledgerConfig), common('ledger', ledgerLogs));
    cleanups.push(() => ledgerRunning.close());

    const pools = { booking: smallPool(bookingDb), payment: smallPool(paymentDb), ledger: smallPool(ledgerDb) };
    cleanups.push(() => Promise.all(Object.values(pools).map((pool) => pool.end())));

    const publisher: RecordPublisher = await createKafkaPublisher({ clientId: 'e2e-saga', brokers: environment.kafka.brokers });
    cleanups.push(() => publisher.close());
    const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'e2e-saga' });

    const seen: SeenEvent[] = [];
    const contractTopicOf = new Map(SAGA_TOPICS.map((topic) => [topicOf[topic], topic] as const));
    const reader = await collectEvents({
      brokers: environment.kafka.brokers,
      clientId: 'e2e-saga-reader',
      groupId: scope.groupId('reader'),
      topics: SAGA_TOPICS.map((topic) => topicOf[topic]),
      codec,
      collect: ({ topic, partition, offset, key, eventType, value }) => {
        const contractTopic = contractTopicOf.get(topic);
        if (contractTopic === undefined) throw new Error(`record on unexpected topic ${topic}`);
        seen.push({ topic: contractTopic, eventType, key, partition, offset, seenAt_ms: Date.now() - startedAt_ms, value: value as SeenEvent['value'] });
      },
    });
    cleanups.push(() => reader.stop());

    const sagaOf = (bookingId: string): SeenEvent[] => seen.filter((event) => event.value.envelope.correlationId === bookingId);

    return {
      tenantId,
      booking: { service: bookingRunning, pool: pools.booking, logs: bookingLogs },
      payment: { service: paymentRunning, pool: pools.payment, logs: paymentLogs },
      ledger: { service: ledgerRunning, pool: pools.ledger, logs: ledgerLogs },
      proxy,
      seen,
      async send(contract, event, key) {
        const topic = topicOf[contract.topic as SagaTopic];
        if (topic === undefined) throw new Error(`${contract.eventType} is not on a saga topic`);
        const value = await codec.encode(`${topic}-${contract.fullName}`, contract.schema, event);
        await publisher.publish([
          { topic, key, value, headers: { [MESSAGE_HEADERS.eventId]: event.envelope.eventId, [MESSAGE_HEADERS.eventType]: contract.eventType, [MESSAGE_HEADERS.correlationId]: event.envelope.correlationId } },
        ]);
      },
      sagaOf,
      waitForEvent: (bookingId, eventType, timeout_ms, matches = () => true) =>
        waitFor(`${eventType} in the saga of booking ${bookingId}`, () => sagaOf(bookingId).find((event) => event.eventType === eventType && matches(event)), timeout_ms),
      intentsAtSandbox: (paymentId) => intents.list((intent) => intent.metadata.payment_id === paymentId),
      proxyStats: () => proxy.stats(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
