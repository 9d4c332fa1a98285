import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import type Stripe from 'stripe';
import { EVENT_TYPES, type Envelope, type EventContract } from '@txn/contracts';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS, type RecordPublisher } from '@txn/messaging';
import { startPspProxy, type ProxyEvent, type RunningPspProxy } from '@txn/psp-proxy';
import { registerSchemas, type SchemaCatalogue } from '@txn/schema-deploy';
import { baseServiceSettings, collectEvents, createSuiteScope, deleteSubjects, testEnvironment, waitFor } from '@txn/testing';
import { installBookingExtensions, PARTITIONS_PER_TOPIC, SAGA_TOPICS, sandboxIntents, secretFiles, smallPool, type SagaTopic } from './suite-resources';
import type { LogLine, SeenEvent } from './platform-in-process';

// The three saga services as child processes, each started the way the platform starts it
// (`node --import tsx services/<svc>/src/main.ts`, settings from the environment only), so a test
// can SIGKILL one mid-saga and start it again. Each runs on the suite's own database, topics
// (KAFKA_TOPIC_PREFIX = the suite prefix) and consumer group (KAFKA_CONSUMER_GROUP); payment
// talks to an in-process PSP fault proxy in front of the real localstripe. Nothing is mocked.

export const SERVICES = ['booking', 'payment', 'ledger'] as const;
export type ServiceName = (typeof SERVICES)[number];

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
/**
 * tsx compiling, migrations, then the group join: a member killed with -9 keeps its partitions
 * until its session (30 s, libs/messaging) times out, and the new member's join waits for that.
 */
export const SERVICE_READY_TIMEOUT_MS = 90_000;
const READY_POLL_INTERVAL_MS = 200;
const READY_PROBE_TIMEOUT_MS = 2_000;
/** SIGKILL is not refused; the kernel reaps the group at once. */
const EXIT_TIMEOUT_MS = 10_000;
/** Output kept per service (every run): far above what a test's sagas write. */
const MAX_LOG_LINES = 200_000;
const MAX_STDERR_LINES = 1_000;
const REGISTRY_TIMEOUT_MS = 5_000;
const KAFKA_ADMIN_TIMEOUT_MS = 10_000;

const ROOT_DIR = resolve(__dirname, '..', '..');

/** One start of a service: its pid (also its process group) and where its output begins in `logs`. */
export interface ServiceRun {
  readonly pid: number;
  readonly firstLogLine: number;
  readonly startedAt: Date;
  exit?: { readonly code: number | null; readonly signal: NodeJS.Signals | null };
}

export interface ServiceProcess {
  readonly name: ServiceName;
  /** A small pool on the service's own database: what a person would query, alive across restarts. */
  readonly pool: Pool;
  /** Every JSON line the service wrote on stdout, over all its runs, in order. */
  readonly logs: LogLine[];
  readonly stderr: string[];
  readonly runs: readonly ServiceRun[];
  running(): boolean;
}

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
  /** Kills every child, then removes the suite's topics, groups, subjects, databases and secrets. */
  close(): Promise<void>;
}

/** Process groups of every child this module started and that has not exited yet. */
const liveGroups = new Set<number>();

/**
 * SIGKILL to every service process group still alive. `close()` does this in order; this is the
 * last resort for paths where the harness never got that far (a setup that timed out, the worker exiting).
 */
export function killServiceProcesses(): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
process.once('exit', killServiceProcesses);

/** Splits a stream into lines, keeping a partial last line for the next chunk. */
function onLines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') each(line);
  });
  stream.on('end', () => {
    if (rest.trim() !== '') each(rest);
  });
}

function parseLogLine(line: string): LogLine {
  try {
    const parsed = JSON.parse(line) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { msg?: unknown }).msg === 'string') return parsed as LogLine;
  } catch {
    // Not JSON: kept as text below, so an assertion on the logs can see it.
  }
  return { msg: 'non-JSON output', line };
}

async function withinTimeout(promise: Promise<void>, timeout_ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeout_ms} ms waiting for ${what}`)), timeout_ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readyAt(httpPort: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${httpPort}/health/ready`, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

interface ChildState {
  readonly process: ServiceProcess & { readonly runs: ServiceRun[] };
  readonly env: Readonly<Record<string, string>>;
  readonly expectedGroup: string;
  child?: ChildProcess;
  exited?: Promise<void>;
}

export async function startPlatformProcesses(): Promise<PlatformProcesses> {
  const environment = testEnvironment();
  const startedAt_ms = Date.now();
  const scope = await createSuiteScope('e2e-crash');
  const tenantId = `merchant-${scope.id.replace(/_/g, '-')}`;
  // `test.<id>.`: every contract topic with it in front is a suite topic (scope.topic(contract topic)).
  const topicPrefix = scope.topic('');
  const topicOf = (topic: SagaTopic): string => scope.topic(topic);
  const cleanups: (() => Promise<unknown>)[] = [];
  const children = new Map<ServiceName, ChildState>();

  async function kill(service: ServiceName): Promise<void> {
    const state = children.get(service);
    const child = state?.child;
    if (state === undefined || child?.pid === undefined || state.exited === undefined) throw new Error(`${service} is not running`);
    process.kill(-child.pid, 'SIGKILL');
    await withinTimeout(state.exited, EXIT_TIMEOUT_MS, `${service} (pid ${child.pid}) to exit after SIGKILL`);
  }

  async function stopAll(): Promise<void> {
    for (const [service, state] of children) if (state.child !== undefined) await kill(service).catch(() => undefined);
  }

  const close = async (): Promise<void> => {
    // Reverse order of start; every step runs even when an earlier one fails.
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  cleanups.push(() => scope.dispose());

  async function start(service: ServiceName): Promise<void> {
    const state = children.get(service);
    if (state === undefined) throw new Error(`unknown service ${service}`);
    if (state.child !== undefined) throw new Error(`${service} is already running (pid ${state.child.pid})`);
    const { logs, stderr } = state.process;
    const firstLogLine = logs.length;
    // As the services component starts it (tools/infra-local/src/components/services.ts); its own
    // process group, so a SIGKILL reaches anything it started too.
    const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=TimeoutNegativeWarning', join(ROOT_DIR, 'services', service, 'src', 'main.ts')], {
      cwd: ROOT_DIR,
      env: { ...process.env, ...state.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Listening before anything else: even a child that dies at once is seen to have exited.
    const closed = new Promise<NonNullable<ServiceRun['exit']>>((resolvePromise) => child.once('close', (code, signal) => resolvePromise({ code, signal })));
    await new Promise<void>((resolvePromise, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolvePromise());
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${service} started without a pid`);
    liveGroups.add(pid);
    const run: ServiceRun = { pid, firstLogLine, startedAt: new Date() };
    state.process.runs.push(run);
    state.child = child;
    state.exited = closed.then((exit) => {
      liveGroups.delete(pid);
      run.exit = exit;
      // Killed by us or dead by itself: either way it is not running any more.
      if (state.child === child) {
        state.child = undefined;
        state.exited = undefined;
      }
    });
    const { stdout, stderr: errors } = child;
    if (stdout === null || errors === null) throw new Error(`${service} started without its output pipes`);
    onLines(stdout, (line) => {
      if (logs.length < MAX_LOG_LINES) logs.push(parseLogLine(line));
    });
    onLines(errors, (line) => {
      if (stderr.length < MAX_STDERR_LINES) stderr.push(line);
    });

    try {
      // The kit logs its health port once consuming (HTTP_PORT=0 picks a free one per run).
      const started = await waitFor(
        `${service} (pid ${pid}) to log "service started"`,
        () => {
          if (run.exit !== undefined) throw new Error(`${service} exited (${JSON.stringify(run.exit)}) before it was ready: ${stderr.slice(-5).join(' | ')}`);
          return logs.slice(firstLogLine).find((line) => line.msg === 'service started');
        },
        SERVICE_READY_TIMEOUT_MS,
        READY_POLL_INTERVAL_MS,
      );
      // Refuse to go on if the child is not isolated: it would consume another suite's (or the platform's) topics.
      const topics = started.topics as readonly string[];
      if (started.consumerGroup !== state.expectedGroup || !topics.every((topic) => topic.startsWith(topicPrefix))) {
        throw new Error(`${service} is not on the suite's group and topics: ${JSON.stringify({ consumerGroup: started.consumerGroup, topics })}`);
      }
      const httpPort = Number(started.httpPort);
      await waitFor(`${service} /health/ready on port ${httpPort}`, async () => ((await readyAt(httpPort)) ? true : undefined), SERVICE_READY_TIMEOUT_MS, READY_POLL_INTERVAL_MS);
    } catch (error) {
      await kill(service).catch(() => undefined);
      throw error;
    }
  }

  try {
    await scope.createTopics(SAGA_TOPICS.map((topic) => ({ topic: topicOf(topic), numPartitions: PARTITIONS_PER_TOPIC })));
    // The deploy step for the suite's subjects (`<prefix><topic>-<record>`): producers never register at run time.
    const subjects = (await registerSchemas(environment.schemaRegistry.url, EVENT_TYPES as unknown as SchemaCatalogue, { subjectPrefix: topicPrefix })).map((entry) => entry.subject);
    cleanups.push(() => deleteSubjects(environment.schemaRegistry.url, subjects, REGISTRY_TIMEOUT_MS));

    const databases = { booking: await scope.database('booking'), payment: await scope.database('payment'), ledger: await scope.database('ledger') };
    await installBookingExtensions(databases.booking);

    const secrets = secretFiles('e2e-crash-secrets-');
    cleanups.push(() => secrets.remove());
    const secret = secrets.write;
    const intents = await sandboxIntents(scope.id);
    const pspApiKey = intents.apiKey;

    const proxyEvents: ProxyEvent[] = [];
    const proxy = await startPspProxy({ upstreamUrl: environment.pspSandbox.url, onEvent: (event) => proxyEvents.push(event) });
    cleanups.push(() => proxy.close());

    const pools = { booking: smallPool(databases.booking), payment: smallPool(databases.payment), ledger: smallPool(databases.ledger) };
    cleanups.push(() => Promise.all(Object.values(pools).map((pool) => pool.end())));

    // The component's environment (services.ts), on the suite's database, topics and group.
    const serviceEnv = (service: ServiceName): Record<string, string> => {
      const database = databases[service];
      return {
        ...baseServiceSettings(service, database, secret(`${service}-db`, database.password)),
        KAFKA_TOPIC_PREFIX: topicPrefix,
        KAFKA_CONSUMER_GROUP: scope.groupId(service),
        // The broker's minimum: a killed member's partitions move to its restarted successor
        // after 6 s instead of the default 30 s (which would be most of each test's time).
        KAFKA_SESSION_TIMEOUT_MS: String(KAFKA_SESSION_TIMEOUT_MS),
      };
    };
    const ownEnv: Record<ServiceName, Record<string, string>> = {
      booking: { BOOKING_EXPIRY_SWEEP_INTERVAL_MS: String(BOOKING_EXPIRY_SWEEP_INTERVAL_MS) },
      payment: {
        PSP_API_URL: proxy.url,
        PSP_API_KEY_FILE: secret('psp-api-key', pspApiKey),
        PSP_TIMEOUT_MS: String(PSP_TIMEOUT_MS),
        // PLATFORM_FEE_BPS unset in both payment and ledger: they agree on the default (1000 = 10 %).
        PAYMENT_CALL_POLL_INTERVAL_MS: String(PSP_CALL_POLL_INTERVAL_MS),
        PAYMENT_OUTCOME_POLL_INTERVAL_MS: String(PSP_OUTCOME_POLL_INTERVAL_MS),
        PAYMENT_OUTCOME_QUERY_TIME_DIVISOR: String(OUTCOME_QUERY_TIME_DIVISOR),
      },
      ledger: {},
    };
    for (const service of SERVICES) {
      const runs: ServiceRun[] = [];
      children.set(service, {
        process: { name: service, pool: pools[service], logs: [], stderr: [], runs, running: () => children.get(service)?.child !== undefined },
        env: { ...serviceEnv(service), ...ownEnv[service] },
        expectedGroup: scope.groupId(service),
      });
    }
    cleanups.push(stopAll);
    // Together: each mostly waits (tsx start-up, the group join), so three at once take little longer than one.
    // Settled, not all: a failure must not leave another start running past close().
    const starts = await Promise.allSettled(SERVICES.map((service) => start(service)));
    for (const outcome of starts) if (outcome.status === 'rejected') throw outcome.reason;

    const publisher: RecordPublisher = await createKafkaPublisher({ clientId: 'e2e-crash', brokers: environment.kafka.brokers });
    cleanups.push(() => publisher.close());
    const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'e2e-crash' });

    const seen: SeenEvent[] = [];
    const contractTopicOf = new Map(SAGA_TOPICS.map((topic) => [topicOf(topic), topic] as const));
    const reader = await collectEvents({
      brokers: environment.kafka.brokers,
      clientId: 'e2e-crash-reader',
      groupId: scope.groupId('reader'),
      topics: SAGA_TOPICS.map(topicOf),
      codec,
      collect: ({ topic, partition, offset, key, eventType, value }) => {
        const contractTopic = contractTopicOf.get(topic);
        if (contractTopic === undefined) throw new Error(`record on unexpected topic ${topic}`);
        seen.push({ topic: contractTopic, eventType, key, partition, offset, seenAt_ms: Date.now() - startedAt_ms, value: value as SeenEvent['value'] });
      },
    });
    cleanups.push(() => reader.stop());

    const sagaOf = (bookingId: string): SeenEvent[] => seen.filter((event) => event.value.envelope.correlationId === bookingId);
    const processOf = (service: ServiceName): ServiceProcess => {
      const state = children.get(service);
      if (state === undefined) throw new Error(`unknown service ${service}`);
      return state.process;
    };

    return {
      tenantId,
      booking: processOf('booking'),
      payment: processOf('payment'),
      ledger: processOf('ledger'),
      proxy,
      proxyEvents,
      pspApiKey,
      seen,
      async send(contract, event, key) {
        const topic = topicOf(contract.topic as SagaTopic);
        const value = await codec.encode(`${topic}-${contract.fullName}`, contract.schema, event);
        await publisher.publish([
          { topic, key, value, headers: { [MESSAGE_HEADERS.eventId]: event.envelope.eventId, [MESSAGE_HEADERS.eventType]: contract.eventType, [MESSAGE_HEADERS.correlationId]: event.envelope.correlationId } },
        ]);
      },
      sagaOf,
      waitForEvent: (bookingId, eventType, timeout_ms, matches = () => true) =>
        waitFor(`${eventType} in the saga of booking ${bookingId}`, () => sagaOf(bookingId).find((event) => event.eventType === eventType && matches(event)), timeout_ms),
      intentsAtSandbox: () => intents.list((intent) => intent.metadata.tenant_id === tenantId),
      async deadLetters() {
        const admin = new Kafka({ clientId: 'e2e-crash-dlq', brokers: [...environment.kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5_000, requestTimeout: KAFKA_ADMIN_TIMEOUT_MS }).admin();
        await admin.connect();
        try {
          const parked: Record<string, number> = {};
          for (const topic of (await admin.listTopics()).filter((name) => name.startsWith(topicPrefix) && name.endsWith('.dlq'))) {
            parked[topic] = (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
          }
          return parked;
        } finally {
          await admin.disconnect();
        }
      },
      kill,
      start,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
