import { Module, type DynamicModule, type INestApplication, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AVRO_TYPE_OPTIONS, TOPIC_EVENT_TYPES } from '@txn/contracts';
import { AvroCodec, InboxPruner, type RetryPolicy } from '@txn/messaging';
import { InboxTransport, MessagingModule, OutboxRelayLifecycle } from '@txn/nest-messaging';
import { DATABASE_POOL_MAX_DEFAULT, type ServiceConfig } from './config';
import { startHealthServer, type HealthServer, type ReadinessCheck } from './health-server';
import { createServiceLogger } from './logger';
import type { ServiceSchema } from './migrations';
import { checkRuntimeDatabase, migrateServiceDatabase } from './service-database';
import { PinoNestLogger } from './nest-logger';
import { installTelemetry, type InstalledTelemetry } from './telemetry';

/** Connections per service instance unless DATABASE_POOL_MAX says otherwise (config.ts). */
export const DATABASE_POOL_MAX = DATABASE_POOL_MAX_DEFAULT;
const DATABASE_CONNECT_TIMEOUT_MS = 5_000;
/** kafkajs' default heartbeat; shorter sessions heartbeat more often (a tenth of the session). */
const MAX_HEARTBEAT_INTERVAL_MS = 3_000;
const DATABASE_IDLE_TIMEOUT_MS = 30_000;
/** Bound on any statement outside the inbox transaction (which sets its own, 10 s). */
const DATABASE_STATEMENT_TIMEOUT_MS = 15_000;

/** What a service's Nest module gets to build its providers (also injectable: SERVICE_DEPENDENCIES). */
export interface ServiceDependencies {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  /** The service's own database; ended by the kit after the application closed. */
  readonly pool: Pool;
  /** The service's metrics registry, served on /metrics. */
  readonly metrics: Registry;
  readonly codec: AvroCodec;
  /** Contract topic → topic actually used (tests, environment prefixes). */
  topicOf(contractTopic: string): string;
}

export const SERVICE_DEPENDENCIES = Symbol('txn-service-dependencies');

/** What differs between services: their schema (migrations and the runtime role's grants), topics and module. */
export interface ServiceDefinition extends ServiceSchema {
  /** The contract topics the service consumes (`booking.commands.v1`, …); none only for an edge service with `http`. */
  readonly topics: readonly string[];
  /** The service's feature module(s): controllers with @EventPattern handlers, sweepers. */
  module(dependencies: ServiceDependencies): DynamicModule;
  /** Extra readiness conditions besides database, consumer and relay. */
  readonly readiness?: readonly ReadinessCheck[];
  /**
   * An edge service's public HTTP surface (the api-gateway): the service's module then also holds
   * HTTP controllers, and the kit runs one hybrid Nest application — the HTTP server and the inbox
   * consumer share the module tree, the outbox publisher and the relay. Served on its own port;
   * health and metrics stay on the kit's health server, which is never public.
   */
  readonly http?: HttpSurface;
}

/** How an edge service's HTTP application is served. */
export interface HttpSurface {
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Pipes, filters, body limits, OpenAPI: called before the server listens. */
  configure(app: INestApplication, dependencies: ServiceDependencies): void | Promise<void>;
}

/**
 * Per-run choices: tests isolate topics and groups; production uses the configuration
 * (KAFKA_TOPIC_PREFIX, KAFKA_CONSUMER_GROUP), which these override.
 */
export interface BootstrapOptions {
  /** Contract topic → topic used; a topic not named here gets the configured prefix. */
  readonly topicOverrides?: Readonly<Record<string, string>>;
  /** Default: the configured group (the service name unless set). It is also the inbox's dedup scope. */
  readonly consumerGroup?: string;
  readonly retry?: RetryPolicy;
  /** Default: a JSON logger on stdout at the configured level. */
  readonly logger?: Logger;
  /** Register the OpenTelemetry globals (default true; a test that records spans passes false). */
  readonly telemetry?: boolean;
  /** Health server host (default: the config's HTTP_HOST, else 127.0.0.1). Port 0 in the config picks a free one (tests). */
  readonly httpHost?: string;
}

export interface RunningService {
  readonly app: INestApplicationContext;
  readonly dependencies: ServiceDependencies;
  /** The health server's port (health, readiness, metrics). */
  readonly httpPort: number;
  /** The public HTTP surface's port, for a service that has one. */
  readonly apiPort?: number;
  /** Stops consuming, the relay, the inbox pruner, the HTTP server and the pool, in that order. Idempotent. */
  close(): Promise<void>;
}

@Module({})
class ServiceRootModule {}

@Module({})
class ServiceDependenciesModule {
  static with(dependencies: ServiceDependencies): DynamicModule {
    return {
      module: ServiceDependenciesModule,
      global: true,
      providers: [{ provide: SERVICE_DEPENDENCIES, useValue: dependencies }],
      exports: [SERVICE_DEPENDENCIES],
    };
  }
}

function servicePool(config: ServiceConfig, logger: Logger): Pool {
  const pool = new Pool({
    ...config.database,
    max: config.databasePoolMax ?? DATABASE_POOL_MAX,
    connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: DATABASE_IDLE_TIMEOUT_MS,
    statement_timeout: DATABASE_STATEMENT_TIMEOUT_MS,
    application_name: config.serviceName,
  });
  // An idle client losing its connection must not crash the process; the next checkout reconnects.
  pool.on('error', (error) => logger.warn({ errorClass: error.name, error: error.message }, 'idle database connection failed'));
  return pool;
}

function serviceMetrics(config: ServiceConfig): Registry {
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: config.serviceName });
  collectDefaultMetrics({ register: metrics });
  return metrics;
}

/** The consumer: the service's topics in its group, on the inbox runtime. */
function inboxTransportFor(dependencies: ServiceDependencies, definition: ServiceDefinition, consumerGroup: string, retry: RetryPolicy | undefined): InboxTransport {
  const { config, pool, codec, logger, metrics, topicOf } = dependencies;
  return new InboxTransport({
    consumerGroup,
    topics: definition.topics.map(topicOf),
    pool,
    codec,
    logger,
    metrics,
    kafka: {
      clientId: `${config.serviceName}-consumer`,
      brokers: config.kafkaBrokers,
      sessionTimeout_ms: config.kafkaSessionTimeout_ms,
      // A tenth of the session: several heartbeats may be lost before the member is given up.
      heartbeatInterval_ms: Math.min(Math.floor(config.kafkaSessionTimeout_ms / 10), MAX_HEARTBEAT_INTERVAL_MS),
    },
    ...(retry === undefined ? {} : { retry }),
  });
}

/** The Nest root: the kit's dependencies, the producing side of the backbone (outbox + relay), and the service's own module. */
function rootModule(dependencies: ServiceDependencies, definition: ServiceDefinition, topicOverrides: BootstrapOptions['topicOverrides']): DynamicModule {
  const { config, codec, logger, metrics, topicOf } = dependencies;
  // The publisher maps by table: every contract topic (any of them may be produced) and any override.
  const producedTopics = Object.fromEntries([...Object.keys(TOPIC_EVENT_TYPES), ...Object.keys(topicOverrides ?? {})].map((topic) => [topic, topicOf(topic)]));
  return {
    module: ServiceRootModule,
    imports: [
      ServiceDependenciesModule.with(dependencies),
      MessagingModule.forRoot({
        codec,
        logger,
        topicOverrides: producedTopics,
        relay: { database: { ...config.database }, kafka: { clientId: `${config.serviceName}-relay`, brokers: config.kafkaBrokers }, registry: metrics, name: config.serviceName },
      }),
      definition.module(dependencies),
    ],
  };
}

/** What a started service holds, and the one way to let go of it (in reverse order of acquiring). */
class ServiceRun {
  consuming = false;
  app: INestApplicationContext | undefined;
  pruner: InboxPruner | undefined;
  health: HealthServer | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly telemetry: InstalledTelemetry | undefined,
  ) {}

  readiness(extra: readonly ReadinessCheck[]): ReadinessCheck[] {
    return [
      { name: 'consumer', check: () => this.consuming },
      { name: 'relay', check: () => this.app?.get(OutboxRelayLifecycle).current() !== undefined },
      {
        name: 'database',
        check: async () => {
          await this.pool.query('SELECT 1');
          return true;
        },
      },
      ...extra,
    ];
  }

  /** Stops consuming, the relay, the inbox pruner, the HTTP server and the pool, in that order. Idempotent. */
  async close(): Promise<void> {
    this.consuming = false;
    const running = this.app;
    this.app = undefined;
    // Nest closes the transport first (no more handlers), then the relay and the module hooks.
    await running?.close();
    // Before the pool ends: a prune in progress finishes its batch.
    await this.pruner?.stop();
    this.pruner = undefined;
    await this.health?.close();
    this.health = undefined;
    if (!this.pool.ended) await this.pool.end();
    await this.telemetry?.uninstall();
  }
}

interface StartedApplication {
  readonly app: INestApplicationContext;
  readonly apiPort?: number;
}

/** A service with no public HTTP: the Nest microservice on the inbox transport. */
async function startConsumer(root: DynamicModule, transport: InboxTransport, logger: Logger, run: ServiceRun): Promise<StartedApplication> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(root, { strategy: transport, logger: new PinoNestLogger(logger), abortOnError: false });
  run.app = app;
  await app.listen();
  return { app };
}

/**
 * An edge service: one Nest application serving HTTP with the inbox consumer (if it consumes
 * anything) connected to it. The consumer starts first, so the HTTP port opens only on a service that also consumes; Express' own
 * body parser is off (the surface's `configure` sets its limits).
 */
async function startHybrid(root: DynamicModule, transport: InboxTransport | undefined, http: HttpSurface, dependencies: ServiceDependencies, run: ServiceRun): Promise<StartedApplication> {
  const app = await NestFactory.create(root, { logger: new PinoNestLogger(dependencies.logger), abortOnError: false, bodyParser: false });
  run.app = app;
  // An edge service that consumes nothing (webhook-ingress only produces) has no consumer to connect.
  if (transport !== undefined) {
    app.connectMicroservice<MicroserviceOptions>({ strategy: transport }, { inheritAppConfig: false });
    await app.startAllMicroservices();
  }
  await http.configure(app, dependencies);
  await app.listen(http.port, http.host ?? '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number } | string | null;
  return { app, apiPort: typeof address === 'object' && address !== null ? address.port : http.port };
}

/**
 * With the migration role's login, migrates on a connection of its own (closed afterwards); then,
 * as the running role, checks that it may not change its own tables and that the schema is current.
 */
async function migrateThenCheck(config: ServiceConfig, definition: ServiceDefinition, pool: Pool, logger: Logger): Promise<void> {
  if (config.databaseMigration !== undefined) {
    const report = await migrateServiceDatabase({ connection: config.databaseMigration, runtimeRole: config.database.user, schema: definition, logger, applicationName: `${config.serviceName}-migrate` });
    logger.info({ applied: report.applied, alreadyApplied: report.alreadyApplied }, 'database schema up to date');
  }
  await checkRuntimeDatabase(pool, definition);
}

/**
 * Starts a service: logger and telemetry, the health server (live at once, ready only once
 * consuming), the database pool (the runtime role) after the migrations (as the migration role,
 * when the config has its login) and the check that the schema is current, the registry codec, the Nest microservice on
 * the InboxTransport with MessagingModule (EventPublisher + outbox relay), the service's module,
 * and the inbox pruner (INBOX_RETENTION_DAYS). A failure at any step undoes the earlier ones and is thrown.
 */
export async function bootstrapService(config: ServiceConfig, definition: ServiceDefinition, options: BootstrapOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createServiceLogger({ serviceName: config.serviceName, level: config.logLevel });
  const pool = servicePool(config, logger);
  const run = new ServiceRun(pool, options.telemetry === false ? undefined : installTelemetry({ serviceName: config.serviceName, ...(config.tracesEndpoint === undefined ? {} : { tracesEndpoint: config.tracesEndpoint }) }));
  const metrics = serviceMetrics(config);
  const topicOf = (topic: string): string => options.topicOverrides?.[topic] ?? `${config.kafkaTopicPrefix}${topic}`;
  const close = (): Promise<void> => run.close();
  try {
    const httpHost = options.httpHost ?? config.httpHost;
    const health = await startHealthServer({ port: config.httpPort, ...(httpHost === undefined ? {} : { host: httpHost }), registry: metrics, readiness: run.readiness(definition.readiness ?? []), logger });
    run.health = health;
    await migrateThenCheck(config, definition, pool, logger);
    const codec = new AvroCodec({ registryUrl: config.schemaRegistryUrl, clientId: config.serviceName, typeOptions: AVRO_TYPE_OPTIONS });
    const dependencies: ServiceDependencies = { config, logger, pool, metrics, codec, topicOf };
    const consumerGroup = options.consumerGroup ?? config.kafkaConsumerGroup;
    if (definition.topics.length === 0 && definition.http === undefined) throw new Error(`${config.serviceName} consumes no topic and serves no HTTP: it would do nothing`);
    const transport = definition.topics.length === 0 ? undefined : inboxTransportFor(dependencies, definition, consumerGroup, options.retry);
    const root = rootModule(dependencies, definition, options.topicOverrides);
    const started = definition.http !== undefined ? await startHybrid(root, transport, definition.http, dependencies, run) : await startConsumer(root, transport as InboxTransport, logger, run);
    const app = started.app;
    run.consuming = true;
    // Every instance prunes; SKIP LOCKED keeps concurrent instances off each other's rows.
    run.pruner = new InboxPruner({ pool, registry: metrics, logger, retentionDays: config.inboxRetentionDays });
    run.pruner.start();
    logger.info({ consumerGroup, topics: definition.topics.map(topicOf), httpPort: health.port, apiPort: started.apiPort }, 'service started');
    return { app, dependencies, httpPort: health.port, ...(started.apiPort === undefined ? {} : { apiPort: started.apiPort }), close };
  } catch (error) {
    await close().catch((closeError: unknown) => logger.error({ errorClass: (closeError as Error).name, error: (closeError as Error).message }, 'clean-up after a failed start failed'));
    throw error;
  }
}
