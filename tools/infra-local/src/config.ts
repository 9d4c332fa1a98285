import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export interface PostgresSettings { readonly version: string; readonly port: number }
export interface KafkaSettings {
  readonly version: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly heap_mb: number;
}
export interface SchemaRegistrySettings { readonly version: string; readonly port: number; readonly heap_mb: number }
export interface PspSandboxSettings { readonly version: string; readonly port: number }
export interface PspProxySettings { readonly port: number }
export interface MailpitSettings { readonly version: string; readonly smtpPort: number; readonly httpPort: number }
export interface LagExporterSettings { readonly port: number }
export interface PrometheusSettings { readonly port: number }
export interface PortSettings { readonly port: number }
/** Jaeger's listeners: OTLP/HTTP in, the UI and query API, its query gRPC, health, its own metrics. */
export interface JaegerSettings {
  readonly version: string;
  readonly otlpHttpPort: number;
  readonly queryPort: number;
  readonly queryGrpcPort: number;
  readonly healthPort: number;
  readonly metricsPort: number;
}

export interface PlatformConfig {
  readonly rootDir: string;
  readonly stateDir: string;
  readonly services: readonly string[];
  /** HTTP port (health, metrics) of each service that runs as a process. */
  readonly servicePorts: Readonly<Record<string, number>>;
  /** Instances of each service `up` runs, in one consumer group (PLATFORM_INSTANCES, 1..MAX_INSTANCES, default 1). */
  readonly instances: number;
  readonly postgres: PostgresSettings;
  readonly kafka: KafkaSettings;
  readonly schemaRegistry: SchemaRegistrySettings;
  readonly pspSandbox: PspSandboxSettings;
  readonly pspProxy: PspProxySettings;
  readonly mailpit: MailpitSettings;
  readonly lagExporter: LagExporterSettings;
  readonly prometheus: PrometheusSettings;
  readonly alertmanager: PortSettings;
  readonly alertReceiver: PortSettings;
  readonly jaeger: JaegerSettings;
}

interface RawConfig {
  stateDir: string;
  services: string[];
  servicePorts?: Record<string, number>;
  components: {
    postgres: PostgresSettings;
    kafka: KafkaSettings;
    'schema-registry': SchemaRegistrySettings;
    'psp-sandbox': PspSandboxSettings;
    'psp-proxy': PspProxySettings;
    mailpit: MailpitSettings;
    'lag-exporter': LagExporterSettings;
    prometheus: PrometheusSettings;
    alertmanager: PortSettings;
    'alert-receiver': PortSettings;
    jaeger: JaegerSettings;
  };
}

/** The repository root: the folder holding deploy/local/platform.json. */
export function findRootDir(start = __dirname): string {
  let dir = resolve(start);
  for (let depth = 0; depth < 12; depth += 1) {
    try {
      readFileSync(join(dir, 'deploy/local/platform.json'));
      return dir;
    } catch {
      dir = resolve(dir, '..');
    }
  }
  throw new Error(`cannot find deploy/local/platform.json above ${start}`);
}

/** More would only stand by: each topic has 6 partitions, and two suffice to prove the races designed out. */
export const MAX_INSTANCES = 4;

function instancesFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.PLATFORM_INSTANCES;
  if (raw === undefined || raw === '') return 1;
  const instances = Number(raw);
  if (!Number.isInteger(instances) || instances < 1 || instances > MAX_INSTANCES) throw new Error(`PLATFORM_INSTANCES=${raw} is not a number of instances (1-${MAX_INSTANCES})`);
  return instances;
}

function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return port;
}

/**
 * Reads deploy/local/platform.json and applies environment overrides:
 * PLATFORM_STATE_DIR, PLATFORM_POSTGRES_PORT, PLATFORM_KAFKA_PORT, PLATFORM_KAFKA_CONTROLLER_PORT,
 * PLATFORM_SCHEMA_REGISTRY_PORT, PLATFORM_PSP_SANDBOX_PORT, PLATFORM_PSP_PROXY_PORT, PLATFORM_KAFKA_VERSION,
 * PLATFORM_<SERVICE>_PORT (e.g. PLATFORM_BOOKING_PORT), PLATFORM_INSTANCES (instances of each service).
 */
export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env, rootDir = findRootDir()): PlatformConfig {
  const raw = JSON.parse(readFileSync(join(rootDir, 'deploy/local/platform.json'), 'utf8')) as RawConfig;
  const stateDirSetting = env.PLATFORM_STATE_DIR ?? raw.stateDir;
  const c = raw.components;
  return {
    rootDir,
    stateDir: isAbsolute(stateDirSetting) ? stateDirSetting : join(rootDir, stateDirSetting),
    services: raw.services,
    instances: instancesFromEnv(env),
    servicePorts: Object.fromEntries(
      Object.entries(raw.servicePorts ?? {}).map(([name, port]) => [name, portFromEnv(env, `PLATFORM_${name.toUpperCase().replace(/-/g, '_')}_PORT`, port)]),
    ),
    postgres: { ...c.postgres, port: portFromEnv(env, 'PLATFORM_POSTGRES_PORT', c.postgres.port) },
    kafka: {
      ...c.kafka,
      version: env.PLATFORM_KAFKA_VERSION ?? c.kafka.version,
      port: portFromEnv(env, 'PLATFORM_KAFKA_PORT', c.kafka.port),
      controllerPort: portFromEnv(env, 'PLATFORM_KAFKA_CONTROLLER_PORT', c.kafka.controllerPort),
    },
    schemaRegistry: {
      ...c['schema-registry'],
      port: portFromEnv(env, 'PLATFORM_SCHEMA_REGISTRY_PORT', c['schema-registry'].port),
    },
    pspSandbox: { ...c['psp-sandbox'], port: portFromEnv(env, 'PLATFORM_PSP_SANDBOX_PORT', c['psp-sandbox'].port) },
    pspProxy: { port: portFromEnv(env, 'PLATFORM_PSP_PROXY_PORT', c['psp-proxy'].port) },
    lagExporter: { port: portFromEnv(env, 'PLATFORM_LAG_EXPORTER_PORT', c['lag-exporter'].port) },
    prometheus: { port: portFromEnv(env, 'PLATFORM_PROMETHEUS_PORT', c.prometheus.port) },
    alertmanager: { port: portFromEnv(env, 'PLATFORM_ALERTMANAGER_PORT', c.alertmanager.port) },
    alertReceiver: { port: portFromEnv(env, 'PLATFORM_ALERT_RECEIVER_PORT', c['alert-receiver'].port) },
    mailpit: { version: c.mailpit.version, smtpPort: portFromEnv(env, 'PLATFORM_MAILPIT_SMTP_PORT', c.mailpit.smtpPort), httpPort: portFromEnv(env, 'PLATFORM_MAILPIT_PORT', c.mailpit.httpPort) },
    jaeger: {
      version: c.jaeger.version,
      otlpHttpPort: portFromEnv(env, 'PLATFORM_JAEGER_OTLP_PORT', c.jaeger.otlpHttpPort),
      queryPort: portFromEnv(env, 'PLATFORM_JAEGER_PORT', c.jaeger.queryPort),
      queryGrpcPort: portFromEnv(env, 'PLATFORM_JAEGER_GRPC_PORT', c.jaeger.queryGrpcPort),
      healthPort: portFromEnv(env, 'PLATFORM_JAEGER_HEALTH_PORT', c.jaeger.healthPort),
      metricsPort: portFromEnv(env, 'PLATFORM_JAEGER_METRICS_PORT', c.jaeger.metricsPort),
    },
  };
}
