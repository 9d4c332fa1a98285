import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleAdmin, isAdminPath, type AdminContext } from './admin-handler';
import { handleApi, type ApiContext } from './api-handler';
import { faultControlOf } from './fault-effects';
import { FaultTable } from './faults';
import { BodyTooLarge, MAX_REQUEST_BODY_BYTES, send, stripeErrorAnswer } from './http-messages';
import { DEFAULT_IDEMPOTENCY_LIMITS, type IdempotencyLimits } from './idempotency-store';
import { JournaledIdempotencyStore } from './journaled-store';
import { ProxyCounters } from './proxy-stats';
import type { FaultControl, ProxyEvent, PspProxyStats } from './proxy-types';
import * as answers from './stripe-errors';
import { PspUpstream } from './upstream';

export { apiKeyOf } from './api-handler';
export type { FaultControl, ProxyEvent, PspProxyStats } from './proxy-types';
export { routeOf } from './proxy-stats';

export interface PspProxyOptions {
  /** localstripe, e.g. http://127.0.0.1:18420. */
  readonly upstreamUrl: string;
  readonly host?: string;
  /** 0 (the default) picks a free port: what tests want. */
  readonly port?: number;
  /** Keep stored answers across restarts (the component passes a file in its data folder). */
  readonly journalFile?: string;
  readonly idempotency?: Partial<IdempotencyLimits>;
  /** Bound on one call to the PSP; past it the client gets 502 and the key is released. */
  readonly upstreamTimeout_ms?: number;
  /** One call per notable event (faults, replays, conflicts, upstream failures): the caller logs. */
  readonly onEvent?: (event: ProxyEvent) => void;
  /** Injected clock, for the TTL. */
  readonly now_ms?: () => number;
}

export interface RunningPspProxy {
  readonly port: number;
  readonly url: string;
  readonly faults: FaultControl;
  stats(): PspProxyStats;
  close(): Promise<void>;
}

/** Bounds, named. */
export { MAX_REQUEST_BODY_BYTES };
export { MAX_RESPONSE_BODY_BYTES } from './upstream';
const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

/** Starts a proxy in front of the PSP sandbox; resolves once it listens. */
export async function startPspProxy(options: PspProxyOptions): Promise<RunningPspProxy> {
  const upstreamUrl = new URL(options.upstreamUrl);
  const now = options.now_ms ?? Date.now;
  const store = new JournaledIdempotencyStore({ ...DEFAULT_IDEMPOTENCY_LIMITS, ...options.idempotency }, options.journalFile, now);
  const faultTable = new FaultTable();
  const upstream = new PspUpstream(upstreamUrl, options.upstreamTimeout_ms ?? DEFAULT_UPSTREAM_TIMEOUT_MS);
  const counters = new ProxyCounters();
  const api: ApiContext = { upstream, store, faultTable, counters, emit: options.onEvent ?? (() => undefined) };
  const stats = (): PspProxyStats => counters.snapshot(store.stats());
  const admin: AdminContext = { faultTable, stats };

  const server = createServer((request, response) => dispatch(api, admin, request, response));
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://${host}:${port}`, faults: faultControlOf(faultTable), stats, close: () => closeProxy(server, upstream) };
}

/** Hands one request to the admin API or the PSP API, and answers it when its handling fails. */
function dispatch(api: ApiContext, admin: AdminContext, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://proxy.invalid');
  const handling = isAdminPath(url.pathname) ? handleAdmin(admin, request, response, url) : handleApi(api, request, response, url);
  handling.catch((error: unknown) => answerFailure(api, request, response, url.pathname, error));
}

/** The answer to a failed request, unless the client already has one: 413 for a body over the bound, else 502 (the PSP call failed). */
function answerFailure(api: ApiContext, request: IncomingMessage, response: ServerResponse, path: string, error: unknown): void {
  // A request whose socket is gone has nobody to answer (and no socket to ask).
  if (response.headersSent || (request.socket as Socket | null)?.destroyed !== false) return;
  if (error instanceof BodyTooLarge) return send(response, stripeErrorAnswer(answers.requestTooLarge(MAX_REQUEST_BODY_BYTES)));
  api.counters.count('upstream_failed');
  api.emit({ event: 'upstream_failed', method: request.method ?? 'GET', path, status: 502, detail: (error as Error).message });
  send(response, stripeErrorAnswer(answers.gatewayError(502, `the PSP sandbox failed: ${(error as Error).message}`)));
}

/** Stops the server: no new connections, open ones (clients' and the PSP's) dropped; resolves once closed. */
async function closeProxy(server: Server, upstream: PspUpstream): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  upstream.close();
  await closed;
}
