import type { PlatformConfig } from '@txn/infra-local';
import type { TestEnvironment } from '../environment';

/**
 * Brings the real infrastructure up for a test run and takes down what it started.
 * `local` runs processes on this machine (the default, and the only one usable without a Docker
 * engine); `testcontainers` runs docker-compose.yml's images where a Docker engine exists.
 */
export interface InfrastructureProvider {
  readonly name: TestEnvironment['provider'];
  start(config: PlatformConfig): Promise<TestEnvironment>;
  /** Stops only what `start` started; a stack that was already running is left running. */
  stop(config: PlatformConfig): Promise<void>;
}

/** Endpoints are the same for both providers: compose publishes the same ports on loopback. */
export function endpointsFor(config: PlatformConfig, provider: TestEnvironment['provider'], adminPassword: string): TestEnvironment {
  const host = '127.0.0.1';
  return {
    provider,
    kafka: { brokers: [`${host}:${config.kafka.port}`] },
    schemaRegistry: { url: `http://${host}:${config.schemaRegistry.port}/apis/ccompat/v7` },
    postgres: { host, port: config.postgres.port, adminUser: 'platform_admin', adminPassword },
    pspSandbox: { host, port: config.pspSandbox.port, url: `http://${host}:${config.pspSandbox.port}` },
    pspProxy: { host, port: config.pspProxy.port, url: `http://${host}:${config.pspProxy.port}` },
    mailpit: { smtpUrl: `smtp://${host}:${config.mailpit.smtpPort}`, apiUrl: `http://${host}:${config.mailpit.httpPort}` },
    jaeger: { otlpTracesUrl: `http://${host}:${config.jaeger.otlpHttpPort}/v1/traces`, queryUrl: `http://${host}:${config.jaeger.queryPort}` },
  };
}
