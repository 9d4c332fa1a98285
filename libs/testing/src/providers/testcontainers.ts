import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';
import type { PlatformConfig } from '@txn/infra-local';
import type { TestEnvironment } from '../environment';
import { endpointsFor, type InfrastructureProvider } from './provider';

/**
 * For machines with a Docker engine only (none exists on the project's CI machines). It starts
 * the top-level docker-compose.yml itself, so the images are by construction the ones the compose
 * file pins; compose publishes the same loopback ports as the local provider.
 */
let environment: StartedDockerComposeEnvironment | undefined;

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
    return endpointsFor(config, 'testcontainers', 'platform_admin_test_only');
  },

  async stop(): Promise<void> {
    await environment?.down({ removeVolumes: true });
    environment = undefined;
  },
};
