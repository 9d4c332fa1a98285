import type { RetryPolicy } from '@txn/messaging';
import { bootstrapService, createServiceLogger, loadServiceConfig, type LogLevel, type RunningService, type ServiceConfig, type ServiceDefinition, type SettingsReader } from '@txn/service-kit';
import { baseServiceSettings, jsonLogSink, type Cleanups, type LogLine, type SuiteDatabase } from '@txn/testing';

/** In-place retries only: a handler failing in a suite is a finding, not something to wait out. */
export const TEST_RETRY: RetryPolicy = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };

export interface SuiteServiceOptions<S extends object> {
  readonly service: string;
  readonly database: SuiteDatabase;
  /** Writes a secret file (mode 0600) and gives its path. */
  readonly secret: (name: string, value: string) => string;
  /** The service's own settings as its main.ts reads them from the environment. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly readSettings: (settings: SettingsReader) => S;
  readonly definition: (config: ServiceConfig & S) => ServiceDefinition;
  readonly topicOverrides: Readonly<Record<string, string>>;
  readonly consumerGroup: string;
  readonly logLevel?: LogLevel;
  readonly cleanups: Cleanups;
}

export interface SuiteService {
  readonly service: RunningService;
  /** Its pino lines, parsed, in the order written. */
  readonly logs: LogLine[];
}

/**
 * A service as its main.ts starts it (loadServiceConfig, bootstrapService), on a suite database
 * (migrated as its owner, run as its runtime role), suite topics and a suite consumer group, with its logs kept for the assertions; closed at clean-up.
 */
export async function startSuiteService<S extends object>(options: SuiteServiceOptions<S>): Promise<SuiteService> {
  const { service: name, database, logLevel = 'info' } = options;
  const config = loadServiceConfig({ ...baseServiceSettings(name, database, options.secret, logLevel), ...options.environment }, options.readSettings);
  const logs: LogLine[] = [];
  const service = await bootstrapService(config, options.definition(config), {
    topicOverrides: options.topicOverrides,
    consumerGroup: options.consumerGroup,
    retry: TEST_RETRY,
    logger: createServiceLogger({ serviceName: name, level: logLevel, destination: jsonLogSink(logs) }),
    telemetry: false,
  });
  options.cleanups.push(() => service.close());
  return { service, logs };
}

/** The consumer's outcomes logged for one event (`applied`, `duplicate`, `stale`, `rejected`), in order. */
export function outcomesOf(logs: readonly LogLine[], eventId: string): unknown[] {
  return logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
}
