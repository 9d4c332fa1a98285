import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentContext, ProbeResult, ProcessSpec } from '../component';
import type { PlatformConfig } from '../config';
import { httpProbe } from '../http-probe';
import { runCommand } from '../run-command';
import { ensurePostgresDatabase } from './postgres';

/**
 * Apicurio Registry 3 with its Confluent-compatible API (`/apis/ccompat/v7`), run from the
 * Quarkus distribution published on Maven Central, storing schemas in our PostgreSQL so that
 * schema ids survive a crash (Kafka messages carry only the id). Why Apicurio and what its
 * Confluent API does differently: docs/decisions/0003-schema-registry.md.
 */

const HOST = '127.0.0.1';
const CCOMPAT_PATH = '/apis/ccompat/v7';
/** The project's policy for every subject; also the registry-wide default (see afterStart). */
export const SUBJECT_COMPATIBILITY = 'BACKWARD_TRANSITIVE';

/** Pinned so that no run picks up a newer plugin silently; also named in the POM. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
/** Apicurio 3.3's classes are Java 21 bytecode (class file 65); Java 17 fails at start-up. */
const MIN_JAVA_MAJOR = 21;
const JAVA_HOME_OVERRIDE_ENV = 'PLATFORM_SCHEMA_REGISTRY_JAVA_HOME';
const JVM_ROOT = '/usr/lib/jvm';

/** Database and role come from ensurePostgresDatabase: `schema_registry` / `svc_schema_registry`. */
const DATABASE_NAME = 'schema-registry';
/**
 * Apicurio's default pool keeps 20 connections open (up to 100); PostgreSQL here allows 300 in
 * all, shared with every service and test suite. A registry serving one developer needs few.
 */
const DB_POOL_MIN = 2;
const DB_POOL_MAX = 8;

const INSTALL_TIMEOUT_MS = 600_000;
const REQUEST_TIMEOUT_MS = 5_000;
const STAMP_FILE = 'INSTALLED';
const DATASOURCE_FILE = 'datasource.json';

/** The Confluent-compatible base URL, what @kafkajs/confluent-schema-registry takes as `host`. */
export function schemaRegistryUrl(config: PlatformConfig): string {
  return `http://${HOST}:${config.schemaRegistry.port}${CCOMPAT_PATH}`;
}

/**
 * Quarkus serves health on a separate "management" port (enabled when Apicurio was built, so it
 * cannot be switched off). platform.json names one port; the management port is the next one.
 */
export function schemaRegistryManagementPort(config: PlatformConfig): number {
  return config.schemaRegistry.port + 1;
}

function distDir(ctx: ComponentContext, version: string): string {
  return join(ctx.componentDir, 'dist', version);
}

function isInstalled(ctx: ComponentContext, version: string): boolean {
  const dir = distDir(ctx, version);
  return existsSync(join(dir, STAMP_FILE)) && existsSync(join(dir, 'quarkus-run.jar'));
}

interface JavaRuntime {
  readonly home: string;
  readonly major: number;
}

/** The major version from a JDK's `release` file (`JAVA_VERSION="25.0.3"`, `"1.8.0_402"`). */
function javaMajor(home: string): number | undefined {
  try {
    const match = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(readFileSync(join(home, 'release'), 'utf8'));
    if (match === null) return undefined;
    const first = Number(match[1]);
    return first === 1 ? Number(match[2]) : first;
  } catch {
    return undefined;
  }
}

/**
 * The machine's default Java is 17 (Kafka and Maven run on it); Apicurio needs 21+. We take an
 * explicit override, else the oldest JDK >= 21 in /usr/lib/jvm (closest to what Apicurio is built
 * for), so the choice does not depend on PATH or JAVA_HOME of whoever runs the CLI.
 */
export function findSchemaRegistryJava(env: NodeJS.ProcessEnv = process.env): JavaRuntime {
  const override = env[JAVA_HOME_OVERRIDE_ENV];
  if (override !== undefined && override !== '') {
    const major = javaMajor(override);
    if (major === undefined || major < MIN_JAVA_MAJOR) {
      throw new Error(`${JAVA_HOME_OVERRIDE_ENV}=${override} is not a Java ${MIN_JAVA_MAJOR}+ home (found ${major ?? 'no release file'})`);
    }
    return { home: override, major };
  }
  const found: JavaRuntime[] = [];
  const homes = existsSync(JVM_ROOT) ? readdirSync(JVM_ROOT).map((entry) => join(JVM_ROOT, entry)) : [];
  for (const home of homes) {
    const major = javaMajor(home);
    if (major !== undefined && existsSync(join(home, 'bin', 'java'))) found.push({ home, major });
  }
  const usable = found.filter((java) => java.major >= MIN_JAVA_MAJOR).sort((a, b) => a.major - b.major);
  const chosen = usable[0];
  if (chosen === undefined) {
    const seen = found.map((java) => `${java.home} (${java.major})`).join(', ') || 'none';
    throw new Error(
      `Apicurio Registry needs a JDK ≥ ${MIN_JAVA_MAJOR} (Apicurio 3.3 is Java 21 bytecode); JDKs in ${JVM_ROOT}: ${seen}. ` +
        `Install one there or set ${JAVA_HOME_OVERRIDE_ENV} to its home.`,
    );
  }
  return chosen;
}

interface DatasourceSettings {
  readonly jdbcUrl: string;
  readonly user: string;
  readonly passwordFile: string;
}

function readDatasource(ctx: ComponentContext): DatasourceSettings {
  const path = join(ctx.dataDir, DATASOURCE_FILE);
  if (!existsSync(path)) throw new Error(`${path} is missing: prepare() creates it after PostgreSQL is up`);
  return JSON.parse(readFileSync(path, 'utf8')) as DatasourceSettings;
}

async function putGlobalCompatibility(ctx: ComponentContext, level: string): Promise<void> {
  const url = `${schemaRegistryUrl(ctx.config)}/config`;
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: level }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`PUT ${url} {"compatibility":"${level}"} answered ${response.status}: ${body}`);
}

async function getGlobalCompatibility(ctx: ComponentContext): Promise<string> {
  const url = `${schemaRegistryUrl(ctx.config)}/config`;
  const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${body}`);
  return (JSON.parse(body) as { compatibilityLevel?: string }).compatibilityLevel ?? '(none)';
}

export const schemaRegistryComponent: Component = {
  name: 'schema-registry',
  dependsOn: ['postgres'],
  // Measured on 2 cores (decision 0003): 2.6-6.6 s (median 3.6 s) from spawn to ready,
  // 5.7 s with both cores busy, 10 s on the very first start (cold disk cache, schema created).
  // A crash is noticed at once (the supervisor watches the pid), so a wide margin costs nothing.
  readinessTimeout_s: 90,
  // Quarkus shuts down gracefully on SIGTERM in about a second; in-flight requests finish.
  stopTimeout_s: 20,

  version: (ctx) => ctx.config.schemaRegistry.version,
  ports: (ctx) => [
    { name: 'http', port: ctx.config.schemaRegistry.port },
    { name: 'management', port: schemaRegistryManagementPort(ctx.config) },
  ],

  async install(ctx) {
    const version = ctx.config.schemaRegistry.version;
    // Fail before a download that could not run anyway.
    findSchemaRegistryJava();
    if (isInstalled(ctx, version)) return;
    const target = distDir(ctx, version);
    // Unpack beside the target and rename at the end: an interrupted install never looks complete.
    const partial = `${target}.partial`;
    rmSync(partial, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
    ctx.log(`installing Apicurio Registry ${version} from Maven Central (io.apicurio:apicurio-registry-app:tar.gz:all)`);
    await runCommand(
      'mvn',
      [
        '-B',
        '--no-transfer-progress',
        '-f', join(ctx.rootDir, 'deploy/local/schema-registry/pom.xml'),
        `-Dmaven.repo.local=${join(ctx.stateDir, 'maven-repo')}`,
        `-Dapicurio.version=${version}`,
        `-Dunpack.dir=${partial}`,
        `${DEPENDENCY_PLUGIN}:unpack@apicurio-registry`,
      ],
      { logFile: ctx.logFile, timeout_ms: INSTALL_TIMEOUT_MS },
    );
    if (!existsSync(join(partial, 'quarkus-run.jar'))) {
      throw new Error(`the Apicurio ${version} archive unpacked into ${partial} holds no quarkus-run.jar`);
    }
    writeFileSync(join(partial, STAMP_FILE), `${version}\n`);
    renameSync(partial, target);
    // Bound the disk: drop other versions (Maven's repository still caches their archives).
    for (const entry of readdirSync(join(ctx.componentDir, 'dist'))) {
      if (entry !== version) rmSync(join(ctx.componentDir, 'dist', entry), { recursive: true, force: true });
    }
  },

  async prepare(ctx) {
    // Runs on every start (cheap, idempotent): the database may have been reset independently.
    const database = await ensurePostgresDatabase(ctx, DATABASE_NAME);
    // The JVM's temp folder: every start unpacks native libraries and a Vert.x cache there.
    // Nothing in it outlives a run, and the process is not running now, so start it empty.
    const tmpDir = join(ctx.dataDir, 'tmp');
    rmSync(tmpDir, { recursive: true, force: true });
    mkdirSync(tmpDir, { recursive: true });
    const settings: DatasourceSettings = {
      jdbcUrl: `jdbc:postgresql://${database.host}:${database.port}/${database.database}`,
      user: database.user,
      passwordFile: database.passwordFile,
    };
    // No password in this file: command() reads it from the secrets folder.
    writeFileSync(join(ctx.dataDir, DATASOURCE_FILE), `${JSON.stringify(settings, null, 2)}\n`);
  },

  command(ctx): ProcessSpec {
    const { version, port, heap_mb } = ctx.config.schemaRegistry;
    const java = findSchemaRegistryJava();
    const datasource = readDatasource(ctx);
    const tmpDir = join(ctx.dataDir, 'tmp');
    return {
      command: join(java.home, 'bin', 'java'),
      args: [
        `-Xmx${heap_mb}m`,
        // One GC thread and no concurrent marking: the smallest footprint on 2 shared cores.
        '-XX:+UseSerialGC',
        // Clients cache schemas by id, so the registry does little per request: C2's peak speed
        // buys nothing here, while its compiler threads compete for the 2 cores and cost ~55 MB RSS
        // (measured: 255 MB vs 310 MB idle, same start-up time).
        '-XX:TieredStopAtLevel=1',
        // A registry that ran out of memory should die (the supervisor notices), not limp on.
        '-XX:+ExitOnOutOfMemoryError',
        `-Djava.io.tmpdir=${tmpDir}`,
        `-Dquarkus.http.host=${HOST}`,
        `-Dquarkus.http.port=${port}`,
        `-Dquarkus.management.host=${HOST}`,
        `-Dquarkus.management.port=${schemaRegistryManagementPort(ctx.config)}`,
        // Every probe and test request would otherwise be logged; the log is for failures.
        '-Dquarkus.http.access-log.enabled=false',
        '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{2.}] (%t) %s%e%n',
        '-Dapicurio.storage.kind=sql',
        '-Dapicurio.storage.sql.kind=postgresql',
        `-Dapicurio.datasource.url=${datasource.jdbcUrl}`,
        `-Dapicurio.datasource.username=${datasource.user}`,
        `-Dapicurio.datasource.jdbc.initial-size=${DB_POOL_MIN}`,
        `-Dapicurio.datasource.jdbc.min-size=${DB_POOL_MIN}`,
        `-Dapicurio.datasource.jdbc.max-size=${DB_POOL_MAX}`,
        // Apicurio's ccompat GET /config/{subject} answers this default (not a stored global
        // rule) for an existing subject without its own rule; the client compares it with its
        // `compatibility` option. See decision 0003.
        `-Dapicurio.rules.global.compatibility=${SUBJECT_COMPATIBILITY}`,
        `-Dapicurio.storage.snapshot.location=${tmpDir}`,
        `-Dapicurio.import.work-dir=${tmpDir}`,
        '-jar',
        join(distDir(ctx, version), 'quarkus-run.jar'),
      ],
      // The password goes by environment, not on the command line where `ps` would show it.
      env: { APICURIO_DATASOURCE_PASSWORD: readFileSync(datasource.passwordFile, 'utf8').trim() },
      cwd: ctx.dataDir,
    };
  },

  async probe(ctx): Promise<ProbeResult> {
    // The Confluent API must answer, and readiness must be UP (it includes the database pool).
    const api = await httpProbe(`${schemaRegistryUrl(ctx.config)}/subjects`, (status) => status === 200);
    if (!api.ready) return api;
    return httpProbe(`http://${HOST}:${schemaRegistryManagementPort(ctx.config)}/health/ready`, (status) => status === 200);
  },

  setupKey: () => SUBJECT_COMPATIBILITY,

  async afterStart(ctx) {
    // Store the global rule explicitly. Rule enforcement prefers a stored global rule over the
    // -D default, while GET /config/{subject} reports only the -D default: if someone stored a
    // different global rule, the client would see BACKWARD_TRANSITIVE but the registry would
    // enforce the other. Writing the same value keeps both views equal. Idempotent.
    await putGlobalCompatibility(ctx, SUBJECT_COMPATIBILITY);
    const level = await getGlobalCompatibility(ctx);
    if (level !== SUBJECT_COMPATIBILITY) {
      throw new Error(`global compatibility is ${level} after setting ${SUBJECT_COMPATIBILITY}`);
    }
  },
};
