import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { getContainerRuntimeClient, Network } from 'testcontainers';
import { EVENT_TYPES } from '@txn/contracts';
import { ensurePodmanSocket, ensureTopics, loadTopicCatalogue, provisionDatabase, SUBJECT_COMPATIBILITY, type PlatformConfig } from '@txn/infra-local';
import { registerSchemas, type SchemaCatalogue } from '@txn/schema-deploy';
import type { TestEnvironment } from '../environment';
import { freePort } from '../free-port';
import { endpointsFor, type InfrastructureProvider } from './provider';
import { ensureImages, imageHealthCommand, infrastructureImages, type InfrastructureImages } from './container-images';
import { LoopbackContainer, removeContainer, type StartedContainer } from './loopback-container';

/**
 * The run's infrastructure as containers, started by testcontainers from the images
 * `./platform images build` makes (the same ones docker-compose.yml and the Helm chart run), through
 * podman's Docker API on the project's socket. Every port is published on 127.0.0.1 only and
 * every test reaches the containers through those ports; the containers reach each other on a
 * network of their own by name, as in the compose file. Readiness is each image's own HEALTHCHECK
 * command, run inside the container (podman 4.3 schedules health checks with systemd timers,
 * which this machine has not).
 *
 * Ryuk (testcontainers' reaper) is an image no registry here serves, so clean-up is ours: every
 * container carries this checkout's label, and start and stop remove whatever carries it.
 */

const STARTUP_TIMEOUT_MS = 180_000;
const CONTAINER_PORTS = { postgres: 5432, kafka: 19092, schemaRegistry: 18081, pspSandbox: 18420, pspProxy: 18421 } as const;
const REQUEST_TIMEOUT_MS = 10_000;
const STATE_FILE = 'testcontainers.json';

interface RunState {
  readonly containers: readonly string[];
  readonly network: string;
}

function stateFile(config: PlatformConfig): string {
  return join(config.stateDir, 'test', STATE_FILE);
}

/** Scopes clean-up to this checkout: another checkout's test run on the same machine keeps its containers. */
function checkoutLabel(config: PlatformConfig): Record<string, string> {
  return { 'txn-platform.test-run': createHash('sha256').update(config.rootDir).digest('hex').slice(0, 16) };
}

function say(line: string): void {
  process.stderr.write(`[test-containers] ${line}\n`);
}

/** testcontainers' settings for podman here (STACK-NOTES): our socket, no Ryuk, loopback addresses. */
async function useProjectPodman(config: PlatformConfig): Promise<void> {
  process.env.DOCKER_HOST = `unix://${await ensurePodmanSocket(config)}`;
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
}

interface Started {
  readonly postgres: StartedContainer;
  readonly kafka: StartedContainer;
  readonly schemaRegistry: StartedContainer;
  readonly pspSandbox: StartedContainer;
  readonly pspProxy: StartedContainer;
}

async function startContainers(config: PlatformConfig, images: InfrastructureImages, adminPassword: string, track: (container: StartedContainer) => void): Promise<Started & { network: string }> {
  const network = await new Network().start();
  const labels = checkoutLabel(config);
  /** One container on the run's network, by its alias, ready when its image's health check passes. */
  const start = async (image: string, alias: string, configure: (builder: LoopbackContainer) => LoopbackContainer): Promise<StartedContainer> => {
    const builder = configure(new LoopbackContainer(image).withNetwork(network).withNetworkAliases(alias).withLabels(labels).withStartupTimeout(STARTUP_TIMEOUT_MS));
    const started = await builder.startReady(await imageHealthCommand(config, image));
    track(started);
    return started;
  };
  const registryPassword = randomBytes(18).toString('base64url');
  const kafkaPort = await freePort();
  // PostgreSQL and Kafka have nothing in common: started side by side.
  const [postgres, kafka] = await Promise.all([
    start(images.postgres, 'postgres', (c) => c.withSecret('postgres-platform_admin', adminPassword).withEnvironment({ POSTGRES_PASSWORD_FILE: '/run/secrets/postgres-platform_admin' }).withLoopbackPort(CONTAINER_PORTS.postgres)),
    // Kafka advertises the host's port to clients on loopback: fixed before the container starts.
    start(images.kafka, 'kafka', (c) => c.withEnvironment({ KAFKA_EXTERNAL_PORT: String(CONTAINER_PORTS.kafka), KAFKA_EXTERNAL_ADVERTISED: `127.0.0.1:${kafkaPort}` }).withLoopbackPort(CONTAINER_PORTS.kafka, kafkaPort)),
  ]);
  const admin = { host: '127.0.0.1', port: postgres.getMappedPort(CONTAINER_PORTS.postgres), user: 'platform_admin', password: adminPassword };
  const registry = await provisionDatabase(admin, 'schema-registry', registryPassword);
  const [schemaRegistry, pspSandbox] = await Promise.all([
    start(images.schemaRegistry, 'schema-registry', (c) =>
      c
        .withSecret('postgres-svc_schema_registry', registryPassword)
        .withEnvironment({ APICURIO_DATASOURCE_URL: `jdbc:postgresql://postgres:5432/${registry.database}`, APICURIO_DATASOURCE_USERNAME: registry.user, APICURIO_DATASOURCE_PASSWORD_FILE: '/run/secrets/postgres-svc_schema_registry' })
        .withLoopbackPort(CONTAINER_PORTS.schemaRegistry),
    ),
    start(images.pspSandbox, 'psp-sandbox', (c) => c.withLoopbackPort(CONTAINER_PORTS.pspSandbox)),
  ]);
  const pspProxy = await start(images.pspProxy, 'psp-proxy', (c) =>
    c
      .withEnvironment({ HTTP_PORT: String(CONTAINER_PORTS.pspProxy), HEALTH_PATH: '/_stats' })
      .withCommand(['--host', '0.0.0.0', '--port', String(CONTAINER_PORTS.pspProxy), '--upstream', `http://psp-sandbox:${CONTAINER_PORTS.pspSandbox}`, '--journal', '/tmp/idempotency-journal.jsonl'])
      .withLoopbackPort(CONTAINER_PORTS.pspProxy),
  );
  return { postgres, kafka, schemaRegistry, pspSandbox, pspProxy, network: network.getId() };
}

/** What `./platform up` and the init containers do before any producer runs: the catalogue's topics, the registry's rule and subjects. */
async function prepare(kafkaBroker: string, registryUrl: string, config: PlatformConfig): Promise<void> {
  const admin = new Kafka({ clientId: 'test-containers', brokers: [kafkaBroker], logLevel: logLevel.NOTHING, retry: { retries: 8 } }).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, loadTopicCatalogue(config.rootDir), say);
  } finally {
    await admin.disconnect();
  }
  const rule = await fetch(`${registryUrl}/config`, { method: 'PUT', headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: SUBJECT_COMPATIBILITY }), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!rule.ok) throw new Error(`PUT ${registryUrl}/config answered ${rule.status}: ${await rule.text()}`);
  await registerSchemas(registryUrl, EVENT_TYPES as unknown as SchemaCatalogue);
}

/** Removes every container and the network a run of this checkout left (a crashed run's too). */
async function removeLeftovers(config: PlatformConfig): Promise<void> {
  const client = await getContainerRuntimeClient();
  const [label, value] = Object.entries(checkoutLabel(config))[0] ?? [];
  const listed = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${label}=${value}`] } });
  await Promise.all(listed.map((info) => client.container.dockerode.getContainer(info.Id).remove({ force: true, v: true })));
  let state: RunState | undefined;
  try {
    state = JSON.parse(readFileSync(stateFile(config), 'utf8')) as RunState;
  } catch {
    state = undefined;
  }
  if (state !== undefined) await client.network.remove(client.network.getById(state.network)).catch(() => undefined);
  rmSync(stateFile(config), { force: true });
  if (listed.length > 0) say(`removed ${listed.length} container(s) of this checkout`);
}

export const testcontainersProvider: InfrastructureProvider = {
  name: 'testcontainers',

  async start(config: PlatformConfig): Promise<TestEnvironment> {
    const images = infrastructureImages(config);
    await ensureImages(config, images);
    await useProjectPodman(config);
    await removeLeftovers(config);
    const adminPassword = randomBytes(18).toString('base64url');
    const ids: string[] = [];
    const started = await startContainers(config, images, adminPassword, (container) => ids.push(container.getId())).catch(async (error: unknown) => {
      await Promise.all(ids.map(removeContainer));
      throw error;
    });
    mkdirSync(join(config.stateDir, 'test'), { recursive: true });
    writeFileSync(stateFile(config), JSON.stringify({ containers: ids, network: started.network } satisfies RunState));
    const local = endpointsFor(config, 'testcontainers', adminPassword);
    const port = (container: StartedContainer, containerPort: number): number => container.getMappedPort(containerPort);
    const url = (portNumber: number): string => `http://127.0.0.1:${portNumber}`;
    const environment: TestEnvironment = {
      ...local,
      kafka: { brokers: [`127.0.0.1:${port(started.kafka, CONTAINER_PORTS.kafka)}`] },
      schemaRegistry: { url: `${url(port(started.schemaRegistry, CONTAINER_PORTS.schemaRegistry))}/apis/ccompat/v7` },
      postgres: { host: '127.0.0.1', port: port(started.postgres, CONTAINER_PORTS.postgres), adminUser: 'platform_admin', adminPassword },
      pspSandbox: { host: '127.0.0.1', port: port(started.pspSandbox, CONTAINER_PORTS.pspSandbox), url: url(port(started.pspSandbox, CONTAINER_PORTS.pspSandbox)) },
      pspProxy: { host: '127.0.0.1', port: port(started.pspProxy, CONTAINER_PORTS.pspProxy), url: url(port(started.pspProxy, CONTAINER_PORTS.pspProxy)) },
    };
    await prepare(environment.kafka.brokers[0] ?? '', environment.schemaRegistry.url, config);
    return environment;
  },

  async stop(config: PlatformConfig): Promise<void> {
    if (process.env.PLATFORM_KEEP_UP === '1') return;
    await useProjectPodman(config);
    await removeLeftovers(config);
  },
};
