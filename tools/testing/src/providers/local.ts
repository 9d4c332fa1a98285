import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from '@txn/contracts';
import { Supervisor, allComponents, infrastructureComponents, postgresAdmin, schemaRegistryUrl, type PlatformConfig } from '@txn/infra-local';
import { registerSchemas, type SchemaCatalogue } from '@txn/schema-deploy';
import type { TestEnvironment } from '../environment';
import { endpointsFor, type InfrastructureProvider } from './provider';

function startedListFile(config: PlatformConfig): string {
  return join(config.stateDir, 'test', 'started-by-tests.json');
}

/** Local processes, managed by the same supervisor as `./platform up`. */
export const localProvider: InfrastructureProvider = {
  name: 'local',

  async start(config: PlatformConfig): Promise<TestEnvironment> {
    // Infrastructure only: suites run the services they test in-process, on their own topics.
    const supervisor = new Supervisor(config, infrastructureComponents, (message) => process.stderr.write(`[test-infra] ${message}\n`));
    const outcomes = await supervisor.up();
    const started = [...outcomes].filter(([, outcome]) => outcome === 'started').map(([name]) => name);
    mkdirSync(join(config.stateDir, 'test'), { recursive: true });
    writeFileSync(startedListFile(config), JSON.stringify(started));
    // As `./platform up` does: the catalogue's subjects exist before any producer runs.
    await registerSchemas(schemaRegistryUrl(config), EVENT_TYPES as unknown as SchemaCatalogue);
    return endpointsFor(config, 'local', postgresAdmin(config).password);
  },

  async stop(config: PlatformConfig): Promise<void> {
    if (process.env.PLATFORM_KEEP_UP === '1') return;
    let started: string[] = [];
    try {
      started = JSON.parse(readFileSync(startedListFile(config), 'utf8')) as string[];
    } catch {
      return;
    }
    const supervisor = new Supervisor(config, allComponents, (message) => process.stderr.write(`[test-infra] ${message}\n`));
    if (started.length > 0) await supervisor.down(started);
    rmSync(startedListFile(config), { force: true });
  },
};
