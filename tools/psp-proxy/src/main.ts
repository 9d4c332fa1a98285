import { parseArgs } from 'node:util';
import pino from 'pino';
import { startPspProxy } from './proxy-server';

/**
 * The proxy as a process, started by the platform supervisor (psp-proxy component):
 * node --import tsx tools/psp-proxy/src/main.ts --port 18421 --upstream http://127.0.0.1:18420 --journal <file>
 */
const SHUTDOWN_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      upstream: { type: 'string' },
      journal: { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`--port must be a TCP port, got ${values.port ?? 'nothing'}`);
  if (values.upstream === undefined) throw new Error('--upstream <url of the PSP sandbox> is required');

  const logger = pino({ name: 'psp-proxy', base: undefined });
  const proxy = await startPspProxy({
    upstreamUrl: values.upstream,
    host: values.host,
    port,
    ...(values.journal === undefined ? {} : { journalFile: values.journal }),
    // Plain forwards are not logged: at benchmark rates they would drown the interesting lines.
    onEvent: (event) => (event.event === 'upstream_failed' ? logger.warn(event) : logger.info(event)),
  });
  logger.info({ url: proxy.url, upstream: values.upstream, journal: values.journal ?? null }, 'psp-proxy listening');

  const stop = (signal: string): void => {
    logger.info({ signal, stats: proxy.stats() }, 'psp-proxy stopping');
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    proxy.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`psp-proxy failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
