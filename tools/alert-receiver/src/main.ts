import { startAlertReceiver } from './receiver';

/** node --import tsx tools/alert-receiver/src/main.ts --port 18592 --file .platform/alert-receiver/received.jsonl */
function option(name: string, fallback?: string): string {
  const at = process.argv.indexOf(name);
  const value = at === -1 ? fallback : process.argv[at + 1];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

startAlertReceiver({ host: option('--host', '127.0.0.1'), port: Number(option('--port')), file: option('--file') })
  .then((receiver) => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'alert receiver listening', url: receiver.url })}\n`);
    const stop = (): void => {
      void receiver.close().then(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  })
  .catch((error: unknown) => {
    process.stderr.write(`alert receiver: ${(error as Error).message}\n`);
    process.exit(2);
  });
