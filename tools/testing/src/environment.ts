import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findRootDir, loadPlatformConfig, type PlatformConfig } from '@txn/infra-local';

/** Where the tests find the infrastructure the global setup brought up. */
export interface TestEnvironment {
  readonly provider: 'local' | 'testcontainers';
  readonly kafka: { readonly brokers: readonly string[] };
  /** Base URL of the Confluent-compatible API. */
  readonly schemaRegistry: { readonly url: string };
  readonly postgres: { readonly host: string; readonly port: number; readonly adminUser: string; readonly adminPassword: string };
  readonly pspSandbox: { readonly host: string; readonly port: number; readonly url: string };
  /** The idempotency-honouring, fault-injecting proxy in front of the sandbox (decision 0010). */
  readonly pspProxy: { readonly host: string; readonly port: number; readonly url: string };
  /** The SMTP server customers' emails go to, and its HTTP API to read what arrived (Mailpit). */
  readonly mailpit: { readonly smtpUrl: string; readonly apiUrl: string };
  /** The trace backend (Jaeger): where services export spans (OTLP/HTTP), and its query API. */
  readonly jaeger: { readonly otlpTracesUrl: string; readonly queryUrl: string };
}

/**
 * Fixed path per provider, so Jest workers (separate processes) find what the global setup wrote.
 * A test file reads the one its project's provider wrote: PLATFORM_TEST_PROVIDER, which the
 * containers project's setup file sets for its test files only.
 */
export function environmentFile(config: PlatformConfig = loadPlatformConfig(), provider: string = process.env.PLATFORM_TEST_PROVIDER ?? 'local'): string {
  return process.env.PLATFORM_TEST_ENV_FILE ?? join(config.stateDir, 'test', provider === 'local' ? 'environment.json' : `environment.${provider}.json`);
}

export function writeTestEnvironment(environment: TestEnvironment, config: PlatformConfig): void {
  const path = environmentFile(config, environment.provider);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(environment, null, 2)}\n`, { mode: 0o600 });
}

let cached: TestEnvironment | undefined;

/** The running infrastructure's endpoints; only valid inside a Jest run with the global setup. */
export function testEnvironment(): TestEnvironment {
  if (cached !== undefined) return cached;
  const path = environmentFile(loadPlatformConfig(process.env, findRootDir(process.cwd())));
  try {
    cached = JSON.parse(readFileSync(path, 'utf8')) as TestEnvironment;
    return cached;
  } catch (error) {
    throw new Error(
      `no test environment at ${path} (${(error as Error).message}): integration tests run through ` +
        '`./platform test`, whose Jest global setup brings the infrastructure up',
    );
  }
}
