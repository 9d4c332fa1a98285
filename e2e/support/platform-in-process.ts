import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import type Stripe from 'stripe';
import type { Envelope, EventContract } from '@txn/contracts';
import { startPspProxy, type PspProxyStats, type RunningPspProxy } from '@txn/psp-proxy';
import { startSuiteService, suiteSender, suiteTopics, type SuiteService } from '@txn/service-harness';
import type { RunningService } from '@txn/service-kit';
import { Cleanups, createSuiteScope, installExtensions, secretFiles, testEnvironment, waitFor, type LogLine, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { bookingService, DEFAULT_BOOKING_SETTINGS, type BookingSettings } from '@txn/booking';
import { auditService } from '@txn/audit';
import { DEFAULT_NOTIFICATION_SETTINGS, notificationService } from '@txn/notification';
import { newMasterKeyLine, parseMasterKeyring, type MasterKeyring } from '@txn/personal-data';
import { ledgerService, readLedgerSettings } from '@txn/ledger';
import { paymentService, readPaymentSettings } from '@txn/payment';
import { startGatewayBeside, type GatewayUnderTest } from './gateway-beside';
import { PARTITIONS_PER_TOPIC, readSaga, SAGA_TOPICS, sandboxIntents, smallPool, type SagaTopic, type SeenEvent } from './suite-resources';

// The three saga services in one process, each as its main.ts starts it (bootstrapService) but on
// its own suite database, all on one set of suite topics (topicOverrides), each in its own suite
// consumer group, the payment service talking to an in-process PSP fault proxy in front of the
// real localstripe. Nothing is mocked: Kafka, PostgreSQL, the registry and the PSP sandbox are real.

/** Below the services' 10 s default so that a stuck PSP call shows up well inside a wait. */
const PSP_TIMEOUT_MS = 5_000;
/** How often payment sweeps its PSP call list when no commit notification arrives. */
const PSP_CALL_POLL_INTERVAL_MS = 200;
const PSP_OUTCOME_POLL_INTERVAL_MS = 100;
const BOOKING_HOLD_MS = 15 * 60_000;
const BOOKING_EXPIRY_SWEEP_INTERVAL_MS = 200;
const BOOKING_EXPIRY_BATCH_SIZE = 50;

export type { LogLine } from '@txn/testing';

export type { SeenEvent } from './suite-resources';

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
  /** Started when the options ask for it. */
  readonly audit: ServiceUnderTest | undefined;
  readonly notification: ServiceUnderTest | undefined;
  /** The suite's personal-data keyring (the gateway's and notification's), when either runs. */
  readonly keyring: MasterKeyring;
  /** The suite's webhook signing key (the gateway derives endpoints' secrets from it, notification signs with them). */
  readonly webhookSigningKey: string;
  /** Every suite topic the platform runs on: the saga's and the side topics. */
  readonly topicNames: readonly string[];
  readonly proxy: RunningPspProxy;
  /** The api-gateway, when asked for (`gateway: true`). */
  readonly gateway: GatewayUnderTest | undefined;
  /** Everything on the four saga topics, in the order the reader received it. */
  readonly seen: readonly SeenEvent[];
  /** Encodes with the registry codec and publishes to the suite topic of the contract's topic. */
  send<T extends { readonly envelope: Envelope }>(contract: EventContract<T>, event: T, key: string): Promise<void>;
  /** The saga's events: every event of one booking's saga carries its id as correlation id. */
  sagaOf(bookingId: string): SeenEvent[];
  /** The first event of the type in the saga (that `matches`, when given), waiting up to `timeout_ms`. */
  waitForEvent(bookingId: string, eventType: string, timeout_ms: number, matches?: (event: SeenEvent) => boolean): Promise<SeenEvent>;
  /** localstripe itself under the suite's key, past the proxy: a person acting at the PSP's dashboard. */
  readonly pspDashboard: Stripe;
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
  /** Also start the api-gateway on the same suite topics (the API's end-to-end tests). */
  readonly gateway?: boolean;
  /** Also start the audit service on the same suite topics (and suite topics of its own for security events and checkpoints). */
  readonly audit?: boolean;
  /** Also start the notification service (webhooks to loopback allowed; no SMTP: emails wait). */
  readonly notification?: boolean;
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

interface SagaServices {
  readonly booking: SuiteService;
  readonly payment: SuiteService;
  readonly ledger: SuiteService;
}

/** The three services on their suite databases, one at a time: three Nest apps compiling and joining groups at once on 2 cores only slows each. */
async function startSagaServices(scope: SuiteScope, topicOf: Record<SagaTopic, string>, proxyUrl: string, apiKey: string, options: PlatformOptions, cleanups: Cleanups): Promise<{ services: SagaServices; databases: SuiteDatabase[] }> {
  const databases = await Promise.all([scope.database('booking'), scope.database('payment'), scope.database('ledger')]);
  const [bookingDb, paymentDb, ledgerDb] = databases as [SuiteDatabase, SuiteDatabase, SuiteDatabase];
  await installExtensions(bookingDb, ['btree_gist']);
  const secrets = secretFiles('e2e-saga-secrets-');
  cleanups.push(() => secrets.remove());
  const common = (service: string) => ({ service, secret: secrets.write, topicOverrides: topicOf, consumerGroup: scope.groupId(service), cleanups });
  const bookingSettings = { ...DEFAULT_BOOKING_SETTINGS, hold_ms: BOOKING_HOLD_MS, expirySweepInterval_ms: BOOKING_EXPIRY_SWEEP_INTERVAL_MS, expiryBatchSize: BOOKING_EXPIRY_BATCH_SIZE, ...options.booking };
  const booking = await startSuiteService({ ...common('booking'), database: bookingDb, readSettings: () => ({}), definition: () => bookingService(bookingSettings) });
  const paymentEnvironment = {
    PSP_API_URL: proxyUrl,
    PSP_API_KEY_FILE: secrets.write('psp-api-key', apiKey),
    PSP_TIMEOUT_MS: String(PSP_TIMEOUT_MS),
    // PLATFORM_FEE_BPS unset: payment decides the default fee (1000 bps = 10 %) and the ledger books it as said.
    PAYMENT_CALL_POLL_INTERVAL_MS: String(PSP_CALL_POLL_INTERVAL_MS),
    PAYMENT_OUTCOME_POLL_INTERVAL_MS: String(PSP_OUTCOME_POLL_INTERVAL_MS),
    ...options.paymentEnvironment,
  };
  const payment = await startSuiteService({ ...common('payment'), database: paymentDb, environment: paymentEnvironment, readSettings: readPaymentSettings, definition: (config) => paymentService(config, { paymentMethodOf: options.paymentMethodOf }) });
  const ledger = await startSuiteService({ ...common('ledger'), database: ledgerDb, readSettings: readLedgerSettings, definition: (config) => ledgerService(config) });
  return { services: { booking, payment, ledger }, databases };
}

/** The topics beside the saga's that the gateway and the audit service write and read: suite copies, shared by both when both run. */
const SIDE_TOPICS = ['security.events.v1', 'audit.checkpoints.v1', 'audit.records.v1', 'customer.keys.v1', 'notification.events.v1'] as const;

/** The audit service on the saga's suite topics, plus the side topics (security events in, checkpoints and records out). */
async function startAuditBeside(scope: SuiteScope, sagaTopics: Record<SagaTopic, string>, sideTopics: Readonly<Record<string, string>>, cleanups: Cleanups): Promise<ServiceUnderTest> {
  const database = await scope.database('audit');
  const secrets = secretFiles('e2e-audit-secrets-');
  cleanups.push(() => secrets.remove());
  const audit = await startSuiteService({
    service: 'audit',
    database,
    secret: secrets.write,
    readSettings: () => ({}),
    definition: () => auditService({ checkpointInterval_ms: 500, checkpointBatchSize: 500 }),
    topicOverrides: { ...sagaTopics, ...sideTopics },
    consumerGroup: scope.groupId('audit'),
    cleanups,
  });
  const pool = smallPool(database);
  cleanups.push(() => pool.end());
  return { service: audit.service, pool, logs: audit.logs };
}

/** The notification service beside the others: deliveries fast for a test, webhooks to loopback allowed, no SMTP. */
async function startNotificationBeside(scope: SuiteScope, sagaTopics: Record<SagaTopic, string>, sideTopics: Readonly<Record<string, string>>, keys: { readonly keyring: MasterKeyring; readonly webhookSigningKey: string }, cleanups: Cleanups): Promise<ServiceUnderTest> {
  const database = await scope.database('notification');
  const secrets = secretFiles('e2e-notification-secrets-');
  cleanups.push(() => secrets.remove());
  const settings = { ...DEFAULT_NOTIFICATION_SETTINGS, webhookSigningKey: keys.webhookSigningKey, personalDataKeyring: keys.keyring, allowLoopbackWebhooks: true, retryBase_ms: 200, retryMax_ms: 1_000, deliveryPoll_ms: 50 };
  const notification = await startSuiteService({ service: 'notification', database, secret: secrets.write, readSettings: () => ({}), definition: () => notificationService(settings), topicOverrides: { ...sagaTopics, ...sideTopics }, consumerGroup: scope.groupId('notification'), cleanups });
  const pool = smallPool(database);
  cleanups.push(() => pool.end());
  return { service: notification.service, pool, logs: notification.logs };
}

export async function startPlatformInProcess(options: PlatformOptions): Promise<PlatformInProcess> {
  const startedAt_ms = Date.now();
  const scope: SuiteScope = await createSuiteScope('e2e-saga');
  const tenantId = `merchant-${scope.id.replace(/_/g, '-')}`;
  const cleanups = new Cleanups();
  // Reverse order of start; every step runs even when an earlier one fails.
  const close = (): Promise<void> => cleanups.runAll().catch(() => undefined);
  cleanups.push(() => scope.dispose());
  // Each consumer creates `<topic>.<group>.dlq` itself; the scope knows only the topics it made.
  cleanups.push(() => deleteDeadLetterTopics(`test.${scope.id}.`));
  try {
    const topicOf = await suiteTopics(scope, SAGA_TOPICS, PARTITIONS_PER_TOPIC, cleanups);
    const intents = await sandboxIntents(scope.id);
    const proxy = await startPspProxy({ upstreamUrl: testEnvironment().pspSandbox.url });
    cleanups.push(() => proxy.close());
    const { services, databases } = await startSagaServices(scope, topicOf, proxy.url, intents.apiKey, options, cleanups);
    const besides = options.gateway === true || options.audit === true || options.notification === true;
    const sideTopics: Readonly<Record<string, string>> = besides ? await suiteTopics(scope, SIDE_TOPICS, PARTITIONS_PER_TOPIC, cleanups) : {};
    const keys = { keyring: parseMasterKeyring(newMasterKeyLine('e2e')), webhookSigningKey: `e2e-webhook-signing-${scope.id}` };
    const gateway = options.gateway === true ? await startGatewayBeside(scope, topicOf, sideTopics, keys, cleanups) : undefined;
    const audit = options.audit === true ? await startAuditBeside(scope, topicOf, sideTopics, cleanups) : undefined;
    const notification = options.notification === true ? await startNotificationBeside(scope, topicOf, sideTopics, keys, cleanups) : undefined;
    const pools = databases.map(smallPool) as [Pool, Pool, Pool];
    cleanups.push(() => Promise.all(pools.map((pool) => pool.end())));
    const sender = await suiteSender('e2e-saga', topicOf, cleanups);
    const seen = await readSaga({ scope, topicOf: (topic) => topicOf[topic], codec: sender.codec, startedAt_ms, clientId: 'e2e-saga-reader' }, cleanups);
    const sagaOf = (bookingId: string): SeenEvent[] => seen.filter((event) => event.value.envelope.correlationId === bookingId);
    return {
      tenantId,
      booking: { service: services.booking.service, pool: pools[0], logs: services.booking.logs },
      payment: { service: services.payment.service, pool: pools[1], logs: services.payment.logs },
      ledger: { service: services.ledger.service, pool: pools[2], logs: services.ledger.logs },
      audit,
      notification,
      keyring: keys.keyring,
      webhookSigningKey: keys.webhookSigningKey,
      topicNames: [...Object.values(topicOf), ...Object.values(sideTopics)],
      proxy,
      gateway,
      seen,
      send: (contract, event, key) => sender.send(contract, event, key),
      sagaOf,
      waitForEvent: (bookingId, eventType, timeout_ms, matches = () => true) =>
        waitFor(`${eventType} in the saga of booking ${bookingId}`, () => sagaOf(bookingId).find((event) => event.eventType === eventType && matches(event)), timeout_ms),
      pspDashboard: intents.sandbox,
      intentsAtSandbox: (paymentId) => intents.list((intent) => intent.metadata.payment_id === paymentId),
      proxyStats: () => proxy.stats(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
