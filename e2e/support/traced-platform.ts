import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { issueApiKey } from '@txn/api-gateway';
import { EVENT_TYPES } from '@txn/contracts';
import { registerSchemas, type SchemaCatalogue } from '@txn/schema-deploy';
import { baseServiceSettings, Cleanups, createSuiteScope, deleteSubjects, installExtensions, secretFiles, testEnvironment, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { ChildServices, type ChildServiceName, type ServiceProcess } from './child-services';
import { PARTITIONS_PER_TOPIC, sandboxIntents, smallPool } from './suite-resources';

// Every service on the booking's path as a child process, each started the way the platform
// starts it (instrumentations loaded before the service's modules, spans exported over OTLP/HTTP
// to the real Jaeger), on this suite's databases, topics and consumer groups. One process per
// service, because a tracer provider is per process: in one process every service's spans would
// carry one service name.

export const TRACED_SERVICES = ['api-gateway', 'booking', 'payment', 'ledger', 'audit', 'notification'] as const satisfies readonly ChildServiceName[];
export type TracedService = (typeof TRACED_SERVICES)[number];

const KAFKA_SESSION_TIMEOUT_MS = 6_000;
const REGISTRY_TIMEOUT_MS = 5_000;
/** Payment sweeps its call list this often besides the commit notification. */
const PSP_CALL_POLL_INTERVAL_MS = 200;

export interface TracedPlatform {
  readonly tenantId: string;
  /** http://127.0.0.1:<the gateway's API port> */
  readonly apiUrl: string;
  processOf(service: TracedService): ServiceProcess;
  /** An owner key of the suite's merchant, as the key routes would issue it. */
  ownerKey(): Promise<string>;
  /** A bookable resource of the suite's merchant, in booking's own table (as the demo seeds it). */
  addResource(): Promise<string>;
  close(): Promise<void>;
}

/** Every topic of the catalogue under the suite's prefix, and every event type's subject: the deploy step's work. */
async function catalogue(scope: SuiteScope, cleanups: Cleanups): Promise<void> {
  const topics = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'deploy', 'kafka-topics.json'), 'utf8')) as { topics: { name: string }[] }).topics.map((topic) => topic.name);
  await scope.createTopics(topics.map((topic) => ({ topic: scope.topic(topic), numPartitions: PARTITIONS_PER_TOPIC })));
  const { schemaRegistry } = testEnvironment();
  const subjects = (await registerSchemas(schemaRegistry.url, EVENT_TYPES as unknown as SchemaCatalogue, { subjectPrefix: scope.topic('') })).map((entry) => entry.subject);
  cleanups.push(() => deleteSubjects(schemaRegistry.url, subjects, REGISTRY_TIMEOUT_MS));
}

/** Each service's own settings beside the shared ones (the services component's, with the suite's names). */
async function ownSettings(scope: SuiteScope, secret: (name: string, value: string) => string): Promise<Record<TracedService, Record<string, string>>> {
  const { apiKey } = await sandboxIntents(scope.id);
  return {
    'api-gateway': { API_PORT: '0' },
    booking: {},
    payment: { PSP_API_URL: testEnvironment().pspProxy.url, PSP_API_KEY_FILE: secret('psp-api-key', apiKey), PAYMENT_CALL_POLL_INTERVAL_MS: String(PSP_CALL_POLL_INTERVAL_MS) },
    ledger: {},
    audit: {},
    notification: { NOTIFICATION_WEBHOOK_SIGNING_KEY_FILE: secret('webhook-signing-key', randomBytes(32).toString('base64url')) },
  };
}

async function startChildren(scope: SuiteScope, cleanups: Cleanups): Promise<{ children: ChildServices; databases: Record<TracedService, SuiteDatabase> }> {
  const databases = {} as Record<TracedService, SuiteDatabase>;
  for (const service of TRACED_SERVICES) databases[service] = await scope.database(service.replace(/-/g, '_'));
  await installExtensions(databases.booking, ['btree_gist']);
  const secrets = secretFiles('e2e-trace-secrets-');
  cleanups.push(() => secrets.remove());
  const own = await ownSettings(scope, secrets.write);
  const children = new ChildServices();
  for (const service of TRACED_SERVICES) {
    const pool = smallPool(databases[service]);
    cleanups.push(() => pool.end());
    const environment = {
      ...baseServiceSettings(service, databases[service], secrets.write),
      KAFKA_TOPIC_PREFIX: scope.topic(''),
      KAFKA_CONSUMER_GROUP: scope.groupId(service),
      KAFKA_SESSION_TIMEOUT_MS: String(KAFKA_SESSION_TIMEOUT_MS),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: testEnvironment().jaeger.otlpTracesUrl,
      ...own[service],
    };
    children.add(service, pool, environment, { group: scope.groupId(service), topicPrefix: scope.topic('') });
  }
  cleanups.push(() => children.stopAll());
  const starts = await Promise.allSettled(TRACED_SERVICES.map((service) => children.start(service)));
  for (const outcome of starts) if (outcome.status === 'rejected') throw outcome.reason;
  return { children, databases };
}

function apiPortOf(gateway: ServiceProcess): number {
  const started = gateway.logs.find((line) => line.msg === 'service started');
  const port = Number(started?.['apiPort']);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`the gateway logged no API port: ${JSON.stringify(started)}`);
  return port;
}

async function ownerKeyOf(pool: Pool, tenantId: string): Promise<string> {
  await pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, 'EUR') ON CONFLICT (id) DO NOTHING", [tenantId]);
  const issued = await issueApiKey();
  await pool.query('INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, scopes, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [randomUUID(), tenantId, issued.prefix, issued.secretHash, 'e2e-trace', 'owner', [], 'e2e']);
  return issued.key;
}

export async function startTracedPlatform(): Promise<TracedPlatform> {
  const scope = await createSuiteScope('e2e-trace');
  const tenantId = `merchant-${scope.id.replace(/_/g, '-')}`;
  const cleanups = new Cleanups();
  const close = (): Promise<void> => cleanups.runAll().catch(() => undefined);
  cleanups.push(() => scope.dispose());
  try {
    await catalogue(scope, cleanups);
    const { children } = await startChildren(scope, cleanups);
    const processOf = (service: TracedService): ServiceProcess => children.processOf(service);
    return {
      tenantId,
      apiUrl: `http://127.0.0.1:${apiPortOf(processOf('api-gateway'))}`,
      processOf,
      ownerKey: () => ownerKeyOf(processOf('api-gateway').pool, tenantId),
      async addResource() {
        const resourceId = `room-${randomUUID().slice(0, 8)}`;
        await processOf('booking').pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [tenantId, resourceId, 'Traced room']);
        return resourceId;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
