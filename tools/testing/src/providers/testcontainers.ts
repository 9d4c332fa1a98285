import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics, loadTopicCatalogue, type PlatformConfig } from '@txn/infra-local';
import { startPspProxy, type RunningPspProxy } from '@txn/psp-proxy';
import type { TestEnvironment } from '../environment';
import { endpointsFor, type InfrastructureProvider } from './provider';

/**
 * For machines with a Docker engine only (none exists on the project's CI machines). It starts
 * the top-level docker-compose.yml itself, so the images are by construction the ones the compose
 * file pins; compose publishes the same loopback ports as the local provider.
 */
let environment: StartedDockerComposeEnvironment | undefined;
/** Our own proxy is not an image: it runs in the Jest process, in front of the container's sandbox. */
let pspProxy: RunningPspProxy | undefined;

const STARTUP_TIMEOUT_MS = 180_000;

export const testcontainersProvider: InfrastructureProvider = {
  name: 'testcontainers',

  async start(config: PlatformConfig): Promise<TestEnvironment> {
    environment = await new DockerComposeEnvironment(config.rootDir, 'docker-compose.yml')
      .withEnvironment({ POSTGRES_ADMIN_PASSWORD: 'platform_admin_test_only' })
      .withWaitStrategy('postgres-1', Wait.forHealthCheck())
      .withWaitStrategy('kafka-1', Wait.forHealthCheck())
      .withWaitStrategy('schema-registry-1', Wait.forHealthCheck())
      .withWaitStrategy('psp-sandbox-1', Wait.forHealthCheck())
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .up();
    // Compose starts Kafka with auto-create off and no topics; create the catalogue as `up` does.
    const admin = new Kafka({ clientId: 'test-infra', brokers: [`127.0.0.1:${config.kafka.port}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, loadTopicCatalogue(config.rootDir), (message) => process.stderr.write(`[test-infra] ${message}\n`));
    } finally {
      await admin.disconnect();
    }
    pspProxy = await startPspProxy({ upstreamUrl: `http://127.0.0.1:${config.pspSandbox.port}`, host: '127.0.0.1', port: config.pspProxy.port });
    return endpointsFor(config, 'testcontainers', 'platform_admin_test_only');
  },

  async stop(): Promise<void> {
    await pspProxy?.close();
    pspProxy = undefined;
    await environment?.down({ removeVolumes: true });
    environment = undefined;
  },
};
