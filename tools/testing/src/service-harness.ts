import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { installExtensions as installExtensionsAs } from '@txn/infra-local';
import { testEnvironment } from './environment';
import type { SuiteDatabase } from './suite-scope';

// Pieces every in-process service harness needs (each service's integration support, the e2e
// harness, the benchmark): the service's JSON log lines kept for assertions, its base settings on a
// suite database, and clean-up that always runs to the end.

/** One line of a service's pino output, parsed. */
export interface LogLine {
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A pino destination that parses each JSON line into `into` (tests assert on outcomes and ids). */
export function jsonLogSink(into: LogLine[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') into.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
}

/**
 * The settings every service reads (libs/service-kit's loadServiceConfig) for a service on a suite
 * database and the test run's Kafka and registry; the service's own settings go on top. As
 * `./platform up` runs a service: it logs in as the runtime role, and migrates at start as the
 * owner (DATABASE_MIGRATION_USER), whose connection it closes before it serves. `secret` writes
 * each password to a file (mode 0600) and returns its path.
 */
export function baseServiceSettings(service: string, database: SuiteDatabase, secret: (name: string, value: string) => string, logLevel = 'info'): Record<string, string> {
  const environment = testEnvironment();
  return {
    SERVICE_NAME: service,
    HTTP_PORT: '0',
    DATABASE_HOST: database.host,
    DATABASE_PORT: String(database.port),
    DATABASE_NAME: database.database,
    DATABASE_USER: database.runtime.user,
    DATABASE_PASSWORD_FILE: secret(`${service}-db-runtime`, database.runtime.password),
    DATABASE_MIGRATION_USER: database.user,
    DATABASE_MIGRATION_PASSWORD_FILE: secret(`${service}-db-owner`, database.password),
    KAFKA_BROKERS: environment.kafka.brokers.join(','),
    SCHEMA_REGISTRY_URL: environment.schemaRegistry.url,
    LOG_LEVEL: logLevel,
  };
}

/** Clean-up steps, run latest first; every step runs, and the first failure is rethrown at the end. */
export class Cleanups {
  private readonly steps: (() => Promise<unknown>)[] = [];

  push(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async runAll(): Promise<void> {
    let failure: unknown;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}

/** A private temporary folder for secret files (mode 0600); `remove` deletes it with them. */
export function secretFiles(prefix: string): { readonly write: (name: string, value: string) => string; readonly remove: () => Promise<void> } {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  return {
    write: (name, value) => {
      const path = join(directory, name);
      writeFileSync(path, value, { mode: 0o600 });
      return path;
    },
    remove: () => Promise.resolve(rmSync(directory, { recursive: true, force: true })),
  };
}

/** What the services component does for a real service database, on a suite one: the administrator installs the extensions. */
export function installExtensions(database: SuiteDatabase, extensions: readonly string[]): Promise<void> {
  const { postgres } = testEnvironment();
  return installExtensionsAs({ host: database.host, port: database.port, database: database.database, user: postgres.adminUser, password: postgres.adminPassword }, extensions);
}
