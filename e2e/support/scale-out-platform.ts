import { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import type Stripe from 'stripe';
import type { Envelope, EventContract } from '@txn/contracts';
import { ensureDatabaseExtensions, ensureServiceDatabase, instanceName, kafkaBrokers, loadPlatformConfig, PLATFORM_SERVICES, type ServiceSpec } from '@txn/infra-local';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS } from '@txn/messaging';
import { startPspProxy, type ProxyEvent, type RunningPspProxy } from '@txn/psp-proxy';
import { Cleanups, secretFiles, testEnvironment } from '@txn/testing';
import { ChildServices, type ServiceName, type ServiceProcess } from './child-services';
import { startPrivateInfrastructure, type PrivateComponent, type PrivateInfrastructure } from './private-infrastructure';
import { sandboxIntents } from './suite-resources';

// Two instances of each saga service, each a child process started as `./platform up` starts it
// with PLATFORM_INSTANCES=2 (the services component's own settings: one database and runtime role
// per service, one consumer group, the platform's topic names), on a PostgreSQL and a Kafka broker
// of this suite's own (private-infrastructure.ts), so that the test can kill the broker and the
// database mid-saga. Payment talks to an in-process PSP fault proxy in front of the real localstripe.

export const INSTANCES = [1, 2] as const;
export const SCALED_SERVICES: readonly ServiceName[] = ['booking', 'payment', 'ledger'];

/** Payment's call lease is this + 5 s: a call lost with its instance is made again that long after its claim. */
const PSP_TIMEOUT_MS = 3_000;
const PSP_CALL_POLL_INTERVAL_MS = 200;
const PSP_OUTCOME_POLL_INTERVAL_MS = 100;
const OUTCOME_QUERY_TIME_DIVISOR = 200;
const BOOKING_EXPIRY_SWEEP_INTERVAL_MS = 200;
const POOL_MAX = 2;
const POOL_CONNECT_TIMEOUT_MS = 3_000;
const POOL_STATEMENT_TIMEOUT_MS = 15_000;
const KAFKA_CLIENT_TIMEOUT_MS = 5_000;

export interface GroupMember {
  readonly clientId: string;
  readonly partitions: number;
}

export interface ScaleOutPlatform {
  readonly tenantId: string;
  readonly infrastructure: PrivateInfrastructure;
  /** The child of each instance, by its component name (`booking`, `booking-2`, …). */
  processOf(instance: string): ServiceProcess;
  /** A small pool on a service's database as its owner (alive across a PostgreSQL restart: it reconnects). */
  poolOf(service: ServiceName): Pool;
  readonly proxy: RunningPspProxy;
  readonly proxyEvents: readonly ProxyEvent[];
  send<T extends { readonly envelope: Envelope }>(contract: EventContract<T>, event: T, key: string): Promise<void>;
  /** The group's live members and how many partitions each was given (from the broker). */
  membersOf(service: ServiceName): Promise<GroupMember[]>;
  /** Messages parked on the private broker's dead-letter topics, per topic. */
  deadLetters(): Promise<Record<string, number>>;
  intentsAtSandbox(): Promise<Stripe.PaymentIntent[]>;
  kill(instance: string): Promise<void>;
  start(instance: string): Promise<void>;
  killInfrastructure(component: PrivateComponent): Promise<void>;
  startInfrastructure(component: PrivateComponent): Promise<void>;
  close(): Promise<void>;
}

function specOf(service: ServiceName): ServiceSpec {
  const spec = PLATFORM_SERVICES.find((candidate) => candidate.name === service);
  if (spec === undefined) throw new Error(`no platform service ${service}`);
  return spec;
}

/** The services component's own settings for an instance, with a free HTTP port and the suite's compressed timings. */
function instanceEnvironment(infrastructure: PrivateInfrastructure, service: ServiceName, instance: number, psp: { readonly url: string; readonly keyFile: string }): Record<string, string> {
  const { component, ctx } = infrastructure.contextOf(instanceName(specOf(service), instance));
  const env = { ...component.command(ctx).env, HTTP_PORT: '0' };
  if (service === 'booking') return { ...env, BOOKING_EXPIRY_SWEEP_INTERVAL_MS: String(BOOKING_EXPIRY_SWEEP_INTERVAL_MS) };
  if (service !== 'payment') return env;
  return {
    ...env,
    PSP_API_URL: psp.url,
    PSP_API_KEY_FILE: psp.keyFile,
    PSP_TIMEOUT_MS: String(PSP_TIMEOUT_MS),
    PAYMENT_CALL_POLL_INTERVAL_MS: String(PSP_CALL_POLL_INTERVAL_MS),
    PAYMENT_OUTCOME_POLL_INTERVAL_MS: String(PSP_OUTCOME_POLL_INTERVAL_MS),
    PAYMENT_OUTCOME_QUERY_TIME_DIVISOR: String(OUTCOME_QUERY_TIME_DIVISOR),
  };
}

async function ownerPools(infrastructure: PrivateInfrastructure, cleanups: Cleanups): Promise<Record<ServiceName, Pool>> {
  const pools: Partial<Record<ServiceName, Pool>> = {};
  for (const service of SCALED_SERVICES) {
    const credentials = await ensureServiceDatabase({ config: infrastructure.config }, service);
    await ensureDatabaseExtensions(infrastructure.config, credentials.database, specOf(service).extensions);
    const pool = new Pool({ host: credentials.host, port: credentials.port, database: credentials.database, user: credentials.owner.user, password: credentials.owner.password, max: POOL_MAX, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS, statement_timeout: POOL_STATEMENT_TIMEOUT_MS });
    // A killed PostgreSQL ends every connection: the pool reconnects on next use; the error must not crash the run.
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    pools[service] = pool;
  }
  return pools as Record<ServiceName, Pool>;
}

/** Every instance, started together: each mostly waits (tsx, migrations under the runner's lock, the group join). */
async function startInstances(children: ChildServices, infrastructure: PrivateInfrastructure, pools: Record<ServiceName, Pool>, psp: { readonly url: string; readonly keyFile: string }, cleanups: Cleanups): Promise<void> {
  for (const service of SCALED_SERVICES) {
    for (const instance of INSTANCES) {
      const name = instanceName(specOf(service), instance);
      children.add(service, pools[service], instanceEnvironment(infrastructure, service, instance, psp), { group: service, topicPrefix: '' }, name);
    }
  }
  cleanups.push(() => children.stopAll());
  const starts = await Promise.allSettled(children.instances().map((instance) => children.start(instance)));
  for (const outcome of starts) if (outcome.status === 'rejected') throw outcome.reason;
}

function privateAdmin(infrastructure: PrivateInfrastructure): Admin {
  return new Kafka({ clientId: 'e2e-scale-out-admin', brokers: kafkaBrokers(infrastructure.config), logLevel: logLevel.NOTHING, connectionTimeout: KAFKA_CLIENT_TIMEOUT_MS, requestTimeout: KAFKA_CLIENT_TIMEOUT_MS * 2 }).admin();
}

async function withAdmin<T>(infrastructure: PrivateInfrastructure, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = privateAdmin(infrastructure);
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

async function membersOf(infrastructure: PrivateInfrastructure, group: string): Promise<GroupMember[]> {
  return withAdmin(infrastructure, async (admin) => {
    const [described] = (await admin.describeGroups([group])).groups;
    if (described === undefined || described.state !== 'Stable') return [];
    return described.members.map((member) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const partitions = Object.values(decoded?.assignment ?? {}).reduce((sum, assigned) => sum + assigned.length, 0);
      return { clientId: member.clientId, partitions };
    });
  });
}

async function deadLettersOn(infrastructure: PrivateInfrastructure): Promise<Record<string, number>> {
  return withAdmin(infrastructure, async (admin) => {
    const parked: Record<string, number> = {};
    for (const topic of (await admin.listTopics()).filter((name) => name.endsWith('.dlq'))) {
      parked[topic] = (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    }
    return parked;
  });
}

/** What a test sends the services, in the platform's wire format, to the private broker's topics. */
async function privateSender(infrastructure: PrivateInfrastructure, cleanups: Cleanups): Promise<ScaleOutPlatform['send']> {
  const publisher = await createKafkaPublisher({ clientId: 'e2e-scale-out', brokers: kafkaBrokers(infrastructure.config) });
  cleanups.push(() => publisher.close());
  const codec = new AvroCodec({ registryUrl: testEnvironment().schemaRegistry.url, clientId: 'e2e-scale-out' });
  return async (contract, event, key) => {
    const value = await codec.encode(`${contract.topic}-${contract.fullName}`, contract.schema, event);
    const headers = { [MESSAGE_HEADERS.eventId]: event.envelope.eventId, [MESSAGE_HEADERS.eventType]: contract.eventType, [MESSAGE_HEADERS.correlationId]: event.envelope.correlationId };
    await publisher.publish([{ topic: contract.topic, key, value, headers }]);
  };
}

function keepLogs(children: ChildServices): void {
  const directory = join(loadPlatformConfig().stateDir, 'logs', 'e2e-scale-out-services');
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  for (const instance of children.instances()) {
    const { logs, stderr } = children.processOf(instance);
    writeFileSync(join(directory, `${instance}.log`), [...logs.map((line) => JSON.stringify(line)), ...stderr].join('\n'));
  }
}

export async function startScaleOutPlatform(): Promise<ScaleOutPlatform> {
  const cleanups = new Cleanups();
  const close = (): Promise<void> => cleanups.runAll().catch(() => undefined);
  try {
    const infrastructure = await startPrivateInfrastructure('e2e-scale-out', { instances: INSTANCES.length, log: (message) => process.stderr.write(`${new Date().toISOString()} ${message}\n`) });
    cleanups.push(() => infrastructure.close());
    const intents = await sandboxIntents(`scale-out-${Date.now()}`);
    const tenantId = `merchant-scale-out-${intents.apiKey.slice(-8)}`;
    const proxyEvents: ProxyEvent[] = [];
    const proxy = await startPspProxy({ upstreamUrl: testEnvironment().pspSandbox.url, onEvent: (event) => proxyEvents.push(event) });
    cleanups.push(() => proxy.close());
    const secrets = secretFiles('e2e-scale-out-secrets-');
    cleanups.push(() => secrets.remove());
    const pools = await ownerPools(infrastructure, cleanups);
    const children = new ChildServices();
    // Kept beside the infrastructure's logs of the last run: what each instance said, for a person.
    cleanups.push(() => Promise.resolve(keepLogs(children)));
    await startInstances(children, infrastructure, pools, { url: proxy.url, keyFile: secrets.write('psp-api-key', intents.apiKey) }, cleanups);
    const send = await privateSender(infrastructure, cleanups);
    return {
      tenantId,
      infrastructure,
      processOf: (instance) => children.processOf(instance),
      poolOf: (service) => pools[service],
      proxy,
      proxyEvents,
      send,
      membersOf: (service) => membersOf(infrastructure, service),
      deadLetters: () => deadLettersOn(infrastructure),
      intentsAtSandbox: () => intents.list((intent) => intent.metadata.tenant_id === tenantId),
      kill: (instance) => children.kill(instance),
      start: (instance) => children.start(instance),
      killInfrastructure: (component) => infrastructure.kill(component),
      startInfrastructure: (component) => infrastructure.start(component),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
