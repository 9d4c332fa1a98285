import { loadPlatformConfig } from '@txn/infra-local';
import { selectProvider } from './providers';
import { testcontainersProvider } from './providers/testcontainers';

/** Jest globalTeardown of the containers project: removes the containers its setup started. */
export default async function containersGlobalTeardown(): Promise<void> {
  if (selectProvider().name === 'testcontainers') return;
  await testcontainersProvider.stop(loadPlatformConfig());
}
