import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';

/** Anything that runs beside the consumer while the application runs: sweepers, watchers, dispatchers. */
export interface Runnable {
  start(): void;
  /** Resolves once nothing of it runs any more. */
  stop(): Promise<void>;
}

/** A service module provides its periodic work under this token, for PeriodicWorkLifecycle. */
export const PERIODIC_WORK = Symbol('txn-periodic-work');

/**
 * Starts the service's periodic work once the application is up and stops all of it before the
 * relay stops (Nest runs beforeApplicationShutdown before onApplicationShutdown), so nothing it
 * writes to the outbox is left for the next start.
 */
@Injectable()
export class PeriodicWorkLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(PERIODIC_WORK) private readonly work: readonly Runnable[]) {}

  onApplicationBootstrap(): void {
    for (const runnable of this.work) runnable.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.work.map((runnable) => runnable.stop()));
  }
}
