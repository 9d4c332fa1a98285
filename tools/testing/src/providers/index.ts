import { localProvider } from './local';
import type { InfrastructureProvider } from './provider';

export type { InfrastructureProvider } from './provider';

interface TestcontainersModule {
  readonly testcontainersProvider: InfrastructureProvider;
}

/** PLATFORM_TEST_PROVIDER=local (default) | testcontainers (needs a Docker engine). */
export function selectProvider(env: NodeJS.ProcessEnv = process.env): InfrastructureProvider {
  const name = env.PLATFORM_TEST_PROVIDER ?? 'local';
  if (name === 'local') return localProvider;
  if (name === 'testcontainers') {
    // Loaded only when chosen: machines without Docker never load testcontainers at all.
    return (require('./testcontainers') as TestcontainersModule).testcontainersProvider;
  }
  throw new Error(`PLATFORM_TEST_PROVIDER=${name}: expected "local" or "testcontainers"`);
}
