import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a receiver saw it. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}

/** What the receiver does with the n-th request to a path: answer (after a delay) or never answer. */
export type Behaviour = { readonly status: number; readonly delay_ms?: number; readonly body?: string; readonly headers?: Record<string, string> } | 'hang';

export interface Receiver {
  readonly baseUrl: string;
  readonly requests: ReceivedRequest[];
  /** The script of a path: its requests in order take the behaviours in order; after the last, `otherwise`. */
  script(path: string, behaviours: readonly Behaviour[], otherwise: Behaviour): void;
  close(): Promise<void>;
}

/** A merchant's webhook receiver on loopback, scripted per path: fails, hangs, answers slowly or well, as a test says. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, { behaviours: readonly Behaviour[]; otherwise: Behaviour; served: number }>();
  const open = new Set<ServerResponse>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      requests.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const script = scripts.get(path);
      const behaviour = script === undefined ? { status: 404 } : (script.behaviours[script.served] ?? script.otherwise);
      if (script !== undefined) script.served += 1;
      if (behaviour === 'hang') {
        open.add(response);
        return;
      }
      setTimeout(() => response.writeHead(behaviour.status, { 'content-type': 'text/plain', ...behaviour.headers }).end(behaviour.body ?? 'ok'), behaviour.delay_ms ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (path, behaviours, otherwise) => scripts.set(path, { behaviours, otherwise, served: 0 }),
    close: async () => {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
