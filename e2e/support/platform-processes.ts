import type Stripe from 'stripe';
import { EVENT_TYPES, type Envelope, type EventContract } from '@txn/contracts';
import { startPspProxy, type ProxyEvent, type RunningPspProxy } from '@txn/psp-proxy';
import { registerSchemas, type SchemaCatalogue } from '@txn/schema-deploy';
import { suiteSender } from '@txn/service-harness';
import { baseServiceSettings, Cleanups, createSuiteScope, deleteSubjects, installExtensions, secretFiles, testEnvironment, waitFor, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { ChildServices, SERVICES, type ServiceName, type ServiceProcess } from './child-services';
import { deadLettersUnder, PARTITIONS_PER_TOPIC, readSaga, SAGA_TOPICS, sandboxIntents, smallPool, type SagaTopic, type SeenEvent } from './suite-resources';

// The three saga services as child processes (child-services.ts), so a test can SIGKILL one
// mid-saga and start it again. Each runs on the suite's own database, topics (KAFKA_TOPIC_PREFIX =
// the suite prefix) and consumer group (KAFKA_CONSUMER_GROUP); payment talks to an in-process PSP
// fault proxy in front of the real localstripe. Nothing is mocked.

export { killServiceProcesses, SERVICE_READY_TIMEOUT_MS, SERVICES, type ServiceName, type ServiceProcess, type ServiceRun } from './child-services';

/** The broker's group.min.session.timeout.ms: how soon a killed member's partitions are handed on. */
const KAFKA_SESSION_TIMEOUT_MS = 6_000;
/** Payment's call lease is this + 5 s: a call lost with its process is made again that long after its claim. */
const PSP_TIMEOUT_MS = 3_000;
/** How often payment sweeps its PSP call list (besides the commit notification): picks up a lapsed lease quickly. */
const PSP_CALL_POLL_INTERVAL_MS = 200;
const PSP_OUTCOME_POLL_INTERVAL_MS = 100;
/** Payment-domain's outcome-query schedule ÷ 200: an unknown outcome is first asked about 300 ms later. */
const OUTCOME_QUERY_TIME_DIVISOR = 200;
const BOOKING_EXPIRY_SWEEP_INTERVAL_MS = 200;
const REGISTRY_TIMEOUT_MS = 5_000;

export interface PlatformProcesses {
  readonly tenantId: string;
  readonly booking: ServiceProcess;
  readonly payment: ServiceProcess;
  readonly ledger: ServiceProcess;
  readonly proxy: RunningPspProxy;
  /** The proxy's notable events (faults, replays, keys in use), in order. */
  readonly proxyEvents: readonly ProxyEvent[];
  /** Payment's Stripe-shaped key: fault rules scoped to it touch no other suite's calls. */
  readonly pspApiKey: string;
  /** Everything on the four saga topics, in the order the reader received it. */
  readonly seen: readonly SeenEvent[];
  /** Encodes with the registry codec and publishes to the suite topic of the contract's topic. */
  send<T extends { readonly envelope: Envelope }>(contract: EventContract<T>, event: T, key: string): Promise<void>;
  sagaOf(bookingId: string): SeenEvent[];
  waitForEvent(bookingId: string, eventType: string, timeout_ms: number, matches?: (event: SeenEvent) => boolean): Promise<SeenEvent>;
  /** The PaymentIntents localstripe itself holds for this suite's tenant (by our metadata.tenant_id). */
  intentsAtSandbox(): Promise<Stripe.PaymentIntent[]>;
  /** Messages parked on the suite's dead-letter topics, per topic (the consumers create them at start). */
  deadLetters(): Promise<Record<string, number>>;
  /** SIGKILL to the service's process group; resolves once it has exited. */
  kill(service: ServiceName): Promise<void>;
  /** Starts the service again with the same environment; resolves once /health/ready answers 200. */
  start(service: ServiceName): Promise<void>;
  /** The suite's topic prefix (KAFKA_TOPIC_PREFIX of every child): another process joins the suite's topics with it. */
  readonly topicPrefix: string;
  /** Kills every child, then removes the suite's topics, groups, subjects, databases and secrets. */
  close(): Promise<void>;
}

/**
 * The environment each child gets, as the services component writes it (services.ts), on the
 * suite's database, topics and group, plus the service's own settings.
 */
function childEnvironments(scope: SuiteScope, databases: Record<ServiceName, SuiteDatabase>, secret: (name: string, value: string) => string, psp: { readonly url: string; readonly apiKey: string }): Record<ServiceName, Record<string, string>> {
  const shared = (service: ServiceName): Record<string, string> => ({
    ...baseServiceSettings(service, databases[service], secret),
    KAFKA_TOPIC_PREFIX: scope.topic(''),
    KAFKA_CONSUMER_GROUP: scope.groupId(service),
    // The broker's minimum: a killed member's partitions move to its restarted successor
    // after 6 s instead of the default 30 s (which would be most of each test's time).
    KAFKA_SESSION_TIMEOUT_MS: String(KAFKA_SESSION_TIMEOUT_MS),
  });
  return {
    booking: { ...shared('booking'), BOOKING_EXPIRY_SWEEP_INTERVAL_MS: String(BOOKING_EXPIRY_SWEEP_INTERVAL_MS) },
    payment: {
      ...shared('payment'),
      PSP_API_URL: psp.url,
      PSP_API_KEY_FILE: secret('psp-api-key', psp.apiKey),
      PSP_TIMEOUT_MS: String(PSP_TIMEOUT_MS),
      // PLATFORM_FEE_BPS unset: payment decides the default fee (1000 bps = 10 %) and the ledger books it as said.
      PAYMENT_CALL_POLL_INTERVAL_MS: String(PSP_CALL_POLL_INTERVAL_MS),
      PAYMENT_OUTCOME_POLL_INTERVAL_MS: String(PSP_OUTCOME_POLL_INTERVAL_MS),
      PAYMENT_OUTCOME_QUERY_TIME_DIVISOR: String(OUTCOME_QUERY_TIME_DIVISOR),
    },
    ledger: shared('ledger'),
  };
}

/** The suite's topics (`test.<id>.<contract topic>`) and their subjects: the deploy step's work; producers never register at run time. */
async function sagaTopics(scope: SuiteScope, cleanups: Cleanups): Promise<(topic: SagaTopic) => string> {
  const topicOf = (topic: SagaTopic): string => scope.topic(topic);
  await scope.createTopics(SAGA_TOPICS.map((topic) => ({ topic: topicOf(topic), numPartitions: PARTITIONS_PER_TOPIC })));
  const { schemaRegistry } = testEnvironment();
  const subjects = (await registerSchemas(schemaRegistry.url, EVENT_TYPES as unknown as SchemaCatalogue, { subjectPrefix: scope.topic('') })).map((entry) => entry.subject);
  cleanups.push(() => deleteSubjects(schemaRegistry.url, subjects, REGISTRY_TIMEOUT_MS));
  return topicOf;
}

/** The children, on their databases with a small pool each, started together: each mostly waits (tsx, the group join). */
async function startChildren(scope: SuiteScope, psp: { readonly url: string; readonly apiKey: string }, cleanups: Cleanups, overrides: PlatformProcessOptions['environment']): Promise<ChildServices> {
  const databases = { booking: await scope.database('booking'), payment: await scope.database('payment'), ledger: await scope.database('ledger') };
  await installExtensions(databases.booking, ['btree_gist']);
  const secrets = secretFiles('e2e-crash-secrets-');
  cleanups.push(() => secrets.remove());
  const environments = childEnvironments(scope, databases, secrets.write, psp);
  const children = new ChildServices();
  for (const service of SERVICES) {
    const pool = smallPool(databases[service]);
    cleanups.push(() => pool.end());
    children.add(service, pool, { ...environments[service], ...overrides?.[service] }, { group: scope.groupId(service), topicPrefix: scope.topic('') });
  }
  cleanups.push(() => children.stopAll());
  // Settled, not all: a failure must not leave another start running past close().
  const starts = await Promise.allSettled(SERVICES.map((service) => children.start(service)));
  for (const outcome of starts) if (outcome.status === 'rejected') throw outcome.reason;
  return children;
}

export interface PlatformProcessOptions {
  /** Settings of a service's own, over the harness's (e.g. payment's production outcome-query schedule). */
  readonly environment?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
}

export async function startPlatformProcesses(options: PlatformProcessOptions = {}): Promise<PlatformProcesses> {
  const startedAt_ms = Date.now();
  const scope = await createSuiteScope('e2e-crash');
  const tenantId = `merchant-${scope.id.replace(/_/g, '-')}`;
  const cleanups = new Cleanups();
  // Reverse order of start; every step runs even when an earlier one fails.
  const close = (): Promise<void> => cleanups.runAll().catch(() => undefined);
  cleanups.push(() => scope.dispose());
  try {
    const topicOf = await sagaTopics(scope, cleanups);
    const intents = await sandboxIntents(scope.id);
    const proxyEvents: ProxyEvent[] = [];
    const proxy = await startPspProxy({ upstreamUrl: testEnvironment().pspSandbox.url, onEvent: (event) => proxyEvents.push(event) });
    cleanups.push(() => proxy.close());
    const children = await startChildren(scope, { url: proxy.url, apiKey: intents.apiKey }, cleanups, options.environment);
    const sender = await suiteSender('e2e-crash', Object.fromEntries(SAGA_TOPICS.map((topic) => [topic, topicOf(topic)])), cleanups);
    const seen = await readSaga({ scope, topicOf, codec: sender.codec, startedAt_ms, clientId: 'e2e-crash-reader' }, cleanups);
    const sagaOf = (bookingId: string): SeenEvent[] => seen.filter((event) => event.value.envelope.correlationId === bookingId);
    return {
      tenantId,
      booking: children.processOf('booking'),
      payment: children.processOf('payment'),
      ledger: children.processOf('ledger'),
      proxy,
      proxyEvents,
      pspApiKey: intents.apiKey,
      seen,
      send: (contract, event, key) => sender.send(contract, event, key),
      sagaOf,
      waitForEvent: (bookingId, eventType, timeout_ms, matches = () => true) =>
        waitFor(`${eventType} in the saga of booking ${bookingId}`, () => sagaOf(bookingId).find((event) => event.eventType === eventType && matches(event)), timeout_ms),
      intentsAtSandbox: () => intents.list((intent) => intent.metadata.tenant_id === tenantId),
      deadLetters: () => deadLettersUnder(scope.topic('')),
      topicPrefix: scope.topic(''),
      kill: (service) => children.kill(service),
      start: (service) => children.start(service),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
