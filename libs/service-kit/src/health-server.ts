import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** One readiness condition: a name for the answer, and a check that resolves true when met. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean> | boolean;
}

/** A check slower than this counts as failed: a probe must answer quickly, whatever hangs. */
export const READINESS_CHECK_TIMEOUT_MS = 2_000;
/** Bounds on the HTTP server itself (it serves probes and scrapes, nothing large or slow). */
const REQUEST_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 5_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const MAX_CONNECTIONS = 64;

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

async function withinTimeout(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolvePromise) => {
    timer = setTimeout(() => resolvePromise(false), READINESS_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve(check.check()).catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

/**
 * `GET /health/live` (the process answers), `GET /health/ready` (200 only when every readiness
 * check passes; 503 names the failing ones), `GET /metrics` (Prometheus text from `registry`).
 * Plain node:http: probes must answer even while the Nest application is starting or stopping.
 */
export async function startHealthServer(options: {
  readonly port: number;
  readonly host?: string;
  readonly registry: Registry;
  readonly readiness: readonly ReadinessCheck[];
  readonly logger: Logger;
}): Promise<HealthServer> {
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') return send(response, 405, 'text/plain', 'method not allowed\n');
    if (path === '/health/live') return send(response, 200, 'application/json', '{"status":"live"}\n');
    if (path === '/health/ready') {
      const results = await Promise.all(options.readiness.map(async (check) => ({ name: check.name, ok: await withinTimeout(check) })));
      const failing = results.filter((result) => !result.ok).map((result) => result.name);
      const body = JSON.stringify({ status: failing.length === 0 ? 'ready' : 'not-ready', failing });
      return send(response, failing.length === 0 ? 200 : 503, 'application/json', `${body}\n`);
    }
    if (path === '/metrics') return send(response, 200, options.registry.contentType, await options.registry.metrics());
    return send(response, 404, 'text/plain', 'not found\n');
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.logger.error({ errorClass: (error as Error).name, error: (error as Error).message, path: request.url }, 'health endpoint failed');
      if (!response.headersSent) send(response, 500, 'text/plain', 'internal error\n');
      else response.destroy();
    });
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}
