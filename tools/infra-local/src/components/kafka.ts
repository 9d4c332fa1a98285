import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, KafkaJSError, logLevel, type Admin } from 'kafkajs';
import type { Component, ComponentContext, ComponentPort, ProbeResult, ProcessSpec } from '../component';
import type { PlatformConfig } from '../config';
import { runCommand } from '../run-command';

/**
 * Apache Kafka as one local KRaft process (broker and controller together), run from the jars
 * Maven Central serves: deploy/local/kafka/pom.xml lists them, Maven copies them into
 * <componentDir>/lib-<version>, and `java -cp lib-<version>/* kafka.Kafka` starts the node.
 * Decision record: docs/decisions/0002-kafka-version.md.
 */

const NODE_ID = 1;
/** One broker: every topic has exactly one replica. */
const LOCAL_REPLICATION_FACTOR = 1;

// Bounds on every external step.
const MAVEN_INSTALL_TIMEOUT_MS = 10 * 60_000;
const STORAGE_FORMAT_TIMEOUT_MS = 60_000;
const PROBE_CONNECTION_TIMEOUT_MS = 1_000;
const PROBE_REQUEST_TIMEOUT_MS = 2_000;
/** The whole probe, in case a half-started broker accepts the socket and never answers. */
const PROBE_TOTAL_TIMEOUT_MS = 5_000;
const ADMIN_CONNECTION_TIMEOUT_MS = 3_000;
const ADMIN_REQUEST_TIMEOUT_MS = 15_000;
const TOPIC_CREATE_TIMEOUT_MS = 30_000;
/** Retries of admin calls in afterStart (kafkajs backs off exponentially up to this total). */
const ADMIN_RETRIES = 8;
const ADMIN_MAX_RETRY_TIME_MS = 20_000;
/** Far above the catalogue's needs; a typo such as 600 would make every consumer group slow. */
const MAX_PARTITIONS_PER_TOPIC = 64;

/** Group used once per `up` to make the group coordinator load (it does so on first use). */
const WARM_UP_GROUP_ID = 'platform-coordinator-warm-up';
const COORDINATOR_WARM_UP_TIMEOUT_MS = 30_000;
/** Between two polls of the broker in afterStart (topic leaders, the group coordinator). */
const ADMIN_POLL_DELAY_MS = 200;

const TOPIC_CATALOGUE = 'deploy/kafka-topics.json';
const KAFKA_DEPLOY_DIR = 'deploy/local/kafka';

/** Bootstrap servers for clients on this machine. */
export function kafkaBrokers(config: PlatformConfig): string[] {
  return [`127.0.0.1:${config.kafka.port}`];
}

// ---------------------------------------------------------------------------------------------
// Versions and paths

interface KafkaVersion {
  readonly text: string;
  readonly parts: readonly number[];
}

function parseVersion(text: string): KafkaVersion {
  if (!/^\d+\.\d+\.\d+$/.test(text)) {
    throw new Error(`kafka version "${text}" is not MAJOR.MINOR.PATCH (deploy/local/platform.json or PLATFORM_KAFKA_VERSION)`);
  }
  const parts = text.split('.').map(Number);
  const major = parts[0];
  // 3.9 is the oldest line that formats a combined KRaft node the way this component does and
  // the only 3.x kept as a fallback; 5.x will need its own look (removed protocol versions).
  if (!((major === 3 && (parts[1] ?? 0) >= 9) || major === 4)) {
    throw new Error(`kafka version ${text} is not supported here: use 4.x (or 3.9.x as the fallback)`);
  }
  return { text, parts };
}

function compareVersions(a: KafkaVersion, b: KafkaVersion): number {
  for (let i = 0; i < 3; i += 1) {
    const difference = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Kafka 3.x logs through log4j 1 (reload4j); 4.x through log4j2. The POM's profiles follow. */
function usesLog4j1(version: KafkaVersion): boolean {
  return version.parts[0] === 3;
}

interface KafkaPaths {
  readonly pom: string;
  readonly template: string;
  readonly loggingConfig: string;
  readonly libDir: string;
  readonly installStamp: string;
  readonly mavenRepo: string;
  readonly renderedConfig: string;
  /** log.dirs: the broker's partitions and the KRaft metadata log. */
  readonly logDir: string;
  readonly clusterIdFile: string;
  readonly formattedByFile: string;
}

function kafkaPaths(ctx: ComponentContext, version: KafkaVersion): KafkaPaths {
  const deployDir = join(ctx.rootDir, KAFKA_DEPLOY_DIR);
  return {
    pom: join(deployDir, 'pom.xml'),
    template: join(deployDir, 'server.properties'),
    loggingConfig: join(deployDir, usesLog4j1(version) ? 'log4j.properties' : 'log4j2.xml'),
    libDir: join(ctx.componentDir, `lib-${version.text}`),
    installStamp: join(ctx.componentDir, `lib-${version.text}.installed.json`),
    // Shared by every Maven-installed component and kept inside the project's state folder, so
    // nothing in ~/.m2 is relied on or changed.
    mavenRepo: join(ctx.stateDir, 'maven-repo'),
    renderedConfig: join(ctx.componentDir, 'server.properties'),
    // Everything below lives in ctx.dataDir, which `platform reset` deletes: a reset gives a new
    // cluster, formatted by the version in use.
    logDir: join(ctx.dataDir, 'kafka-logs'),
    clusterIdFile: join(ctx.dataDir, 'cluster-id'),
    formattedByFile: join(ctx.dataDir, 'formatted-by-version'),
  };
}

function javaBinary(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome !== undefined && javaHome !== '' ? join(javaHome, 'bin', 'java') : 'java';
}

// ---------------------------------------------------------------------------------------------
// install

interface InstallStamp {
  readonly kafkaVersion: string;
  /** A changed POM (e.g. a log4j bump) must re-resolve the jars. */
  readonly pomSha256: string;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function readInstallStamp(file: string): InstallStamp | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as InstallStamp;
  } catch {
    return undefined;
  }
}

async function install(ctx: ComponentContext): Promise<void> {
  const version = parseVersion(ctx.config.kafka.version);
  const paths = kafkaPaths(ctx, version);
  const pomSha256 = sha256(paths.pom);
  const stamp = readInstallStamp(paths.installStamp);
  if (stamp?.kafkaVersion === version.text && stamp.pomSha256 === pomSha256) return;

  ctx.log(`resolving Kafka ${version.text} jars from Maven Central into ${paths.libDir}`);
  // A half-copied or older lib folder would put two versions of a jar on the class path.
  rmSync(paths.libDir, { recursive: true, force: true });
  rmSync(paths.installStamp, { force: true });
  const started_ms = Date.now();
  await runCommand(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      paths.pom,
      `-Dmaven.repo.local=${paths.mavenRepo}`,
      `-Dkafka.version=${version.text}`,
      ...(usesLog4j1(version) ? ['-Pkafka-3'] : []),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${paths.libDir}`,
    ],
    { logFile: ctx.logFile, timeout_ms: MAVEN_INSTALL_TIMEOUT_MS, cwd: ctx.rootDir },
  ).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('`mvn` is not on PATH; install Maven 3.8+ and Java 17+ (e.g. apt-get install maven openjdk-17-jre-headless)');
    }
    throw error;
  });

  const brokerJar = `kafka_2.13-${version.text}.jar`;
  const jars = existsSync(paths.libDir) ? readdirSync(paths.libDir) : [];
  if (!jars.includes(brokerJar)) {
    throw new Error(`Maven finished but ${brokerJar} is not in ${paths.libDir}; output in ${ctx.logFile}`);
  }
  const newStamp: InstallStamp = { kafkaVersion: version.text, pomSha256 };
  writeFileSync(paths.installStamp, `${JSON.stringify(newStamp, null, 2)}\n`);
  ctx.log(`${jars.length} jars installed in ${Math.round((Date.now() - started_ms) / 1000)} s`);
}

// ---------------------------------------------------------------------------------------------
// configuration and storage

/**
 * Writes <componentDir>/server.properties from the repository's template. Done on every start,
 * because ports can change between runs (PLATFORM_KAFKA_PORT), and the format step reads the
 * same file the broker runs with.
 */
function renderServerProperties(ctx: ComponentContext, paths: KafkaPaths): void {
  const values: Record<string, string> = {
    port: String(ctx.config.kafka.port),
    controllerPort: String(ctx.config.kafka.controllerPort),
    logDir: paths.logDir,
  };
  const template = readFileSync(paths.template, 'utf8');
  const rendered = template.replace(/\$\{(\w+)\}/g, (token, name: string) => values[name] ?? token);
  const unresolved = rendered
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#') && line.includes('${'));
  if (unresolved.length > 0) {
    throw new Error(`unknown tokens in ${paths.template}: ${unresolved.join(' | ')}`);
  }
  writeFileSync(
    paths.renderedConfig,
    `# Generated from ${KAFKA_DEPLOY_DIR}/server.properties on each start; edit that file instead.\n${rendered}`,
  );
}

/** A KRaft cluster id is 16 random bytes, base64url without padding (what `random-uuid` prints). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka's own generator skips ids starting with '-' (they read as command-line flags).
    if (!id.startsWith('-')) return id;
  }
}

function clusterId(paths: KafkaPaths): string {
  if (existsSync(paths.clusterIdFile)) return readFileSync(paths.clusterIdFile, 'utf8').trim();
  const id = newClusterId();
  writeFileSync(paths.clusterIdFile, `${id}\n`);
  return id;
}

async function prepare(ctx: ComponentContext): Promise<void> {
  const version = parseVersion(ctx.config.kafka.version);
  const paths = kafkaPaths(ctx, version);
  renderServerProperties(ctx, paths);

  if (existsSync(join(paths.logDir, 'meta.properties'))) {
    const formattedBy = existsSync(paths.formattedByFile)
      ? parseVersion(readFileSync(paths.formattedByFile, 'utf8').trim())
      : undefined;
    // Newer metadata versions cannot be read by an older broker (and from 4.4 on the storage
    // tool's output is not forward compatible either): say so instead of a stack trace later.
    if (formattedBy !== undefined && compareVersions(version, formattedBy) < 0) {
      throw new Error(
        `${paths.logDir} was formatted by Kafka ${formattedBy.text}; Kafka ${version.text} cannot read it. ` +
          'Reset the Kafka state (./platform reset) or go back to the newer version.',
      );
    }
    return;
  }

  mkdirSync(paths.logDir, { recursive: true });
  ctx.log(`formatting ${paths.logDir} (KRaft, node ${NODE_ID})`);
  await runCommand(
    javaBinary(),
    [
      '-Xmx256m',
      loggingFlag(paths, version),
      '-cp',
      join(paths.libDir, '*'),
      'kafka.tools.StorageTool',
      'format',
      '--config',
      paths.renderedConfig,
      '--cluster-id',
      clusterId(paths),
      // A crash between format and our stamp must not make the next `up` fail.
      '--ignore-formatted',
    ],
    { logFile: ctx.logFile, timeout_ms: STORAGE_FORMAT_TIMEOUT_MS, cwd: ctx.componentDir },
  );
  writeFileSync(paths.formattedByFile, `${version.text}\n`);
}

function loggingFlag(paths: KafkaPaths, version: KafkaVersion): string {
  return usesLog4j1(version)
    ? `-Dlog4j.configuration=file:${paths.loggingConfig}`
    : `-Dlog4j2.configurationFile=${paths.loggingConfig}`;
}

// ---------------------------------------------------------------------------------------------
// run

function command(ctx: ComponentContext): ProcessSpec {
  const version = parseVersion(ctx.config.kafka.version);
  const paths = kafkaPaths(ctx, version);
  renderServerProperties(ctx, paths);
  const heap = `${ctx.config.kafka.heap_mb}m`;
  return {
    command: javaBinary(),
    args: [
      // Fixed heap: no resizing pauses, and a predictable footprint next to the other components.
      `-Xms${heap}`,
      `-Xmx${heap}`,
      // The JVM flags Kafka's start scripts use.
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      loggingFlag(paths, version),
      '-cp',
      // The JVM expands `dir/*` itself; no shell is involved.
      join(paths.libDir, '*'),
      'kafka.Kafka',
      paths.renderedConfig,
    ],
    cwd: ctx.componentDir,
  };
}

function adminClient(config: PlatformConfig, clientId: string, connectionTimeout: number, requestTimeout: number, retries: number): Admin {
  const kafka = new Kafka({
    clientId,
    brokers: kafkaBrokers(config),
    connectionTimeout,
    requestTimeout,
    retry: { retries, maxRetryTime: ADMIN_MAX_RETRY_TIME_MS },
    // Probes run every few hundred milliseconds while the broker starts; their connection
    // errors are the expected answer, not news.
    logLevel: logLevel.NOTHING,
  });
  return kafka.admin({ retry: { retries, maxRetryTime: ADMIN_MAX_RETRY_TIME_MS } });
}

function withTimeout<T>(promise: Promise<T>, timeout_ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeout_ms} ms`)), timeout_ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Ready when the broker answers a Metadata request (describeCluster) listing itself, naming a
 * controller, and carrying our cluster id (so another Kafka on the same port is not mistaken for
 * ours). A KRaft broker opens its client listener only after the controller is elected and the
 * broker is registered and unfenced, so this answer means it really serves.
 */
async function probe(ctx: ComponentContext): Promise<ProbeResult> {
  const version = parseVersion(ctx.config.kafka.version);
  const paths = kafkaPaths(ctx, version);
  const expectedClusterId = existsSync(paths.clusterIdFile) ? readFileSync(paths.clusterIdFile, 'utf8').trim() : undefined;
  const admin = adminClient(ctx.config, 'platform-probe', PROBE_CONNECTION_TIMEOUT_MS, PROBE_REQUEST_TIMEOUT_MS, 0);
  const where = kafkaBrokers(ctx.config).join(',');
  try {
    const cluster = await withTimeout(
      admin.connect().then(() => admin.describeCluster()),
      PROBE_TOTAL_TIMEOUT_MS,
      `describeCluster on ${where}`,
    );
    if (expectedClusterId !== undefined && cluster.clusterId !== expectedClusterId) {
      return { ready: false, reason: `${where} is another Kafka (cluster ${cluster.clusterId}, ours is ${expectedClusterId})` };
    }
    if (!cluster.brokers.some((broker) => broker.nodeId === NODE_ID)) {
      return { ready: false, reason: `broker ${NODE_ID} is not registered yet` };
    }
    if (cluster.controller === null || cluster.controller < 0) {
      return { ready: false, reason: 'no active controller yet' };
    }
    return { ready: true };
  } catch (error) {
    return { ready: false, reason: `describeCluster on ${where} failed: ${(error as Error).message}` };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// topics

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Topic-level configs (retention.ms, cleanup.policy, ...), values as Kafka expects: strings. */
  readonly config: Readonly<Record<string, string>>;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Reads and checks deploy/kafka-topics.json; every problem names the file and the topic. */
export function loadTopicCatalogue(rootDir: string): TopicSpec[] {
  const file = join(rootDir, TOPIC_CATALOGUE);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { topics?: unknown };
  if (!Array.isArray(raw.topics)) throw new Error(`${file}: "topics" must be an array`);
  const seen = new Set<string>();
  return raw.topics.map((entry: unknown, index: number): TopicSpec => {
    const topic = entry as { name?: unknown; partitions?: unknown; config?: unknown };
    const label = `${file}: topics[${index}]`;
    if (typeof topic.name !== 'string' || !TOPIC_NAME.test(topic.name)) {
      throw new Error(`${label}: "name" must be a Kafka topic name ([a-zA-Z0-9._-], at most 249 characters)`);
    }
    if (seen.has(topic.name)) throw new Error(`${label}: ${topic.name} is listed twice`);
    seen.add(topic.name);
    if (typeof topic.partitions !== 'number' || !Number.isInteger(topic.partitions) || topic.partitions < 1 || topic.partitions > MAX_PARTITIONS_PER_TOPIC) {
      throw new Error(`${label} (${topic.name}): "partitions" must be an integer from 1 to ${MAX_PARTITIONS_PER_TOPIC}`);
    }
    const config = (topic.config ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) {
      if (typeof value !== 'string') {
        throw new Error(`${label} (${topic.name}): config "${key}" must be a string, as Kafka expects`);
      }
    }
    return { name: topic.name, partitions: topic.partitions, config: config as Record<string, string> };
  });
}

/**
 * Creates the catalogue's missing topics; existing topics are left as they are. A partition
 * count that differs from the catalogue is an error (partitions can be added, never removed, and
 * adding them moves keys to other partitions: a person decides). A config that differs is only
 * reported.
 */
export async function ensureTopics(admin: Admin, topics: readonly TopicSpec[], log: (message: string) => void): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((topic) => existing.has(topic.name));
  const missing = topics.filter((topic) => !existing.has(topic.name));

  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((topic) => topic.name) });
    const partitionCounts = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
    const mismatches = present
      .filter((topic) => partitionCounts.get(topic.name) !== topic.partitions)
      .map((topic) => `${topic.name} has ${partitionCounts.get(topic.name) ?? '?'} partitions, ${TOPIC_CATALOGUE} says ${topic.partitions}`);
    if (mismatches.length > 0) {
      throw new Error(
        `topics differ from ${TOPIC_CATALOGUE}: ${mismatches.join('; ')}. ` +
          'Change the catalogue, or delete the topic (locally: ./platform reset) so it is created again.',
      );
    }
    await reportConfigDrift(admin, present, log);
  }

  if (missing.length > 0) {
    // kafkajs's own wait for leaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker
    // answers until the new topic reaches its metadata cache (a failed `up` CI saw): we wait ourselves.
    await admin.createTopics({
      waitForLeaders: false,
      timeout: TOPIC_CREATE_TIMEOUT_MS,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: LOCAL_REPLICATION_FACTOR,
        configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitForLeaders(admin, missing);
    log(`created ${missing.length} topic(s): ${missing.map((topic) => topic.name).join(', ')}`);
  }
}

/** Until the broker names a leader for every partition of every topic; its transient answers are asked again, within a bound. */
async function waitForLeaders(admin: Admin, topics: readonly TopicSpec[]): Promise<void> {
  const deadline_ms = Date.now() + TOPIC_CREATE_TIMEOUT_MS;
  for (;;) {
    let transient: unknown;
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: topics.map((topic) => topic.name) });
      const led = topics.every((topic) => {
        const found = described.find((candidate) => candidate.name === topic.name);
        return found !== undefined && found.partitions.length === topic.partitions && found.partitions.every((partition) => partition.leader >= 0);
      });
      if (led) return;
    } catch (error) {
      if (!(error instanceof KafkaJSError && error.retriable)) throw error;
      transient = error;
    }
    if (Date.now() > deadline_ms) {
      const cause = transient instanceof Error ? `: ${transient.message}` : '';
      throw new Error(`created topics have partitions without a leader after ${TOPIC_CREATE_TIMEOUT_MS} ms${cause}`);
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, ADMIN_POLL_DELAY_MS));
  }
}

async function reportConfigDrift(admin: Admin, topics: readonly TopicSpec[], log: (message: string) => void): Promise<void> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((topic) => ({
      type: ConfigResourceTypes.TOPIC,
      name: topic.name,
      configNames: Object.keys(topic.config),
    })),
  });
  for (const resource of described.resources) {
    const wanted = topics.find((topic) => topic.name === resource.resourceName);
    if (wanted === undefined) continue;
    for (const entry of resource.configEntries) {
      const expected = wanted.config[entry.configName];
      if (expected !== undefined && entry.configValue !== expected) {
        log(`topic ${wanted.name} has ${entry.configName}=${entry.configValue}, ${TOPIC_CATALOGUE} says ${expected} (left as is)`);
      }
    }
  }
}

/**
 * The group coordinator creates and loads __consumer_offsets on first use. Asking for a group's
 * offsets does that now, so the first service or test does not wait for it, and a coordinator
 * that never comes up (internal topics with an impossible replication factor) fails `up`
 * instead of a test. kafkajs's admin.fetchOffsets does not retry "coordinator is loading"
 * (GROUP_LOAD_IN_PROGRESS, seen right after the topic is created), so this loop does.
 */
async function warmUpGroupCoordinator(admin: Admin, topic: string): Promise<void> {
  const deadline_ms = Date.now() + COORDINATOR_WARM_UP_TIMEOUT_MS;
  for (;;) {
    try {
      await admin.fetchOffsets({ groupId: WARM_UP_GROUP_ID, topics: [topic] });
      return;
    } catch (error) {
      const retriable = error instanceof KafkaJSError && error.retriable;
      if (!retriable || Date.now() > deadline_ms) {
        throw new Error(`the group coordinator did not answer within ${COORDINATOR_WARM_UP_TIMEOUT_MS} ms: ${(error as Error).message}`);
      }
      await new Promise((resolvePromise) => setTimeout(resolvePromise, ADMIN_POLL_DELAY_MS));
    }
  }
}

async function afterStart(ctx: ComponentContext): Promise<void> {
  const topics = loadTopicCatalogue(ctx.rootDir);
  const admin = adminClient(ctx.config, 'platform-setup', ADMIN_CONNECTION_TIMEOUT_MS, ADMIN_REQUEST_TIMEOUT_MS, ADMIN_RETRIES);
  try {
    await admin.connect();
    await ensureTopics(admin, topics, ctx.log);
    const firstTopic = topics[0];
    if (firstTopic !== undefined) await warmUpGroupCoordinator(admin, firstTopic.name);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------

export const kafkaComponent: Component = {
  name: 'kafka',
  dependsOn: [],
  version: (ctx) => ctx.config.kafka.version,
  ports: (ctx): readonly ComponentPort[] => [
    { name: 'kafka', port: ctx.config.kafka.port },
    { name: 'kafka-controller', port: ctx.config.kafka.controllerPort },
  ],
  install,
  prepare,
  command,
  probe,
  afterStart,
  // Topics are created from the catalogue: a running broker gets a changed catalogue on the next `up`.
  setupKey: (ctx) => sha256(join(ctx.rootDir, TOPIC_CATALOGUE)),
  // Measured start to ready is a few seconds; a cold JVM on a busy 2-core laptop can take far longer.
  readinessTimeout_s: 90,
  // A controlled shutdown of a combined node takes a few seconds; it flushes and closes logs
  // cleanly, which saves log recovery on the next start.
  stopTimeout_s: 30,
};
