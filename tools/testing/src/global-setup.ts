import { loadPlatformConfig } from '@txn/infra-local';
import { writeTestEnvironment } from './environment';
import { selectProvider, type InfrastructureProvider } from './providers';

/** Brings one provider's stack up for the run (or reuses it) and writes where the tests find it. */
export async function setUpInfrastructure(provider: InfrastructureProvider): Promise<void> {
  const config = loadPlatformConfig();
  const startedAt = Date.now();
  const environment = await provider.start(config);
  writeTestEnvironment(environment, config);
  process.stderr.write(`[test-infra] ${provider.name} infrastructure ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
}

/** Jest globalSetup of the integration project: one stack per run, reused if already up. */
export default async function globalSetup(): Promise<void> {
  await setUpInfrastructure(selectProvider());
}
