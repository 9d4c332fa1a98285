import type { Logger } from 'pino';

/** SIGTERM to exit: longer than a handler's 15 s limit plus the relay's last batch. */
export const SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * SIGTERM / SIGINT → `close()` once, then exit 0; a close that fails or outlives
 * SHUTDOWN_TIMEOUT_MS exits 1 (the supervisor's SIGKILL comes later anyway). Nothing committed is
 * lost either way: offsets follow commits, and unsent outbox rows wait for the next leader.
 */
export function stopOnSignals(service: { close(): Promise<void> }, logger: Logger, timeout_ms = SHUTDOWN_TIMEOUT_MS): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'service stopping');
    setTimeout(() => {
      logger.error({ timeout_ms }, 'shutdown did not finish in time');
      logger.flush();
      process.exit(1);
    }, timeout_ms).unref();
    service.close().then(
      () => {
        logger.info('service stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ errorClass: (error as Error).name, error: (error as Error).message }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
