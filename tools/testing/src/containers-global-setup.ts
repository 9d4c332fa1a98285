import { selectProvider } from './providers';
import { testcontainersProvider } from './providers/testcontainers';
import { setUpInfrastructure } from './global-setup';

/**
 * Jest globalSetup of the containers project: the same suites as in the integration project, on
 * infrastructure testcontainers starts from the platform's images. When the whole integration
 * project already runs on testcontainers (PLATFORM_TEST_PROVIDER), that stack serves both.
 */
export default async function containersGlobalSetup(): Promise<void> {
  if (selectProvider().name === 'testcontainers') return;
  await setUpInfrastructure(testcontainersProvider);
}
