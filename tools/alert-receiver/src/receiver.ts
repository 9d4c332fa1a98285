import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';

/** One alert as Alertmanager's webhook sends it (version 4 of its payload). */
export interface ReceivedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly receivedAt: string;
}

/** Kept in memory for GET /alerts (the file keeps everything). */
const KEPT = 1_000;
const MAX_BODY_BYTES = 1_048_576;

/**
 * Alertmanager's webhook receiver for this machine: what a pager would get, kept where an on-call
 * person (`tail -f .platform/alert-receiver/received.jsonl`) and a test (GET /alerts) can read it.
 */
export async function startAlertReceiver(options: { readonly host: string; readonly port: number; readonly file: string }): Promise<{ readonly url: string; close(): Promise<void> }> {
  mkdirSync(dirname(options.file), { recursive: true });
  const kept: ReceivedAlert[] = [];
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/alerts') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(kept));
      return;
    }
    if (request.method === 'GET' && request.url === '/health') {
      response.writeHead(200).end('ok');
      return;
    }
    if (request.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts?: Omit<ReceivedAlert, 'receivedAt'>[] };
        const receivedAt = new Date().toISOString();
        for (const alert of body.alerts ?? []) {
          const entry: ReceivedAlert = { status: alert.status, labels: alert.labels, annotations: alert.annotations, startsAt: alert.startsAt, endsAt: alert.endsAt, receivedAt };
          appendFileSync(options.file, `${JSON.stringify(entry)}\n`);
          kept.push(entry);
          if (kept.length > KEPT) kept.shift();
        }
        response.writeHead(200).end('ok');
      } catch {
        response.writeHead(400).end('not an Alertmanager webhook payload');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
