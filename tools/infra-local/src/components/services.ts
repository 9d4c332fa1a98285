import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client, type ClientConfig } from 'pg';
import { newMasterKeyLine } from '@txn/personal-data';
import type { Component, ComponentContext, ProbeResult } from '../component';
import { MAX_INSTANCES, type PlatformConfig } from '../config';
import { ensureSecret, secretFile } from '../secrets';
import { ensureStaffSigningKeys, LOCAL_STAFF_TOKEN_ISSUER, STAFF_TOKEN_AUDIENCE } from '../staff-keys';
import { kafkaBrokers } from './kafka';
import { mailpitSmtpUrl } from './mailpit';
import { ensureServiceDatabase, postgresAdmin, postgresNames } from './postgres';
import { pspProxyUrl } from './psp-proxy';
import { schemaRegistryUrl } from './schema-registry';
import { jaegerOtlpTracesUrl } from './jaeger';
import { ingressSecretEnv, registerIngressWithSandbox, sandboxProcessKey } from './webhook-registration';

/**
 * The platform's own services as components: each runs from source
 * (`node --import tsx services/<name>/src/main.ts`) with the settings of
 * docs/decisions/0011-service-runtime.md, after its database, Kafka and the registry are up, and
 * is ready when its `/health/ready` answers 200 (migrated, consuming, relay running).
 */
export interface ServiceSpec {
  /**
   * services/<name>; also the database (`<name>`), runtime role (`svc_<name>`), owner role
   * (`svc_<name>_owner`, migrations only) and consumer group.
   */
  readonly name: string;
  /**
   * Extensions the service's migrations need but its role may not create (CREATE EXTENSION needs
   * CREATE on the database, which service roles do not get): installed here as administrator.
   */
  readonly extensions: readonly string[];
  /** Used until platform.json names the port (`servicePorts`): health, readiness and metrics. */
  readonly defaultPort: number;
  /** An edge service's public HTTP port (API_PORT), shifted per instance like the other. */
  readonly apiPort?: number;
  /** Components besides postgres, kafka and schema-registry that must be up first. */
  readonly dependsOn?: readonly string[];
  /** Set-up once the (first) instance is ready, e.g. registering the ingress with the sandbox; rerun when setupKey changes. */
  readonly afterStart?: (ctx: ComponentContext, url: { readonly api?: string }) => Promise<void>;
  readonly setupKey?: (ctx: ComponentContext) => string;
  /** The service's own settings beyond the shared ones (e.g. payment's PSP_*). */
  readonly env?: (ctx: ComponentContext) => Readonly<Record<string, string>>;
}

/** Adding payment or ledger is one line each. */
export const PLATFORM_SERVICES: readonly ServiceSpec[] = [
  {
    name: 'api-gateway',
    extensions: [],
    defaultPort: 18504,
    apiPort: 18500,
    // Staff tokens: the public half of the key ./platform token signs with (decision 0024).
    env: (ctx) => ({ GATEWAY_STAFF_JWKS_FILE: ensureStaffSigningKeys(ctx.stateDir).jwksFile, GATEWAY_WEBHOOK_SIGNING_KEY_FILE: webhookSigningKeyFile(ctx.stateDir), GATEWAY_PERSONAL_DATA_KEYRING_FILE: personalDataKeyringFile(ctx.stateDir), GATEWAY_STAFF_JWT_ISSUER: LOCAL_STAFF_TOKEN_ISSUER, GATEWAY_STAFF_JWT_AUDIENCE: STAFF_TOKEN_AUDIENCE }),
  },
  { name: 'booking', extensions: ['btree_gist'], defaultPort: 18501 },
  { name: 'ledger', extensions: [], defaultPort: 18503 },
  {
    name: 'webhook-ingress',
    extensions: [],
    defaultPort: 18505,
    apiPort: 18510,
    dependsOn: ['psp-sandbox', 'psp-proxy'],
    // The catch-up reads the PSP's event list with the same account's key as payment.
    env: (ctx) => ({ ...ingressSecretEnv(ctx), PSP_API_URL: pspProxyUrl(ctx.config), PSP_API_KEY_FILE: ensurePspTestKeyFile(ctx.stateDir) }),
    afterStart: (ctx, url) => registerIngressWithSandbox(ctx, url.api ?? ''),
    setupKey: (ctx) => sandboxProcessKey(ctx.config),
  },
  { name: 'audit', extensions: [], defaultPort: 18506 },
  {
    name: 'notification',
    extensions: [],
    defaultPort: 18507,
    dependsOn: ['mailpit'],
    // The gateway's key file: each endpoint's secret is derived from it, never stored (decision 0033).
    // Loopback receivers are for this machine only: a local demo's receiver runs on 127.0.0.1.
    // Customers' emails go to Mailpit (its web UI shows them).
    env: (ctx) => ({ NOTIFICATION_WEBHOOK_SIGNING_KEY_FILE: webhookSigningKeyFile(ctx.stateDir), NOTIFICATION_ALLOW_LOOPBACK_WEBHOOKS: 'true', NOTIFICATION_SMTP_URL: mailpitSmtpUrl(ctx.config), NOTIFICATION_PERSONAL_DATA_KEYRING_FILE: personalDataKeyringFile(ctx.stateDir) }),
  },
  { name: 'payment', extensions: [], defaultPort: 18502, dependsOn: ['psp-proxy'], env: (ctx) => ({ PSP_API_URL: pspProxyUrl(ctx.config), PSP_API_KEY_FILE: ensurePspTestKeyFile(ctx.stateDir) }) },
];

/**
 * The local PSP (the fault proxy in front of localstripe) takes any key shaped like a Stripe test
 * key; one per state folder, in a file like every other secret, since services read keys from files.
 */
function ensurePspTestKeyFile(stateDir: string): string {
  const path = secretFile(stateDir, 'psp-api-key');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `sk_test_local_${randomBytes(12).toString('hex')}`, { mode: 0o600 });
  }
  return path;
}

/** The key merchants' webhook signing secrets are derived from (decision 0033): random, once per state folder; the notification service will read the same file. */
/**
 * The master keyring customers' data keys are wrapped under (decision 0037): one key the first
 * time; a rotation adds a line at the top (docs/runbooks/personal-data-keys.md).
 */
function personalDataKeyringFile(stateDir: string): string {
  const path = secretFile(stateDir, 'personal-data-keyring');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${newMasterKeyLine(`k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`)}\n`, { mode: 0o600 });
  }
  return path;
}

function webhookSigningKeyFile(stateDir: string): string {
  ensureSecret(stateDir, 'webhook-signing-key');
  return secretFile(stateDir, 'webhook-signing-key');
}

const HOST = '127.0.0.1';
const PROBE_TIMEOUT_MS = 2_000;
/**
 * The broker's smallest accepted consumer session (group.min.session.timeout.ms), for services run
 * by `./platform up`. A member that was killed keeps its partitions until its session lapses, and
 * the group's rebalance (so the restarted service's readiness) waits for that: with the service's
 * default of 30 s, `up` after a `kill -9` took 25-30 s; with 6 s, a few. The price, here only: a
 * service paused longer than 6 s (a debugger) loses its partitions and rejoins when it resumes.
 */
const LOCAL_KAFKA_SESSION_TIMEOUT_MS = 6_000;
const EXTENSION_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Instance n > 1 of a service listens this much above the first (booking 18501, booking-2 18601). */
const INSTANCE_PORT_STEP = 100;

/** `servicePorts.<name>` of platform.json when the config carries it, else the spec's default; shifted for instance n > 1. */
export function servicePort(config: PlatformConfig, spec: ServiceSpec, instance = 1): number {
  return (config.servicePorts[spec.name] ?? spec.defaultPort) + INSTANCE_PORT_STEP * (instance - 1);
}

/** The component name of an instance: the service's own for the first (what every command names), `<name>-<n>` after. */
export function instanceName(spec: Pick<ServiceSpec, 'name'>, instance: number): string {
  return instance === 1 ? spec.name : `${spec.name}-${instance}`;
}

/** The public API port of an instance of an edge service; undefined for the others. */
export function serviceApiPort(spec: ServiceSpec, instance = 1): number | undefined {
  return spec.apiPort === undefined ? undefined : spec.apiPort + INSTANCE_PORT_STEP * (instance - 1);
}

export function serviceUrl(config: PlatformConfig, spec: ServiceSpec, instance = 1): string {
  return `http://${HOST}:${servicePort(config, spec, instance)}`;
}

/** Installs extensions in a database as the given (administrator's) connection; idempotent. */
export async function installExtensions(connection: ClientConfig, extensions: readonly string[]): Promise<void> {
  if (extensions.length === 0) return;
  const client = new Client({ connectionTimeoutMillis: PROBE_TIMEOUT_MS, statement_timeout: 30_000, ...connection });
  await client.connect();
  try {
    for (const extension of extensions) {
      if (!EXTENSION_NAME.test(extension)) throw new Error(`"${extension}" is not an extension name`);
      await client.query(`CREATE EXTENSION IF NOT EXISTS ${extension}`);
    }
  } finally {
    await client.end();
  }
}

/** Installs extensions in a service's database as the administrator; idempotent. */
export function ensureDatabaseExtensions(config: PlatformConfig, database: string, extensions: readonly string[]): Promise<void> {
  return installExtensions({ ...postgresAdmin(config), database }, extensions);
}

async function probeReady(url: string): Promise<ProbeResult> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = await response.text();
    return response.status === 200 ? { ready: true } : { ready: false, reason: `GET ${url}/health/ready answered ${response.status} ${body.trim().slice(0, 200)}` };
  } catch (error) {
    return { ready: false, reason: `GET ${url}/health/ready failed: ${(error as Error).message}` };
  }
}

/**
 * One instance of a service. Every instance has the same settings but its HTTP port: the same
 * database and roles, the same consumer group (SERVICE_NAME), the same topics; instance n > 1
 * starts after the first (which prepared the database and migrated it) and prepares nothing.
 */
export function serviceComponent(spec: ServiceSpec, instance = 1): Component {
  const { database, role, ownerRole } = postgresNames(spec.name);
  const first = instance === 1;
  return {
    name: instanceName(spec, instance),
    dependsOn: ['postgres', 'kafka', 'schema-registry', ...(spec.dependsOn ?? []), ...(first ? [] : [spec.name])],
    // tsx compiles on start, then migrations, the consumer group join and the relay's first lock.
    readinessTimeout_s: 60,
    // Above the service's own 25 s shutdown limit (stopOnSignals), so it exits by itself.
    stopTimeout_s: 30,

    version: (ctx) => (JSON.parse(readFileSync(join(ctx.rootDir, 'services', spec.name, 'package.json'), 'utf8')) as { version: string }).version,
    ports: (ctx) => [{ name: 'http', port: servicePort(ctx.config, spec, instance) }, ...(spec.apiPort === undefined ? [] : [{ name: 'api', port: serviceApiPort(spec, instance) ?? 0 }])],
    // Node and tsx come with the workspace's dependencies.
    install: () => Promise.resolve(),

    async prepare(ctx: ComponentContext) {
      if (!first) return;
      await ensureServiceDatabase(ctx, spec.name);
      await ensureDatabaseExtensions(ctx.config, database, spec.extensions);
    },

    command(ctx) {
      const { config } = ctx;
      return {
        // The Node running the supervisor is the project's pinned Node (./platform puts it first).
        command: process.execPath,
        // kafkajs 2.2.4 schedules a negative timeout on Node 24 (harmless, printed as plain text
        // into a JSON log); the messaging bench silences the same warning.
        args: serviceNodeArgs(ctx.rootDir, spec.name),
        env: {
          SERVICE_NAME: spec.name,
          HTTP_PORT: String(servicePort(config, spec, instance)),
          ...(spec.apiPort === undefined ? {} : { API_PORT: String(serviceApiPort(spec, instance)) }),
          DATABASE_HOST: HOST,
          DATABASE_PORT: String(config.postgres.port),
          DATABASE_NAME: database,
          // The runtime role, and the owner role it migrates with at start, on a connection it closes
          // before it serves (decision 0015). The files ensureServiceDatabase wrote: passwords never
          // enter the environment.
          DATABASE_USER: role,
          DATABASE_PASSWORD_FILE: secretFile(config.stateDir, `postgres-${role}`),
          DATABASE_MIGRATION_USER: ownerRole,
          DATABASE_MIGRATION_PASSWORD_FILE: secretFile(config.stateDir, `postgres-${ownerRole}`),
          KAFKA_SESSION_TIMEOUT_MS: String(LOCAL_KAFKA_SESSION_TIMEOUT_MS),
          KAFKA_BROKERS: kafkaBrokers(config).join(','),
          SCHEMA_REGISTRY_URL: schemaRegistryUrl(config),
          LOG_LEVEL: process.env.PLATFORM_SERVICE_LOG_LEVEL ?? 'info',
          // Spans to the local Jaeger; while it is down they are dropped, never waited for.
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: jaegerOtlpTracesUrl(config),
          ...spec.env?.(ctx),
        },
        // `--import tsx` resolves from the workspace's node_modules; tsx reads tsconfig paths from here.
        cwd: ctx.rootDir,
      };
    },

    probe: (ctx) => probeReady(serviceUrl(ctx.config, spec, instance)),
    ...(first && spec.afterStart !== undefined ? { afterStart: (ctx: ComponentContext) => spec.afterStart?.(ctx, { api: `http://${HOST}:${serviceApiPort(spec, instance) ?? 0}` }) ?? Promise.resolve() } : {}),
    ...(first && spec.setupKey !== undefined ? { setupKey: spec.setupKey } : {}),
  };
}

/**
 * How Node starts a service from source: tsx; the decorator-metadata hook after it (Nest's
 * validation and the OpenAPI document need `design:*` metadata, tools/decorator-metadata); the
 * OpenTelemetry instrumentations before the service's own modules load (libs/service-kit/src/instrument.ts).
 */
export function serviceNodeArgs(rootDir: string, service: string): string[] {
  return [
    '--import', 'tsx',
    '--import', join(rootDir, 'tools', 'decorator-metadata', 'register.cjs'),
    '--import', join(rootDir, 'libs', 'service-kit', 'src', 'instrument.ts'),
    '--disable-warning=TimeoutNegativeWarning',
    join(rootDir, 'services', service, 'src', 'main.ts'),
  ];
}

/** One component per service that exists: one instance of each. */
export const serviceComponents: readonly Component[] = PLATFORM_SERVICES.map((spec) => serviceComponent(spec));

/**
 * The instances to manage: PLATFORM_INSTANCES of each, and never fewer than have a pid file, so a
 * `down` or `status` without the setting still sees the second instance an earlier `up` started.
 */
export function instancesOf(config: PlatformConfig, spec: ServiceSpec): number {
  let recorded = 1;
  for (let instance = 2; instance <= MAX_INSTANCES; instance += 1) {
    if (existsSync(join(config.stateDir, 'run', `${instanceName(spec, instance)}.pid`))) recorded = instance;
  }
  return Math.max(config.instances, recorded);
}

/** Every instance of every service this configuration runs (PLATFORM_INSTANCES of each). */
export function serviceComponentsFor(config: PlatformConfig): Component[] {
  return PLATFORM_SERVICES.flatMap((spec) => Array.from({ length: instancesOf(config, spec) }, (_, index) => serviceComponent(spec, index + 1)));
}
