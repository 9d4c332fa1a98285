import { readFileSync } from 'node:fs';
import { DEFAULT_INBOX_RETENTION_DAYS, MAX_INBOX_RETENTION_DAYS, MIN_INBOX_RETENTION_DAYS } from '@txn/messaging';

/**
 * One config loader for every service: settings come from the environment (secrets from files
 * named by `*_FILE`, the way mounted secrets work), are all validated at start-up, and a bad or
 * missing one stops the process with a message naming every such setting at once.
 */

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A secret file larger than this is a wrong path (a log, a binary), not a password. */
const MAX_SECRET_FILE_BYTES = 4_096;
const MAX_BROKERS = 32;
/**
 * Kafka's topic names are at most 249 characters of `[A-Za-z0-9._-]`. A consumer's dead letters go
 * to `<prefix><topic>.<group>.dlq`: with these two bounds and the longest contract topic
 * (`booking.commands.v1`, 19), that name stays below Kafka's limit.
 */
export const MAX_KAFKA_TOPIC_PREFIX_LENGTH = 100;
export const MAX_KAFKA_CONSUMER_GROUP_LENGTH = 100;
const KAFKA_TOPIC_PREFIX = new RegExp(`^[A-Za-z0-9._-]{0,${MAX_KAFKA_TOPIC_PREFIX_LENGTH}}$`);
/**
 * Kafka's defaults for a broker's group.min/max.session.timeout.ms: a session outside them is
 * refused at join. The default is kafkajs' and ours (30 s): a member that died (kill -9, a lost
 * host) keeps its partitions this long before the group moves them, so lower means faster
 * take-over and more false alarms from a long GC pause or a slow handler batch.
 */
export const MIN_KAFKA_SESSION_TIMEOUT_MS = 6_000;
export const MAX_KAFKA_SESSION_TIMEOUT_MS = 300_000;
export const DEFAULT_KAFKA_SESSION_TIMEOUT_MS = 30_000;
/** Topic characters too: the group is part of its dead-letter topics' names. */
const KAFKA_CONSUMER_GROUP = new RegExp(`^[A-Za-z0-9._-]{1,${MAX_KAFKA_CONSUMER_GROUP_LENGTH}}$`);

export interface DatabaseSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

export interface ServiceConfig {
  readonly serviceName: string;
  readonly httpPort: number;
  /**
   * HTTP_HOST: the address the health server (health, readiness, metrics) listens on; unset, the
   * loopback. A pod sets 0.0.0.0: the kubelet's probes and Prometheus' scrapes come from outside it.
   */
  readonly httpHost?: string;
  /** The running service's login: the runtime role, with only the privileges its migrations declare. */
  readonly database: DatabaseSettings;
  /**
   * The schema owner's login (DATABASE_MIGRATION_USER, DATABASE_MIGRATION_PASSWORD_FILE), used once
   * at start to migrate and then closed. Absent: the service only checks that its migrations were
   * applied (by the `migrate` command, e.g. a Kubernetes Job). Decision 0015.
   */
  readonly databaseMigration?: DatabaseSettings;
  readonly kafkaBrokers: readonly string[];
  /** Put before every contract topic the service consumes or produces (`staging.`); empty by default. */
  readonly kafkaTopicPrefix: string;
  /** The service's consumer group, also its inbox's dedup scope; the service name by default. */
  readonly kafkaConsumerGroup: string;
  /** How long the group waits for a silent member before giving its partitions to others. */
  readonly kafkaSessionTimeout_ms: number;
  /** Inbox (dedup) rows older than this are pruned: a redelivery later than it is applied again. */
  readonly inboxRetentionDays: number;
  /** Connections of the service's pool (DATABASE_POOL_MAX, 2..100, default 10): what its PostgreSQL allows each instance. */
  readonly databasePoolMax?: number;
  readonly schemaRegistryUrl: string;
  readonly logLevel: LogLevel;
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the OpenTelemetry name): where spans go over OTLP/HTTP; unset, none leave the process. */
  readonly tracesEndpoint?: string;
}

/** Reads settings from one environment and collects every problem before failing. */
export class SettingsReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  private missing<T>(name: string, what: string, fallback: T): T {
    this.problems.push(`${name}: missing (${what})`);
    return fallback;
  }

  text(name: string, options: { readonly default?: string; readonly pattern?: RegExp; readonly what?: string } = {}): string {
    const value = this.raw(name) ?? options.default;
    if (value === undefined) return this.missing(name, options.what ?? 'text', '');
    if (options.pattern !== undefined && !options.pattern.test(value)) this.problems.push(`${name}: ${JSON.stringify(value)} does not match ${options.pattern}`);
    return value;
  }

  integer(name: string, options: { readonly min: number; readonly max: number; readonly default?: number }): number {
    const value = this.raw(name);
    if (value === undefined) return options.default ?? this.missing(name, `an integer in ${options.min}..${options.max}`, options.min);
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < options.min || parsed > options.max) {
      this.problems.push(`${name}: ${JSON.stringify(value)} is not an integer in ${options.min}..${options.max}`);
      return options.min;
    }
    return parsed;
  }

  port(name: string, fallback?: number): number {
    return this.integer(name, { min: 1, max: 65_535, ...(fallback === undefined ? {} : { default: fallback }) });
  }

  /** An optional text setting: undefined when unset, a problem when set but not matching `pattern`. */
  optionalText(name: string, pattern: RegExp): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && !pattern.test(value)) this.problems.push(`${name}: ${JSON.stringify(value)} does not match ${pattern}`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return this.missing(name, `one of ${allowed.join(', ')}`, allowed[0] as T);
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
      return allowed[0] as T;
    }
    return value as T;
  }

  /** An optional http(s) URL: undefined when unset. */
  optionalUrl(name: string): string | undefined {
    return this.raw(name) === undefined ? undefined : this.url(name);
  }

  url(name: string): string {
    const value = this.raw(name);
    if (value === undefined) return this.missing(name, 'an http(s) URL', '');
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      this.problems.push(`${name}: ${JSON.stringify(value)} is not an http(s) URL`);
    }
    return value.replace(/\/+$/, '');
  }

  /** `host:port` entries separated by commas. */
  hostPorts(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return this.missing(name, 'comma-separated host:port list', []);
    const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    const bad = entries.filter((entry) => !/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/.test(entry));
    if (entries.length === 0 || entries.length > MAX_BROKERS || bad.length > 0) {
      this.problems.push(`${name}: ${JSON.stringify(value)} is not a list of 1..${MAX_BROKERS} host:port entries`);
    }
    return entries;
  }

  /**
   * A secret from the file named by `<name>_FILE`. The secret itself never comes from the
   * environment (it would show in `ps e`, crash dumps and child processes), and the message on
   * failure names the file, never its content.
   */
  secretFile(name: string): string {
    const fileSetting = `${name}_FILE`;
    const path = this.raw(fileSetting);
    if (this.raw(name) !== undefined) this.problems.push(`${name}: secrets are read from files only; set ${fileSetting} to a file holding it`);
    if (path === undefined) return this.missing(fileSetting, 'path of a file holding the secret', '');
    try {
      const content = readFileSync(path);
      if (content.length > MAX_SECRET_FILE_BYTES) throw new Error(`larger than ${MAX_SECRET_FILE_BYTES} bytes`);
      const secret = content.toString('utf8').trim();
      if (secret === '') throw new Error('empty');
      return secret;
    } catch (error) {
      this.problems.push(`${fileSetting}: cannot read a secret from ${path} (${(error as Error).message})`);
      return '';
    }
  }

  /** Like secretFile, for a secret that may be absent (a second key during a rotation): undefined when `<name>_FILE` is unset. */
  optionalSecretFile(name: string): string | undefined {
    if (this.raw(`${name}_FILE`) === undefined && this.raw(name) === undefined) return undefined;
    return this.secretFile(name);
  }

  /** A problem of the caller's own making (two settings that contradict each other). */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws ConfigError naming every problem seen so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,40}$/;
/** A host name or IP address to listen on (as the edge services' API_HOST). */
const LISTEN_HOST = /^[A-Za-z0-9.:-]{1,253}$/;
/** A PostgreSQL role name as we use them (quoted wherever it goes into SQL). */
const ROLE_NAME = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;

/** Where the database is, apart from who logs in. */
function databaseLocation(settings: SettingsReader): Omit<DatabaseSettings, 'user' | 'password'> {
  return { host: settings.text('DATABASE_HOST'), port: settings.port('DATABASE_PORT'), database: settings.text('DATABASE_NAME') };
}

/** DATABASE_MIGRATION_USER with its DATABASE_MIGRATION_PASSWORD_FILE, or undefined when neither is set. */
function migrationLogin(settings: SettingsReader, env: NodeJS.ProcessEnv, location: Omit<DatabaseSettings, 'user' | 'password'>, required: boolean): DatabaseSettings | undefined {
  const user = required ? settings.text('DATABASE_MIGRATION_USER', { pattern: ROLE_NAME, what: 'the role that owns the schema and runs the migrations' }) : settings.optionalText('DATABASE_MIGRATION_USER', ROLE_NAME);
  if (user === undefined) {
    if ((env.DATABASE_MIGRATION_PASSWORD_FILE ?? '').trim() !== '') settings.problem('DATABASE_MIGRATION_PASSWORD_FILE: set without DATABASE_MIGRATION_USER');
    return undefined;
  }
  return { ...location, user, password: settings.secretFile('DATABASE_MIGRATION_PASSWORD') };
}

/** What the `migrate` command needs: the owner's login, and the name of the role the service runs as (no password). */
export interface MigrationConfig {
  readonly serviceName: string;
  /** The migration role's login: owns the schema. */
  readonly database: DatabaseSettings;
  /** DATABASE_USER: the running service's role, which gets the declared privileges. */
  readonly runtimeRole: string;
  readonly logLevel: LogLevel;
}

/**
 * The settings of `main.ts migrate` (a deploy step, e.g. a Kubernetes Job with the owner's
 * credentials): SERVICE_NAME, DATABASE_HOST/PORT/NAME, DATABASE_MIGRATION_USER and
 * DATABASE_MIGRATION_PASSWORD_FILE, DATABASE_USER (the runtime role's name only), LOG_LEVEL.
 */
export function loadMigrationConfig(env: NodeJS.ProcessEnv = process.env): MigrationConfig {
  const settings = new SettingsReader(env);
  const serviceName = settings.text('SERVICE_NAME', { pattern: SERVICE_NAME, what: 'lower-case service name, e.g. booking' });
  const location = databaseLocation(settings);
  const runtimeRole = settings.text('DATABASE_USER', { pattern: ROLE_NAME, what: 'the role the running service logs in as' });
  const database = migrationLogin(settings, env, location, true);
  const logLevel = settings.oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
  settings.done();
  if (database === undefined) throw new ConfigError(['DATABASE_MIGRATION_USER: missing']);
  return { serviceName, database, runtimeRole, logLevel };
}

/**
 * Connections per service instance by default: the inbox consumer holds one per partition batch in
 * flight, the relay has its own session, the rest serve sweepers and readiness. PostgreSQL here
 * allows 300 for every service and test suite together.
 */
export const DATABASE_POOL_MAX_DEFAULT = 10;

/**
 * The settings every service has. `extra` reads the service's own settings with the same reader,
 * so one start-up names every problem, shared or service-specific.
 */
export function loadServiceConfig<Extra extends object = object>(
  env: NodeJS.ProcessEnv = process.env,
  extra?: (settings: SettingsReader) => Extra,
): ServiceConfig & Extra {
  const settings = new SettingsReader(env);
  const serviceName = settings.text('SERVICE_NAME', { pattern: SERVICE_NAME, what: 'lower-case service name, e.g. booking' });
  const location = databaseLocation(settings);
  const databaseMigration = migrationLogin(settings, env, location, false);
  const tracesEndpoint = settings.optionalUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const httpHost = settings.optionalText('HTTP_HOST', LISTEN_HOST);
  const config: ServiceConfig = {
    serviceName,
    // 0 = any free port (tests running several instances).
    httpPort: settings.integer('HTTP_PORT', { min: 0, max: 65_535 }),
    database: { ...location, user: settings.text('DATABASE_USER', { pattern: ROLE_NAME }), password: settings.secretFile('DATABASE_PASSWORD') },
    kafkaBrokers: settings.hostPorts('KAFKA_BROKERS'),
    kafkaTopicPrefix: settings.text('KAFKA_TOPIC_PREFIX', { default: '', pattern: KAFKA_TOPIC_PREFIX }),
    // Read apart from its default: a bad SERVICE_NAME is reported once, under its own name.
    kafkaConsumerGroup: settings.optionalText('KAFKA_CONSUMER_GROUP', KAFKA_CONSUMER_GROUP) ?? serviceName,
    kafkaSessionTimeout_ms: settings.integer('KAFKA_SESSION_TIMEOUT_MS', { min: MIN_KAFKA_SESSION_TIMEOUT_MS, max: MAX_KAFKA_SESSION_TIMEOUT_MS, default: DEFAULT_KAFKA_SESSION_TIMEOUT_MS }),
    // Never below the bound: Kafka keeps records 7 days, so a shorter window lets a redelivery through.
    inboxRetentionDays: settings.integer('INBOX_RETENTION_DAYS', { min: MIN_INBOX_RETENTION_DAYS, max: MAX_INBOX_RETENTION_DAYS, default: DEFAULT_INBOX_RETENTION_DAYS }),
    databasePoolMax: settings.integer('DATABASE_POOL_MAX', { min: 2, max: 100, default: DATABASE_POOL_MAX_DEFAULT }),
    schemaRegistryUrl: settings.url('SCHEMA_REGISTRY_URL'),
    logLevel: settings.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    ...(databaseMigration === undefined ? {} : { databaseMigration }),
    ...(tracesEndpoint === undefined ? {} : { tracesEndpoint }),
    ...(httpHost === undefined ? {} : { httpHost }),
  };
  const own = extra?.(settings) ?? ({} as Extra);
  settings.done();
  return { ...config, ...own };
}
