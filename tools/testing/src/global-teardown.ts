import { loadPlatformConfig } from '@txn/infra-local';
import { selectProvider } from './providers';

/** Jest globalTeardown: stops only what the global setup started. */
export default async function globalTeardown(): Promise<void> {
  await selectProvider().stop(loadPlatformConfig());
}
