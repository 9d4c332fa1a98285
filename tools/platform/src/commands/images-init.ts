import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { EVENT_TYPES } from '@txn/contracts';
import { ensureTopics, installExtensions, loadTopicCatalogue, PLATFORM_SERVICES, postgresNames, provisionDatabase, provisionServiceDatabase, SUBJECT_COMPATIBILITY, type PlatformConfig } from '@txn/infra-local';
import { registerSchemas, type SchemaCatalogue } from '@txn/schema-deploy';

/**
 * `./platform images init <step>`: the one-shot set-up steps of a container deployment, each the
 * same code `./platform up` runs, with every address and secret from the environment (the
 * platform-init image's entry point; docker-compose.yml runs each as an init container):
 *   databases  every service's database and its two roles (decision 0015), the registry's database
 *   topics     deploy/kafka-topics.json on KAFKA_BROKERS
 *   schemas    the registry's global rule and every subject (tools/schema-deploy)
 *   webhooks   the PSP sandbox delivers its events to the ingress, signed with the shared secret
 */

const SECRETS_DIR_DEFAULT = '/run/secrets';
const REQUEST_TIMEOUT_MS = 10_000;
const SANDBOX_WEBHOOK_ID = 'txn-webhook-ingress';
const REGISTRY_DATABASE = 'schema-registry';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

/** A mounted secret: `<INIT_SECRETS_DIR>/<name>`, trimmed. */
function secret(name: string): string {
  return readFileSync(join(process.env.INIT_SECRETS_DIR ?? SECRETS_DIR_DEFAULT, name), 'utf8').trim();
}

function say(line: string): void {
  process.stderr.write(`[init] ${line}\n`);
}

async function databases(config: PlatformConfig): Promise<void> {
  const admin = { host: required('POSTGRES_HOST'), port: Number(process.env.POSTGRES_PORT ?? '5432'), user: process.env.POSTGRES_USER ?? 'platform_admin', password: secret('postgres-platform_admin') };
  for (const service of config.services) {
    const { database, role, ownerRole } = postgresNames(service);
    await provisionServiceDatabase(admin, service, { owner: secret(`postgres-${ownerRole}`), runtime: secret(`postgres-${role}`) });
    await installExtensions({ ...admin, database }, PLATFORM_SERVICES.find((spec) => spec.name === service)?.extensions ?? []);
    say(`database ${database}: roles ${ownerRole} (migrates) and ${role} (runs)`);
  }
  const registry = await provisionDatabase(admin, REGISTRY_DATABASE, secret(`postgres-${postgresNames(REGISTRY_DATABASE).role}`));
  say(`database ${registry.database}: role ${registry.user}`);
}

async function topics(config: PlatformConfig): Promise<void> {
  const kafka = new Kafka({ clientId: 'platform-init', brokers: required('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, loadTopicCatalogue(config.rootDir), say);
  } finally {
    await admin.disconnect();
  }
}

async function schemas(): Promise<void> {
  const url = required('SCHEMA_REGISTRY_URL');
  // As the registry component's afterStart: the stored global rule equals the -D default the Confluent API reports (decision 0003).
  const response = await fetch(`${url}/config`, { method: 'PUT', headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: SUBJECT_COMPATIBILITY }), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`PUT ${url}/config answered ${response.status}: ${await response.text()}`);
  const registered = await registerSchemas(url, EVENT_TYPES as unknown as SchemaCatalogue);
  say(`registered ${registered.length} subjects at ${url} (compatibility ${SUBJECT_COMPATIBILITY})`);
}

async function webhooks(): Promise<void> {
  const sandbox = required('PSP_SANDBOX_URL');
  const body = new URLSearchParams({ url: `${required('WEBHOOK_INGRESS_URL')}/webhooks/stripe`, secret: secret('webhook-stripe-signing-secret') });
  const response = await fetch(`${sandbox}/_config/webhooks/${SANDBOX_WEBHOOK_ID}`, { method: 'POST', body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`the PSP sandbox refused the ingress' webhook registration: ${response.status} ${(await response.text()).slice(0, 200)}`);
  say(`the PSP sandbox delivers its events to ${body.get('url') ?? ''}`);
}

const STEPS: Readonly<Record<string, (config: PlatformConfig) => Promise<void>>> = { databases, topics, schemas, webhooks };

export async function runImagesInit(args: readonly string[], config: PlatformConfig): Promise<number> {
  const names = args.length === 0 ? ['databases', 'topics', 'schemas'] : args;
  const unknown = names.filter((name) => STEPS[name] === undefined);
  if (unknown.length > 0) {
    process.stderr.write(`images init: no step ${unknown.join(', ')}; the steps are ${Object.keys(STEPS).join(', ')}\n`);
    return 2;
  }
  for (const name of names) await STEPS[name]?.(config);
  return 0;
}
