import { startLagExporter } from './exporter';

/**
 * node --import tsx tools/kafka-lag/src/main.ts --brokers 127.0.0.1:19092 --port 18530 [--host 127.0.0.1] [--interval-ms 10000]
 * The lag exporter as its own process (the platform's `lag-exporter` component).
 */
function option(name: string, fallback?: string): string {
  const at = process.argv.indexOf(name);
  const value = at === -1 ? fallback : process.argv[at + 1];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const exporter = await startLagExporter({
    brokers: option('--brokers').split(','),
    host: option('--host', '127.0.0.1'),
    port: Number(option('--port')),
    interval_ms: Number(option('--interval-ms', '10000')),
    log: (line) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'lag exporter serving', url: `${exporter.url}/metrics` })}\n`);
  const stop = (): void => {
    void exporter.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`lag exporter: ${(error as Error).message}\n`);
  process.exit(2);
});
