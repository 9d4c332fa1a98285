import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultTable, parseFaultSpec, type ActiveFault, type FaultKind, type FaultRuleView, type FaultSpec } from './faults';
import { DEFAULT_IDEMPOTENCY_LIMITS, IdempotencyStore, type IdempotencyLimits, type IdempotencyStoreStats, type StoredResponse } from './idempotency-store';
import { requestFingerprint } from './request-fingerprint';
import { ResponseJournal } from './response-journal';
import * as answers from './stripe-errors';

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

export interface ProxyEvent {
  readonly event: 'fault_injected' | 'replayed' | 'key_in_use' | 'key_mismatch' | 'upstream_failed' | 'forwarded';
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly idempotency_key?: string;
  readonly fault?: FaultKind;
  readonly detail?: string;
}

export interface PspProxyStats extends IdempotencyStoreStats {
  /** Every API request (not the admin API). */
  readonly requests_seen: number;
  /** Requests that reached the PSP. */
  readonly forwarded: number;
  /** `METHOD /path` with object ids replaced by `{id}` → forwarded count. */
  readonly forwarded_by_route: Readonly<Record<string, number>>;
  readonly replayed: number;
  readonly key_in_use: number;
  readonly key_mismatch: number;
  readonly upstream_failed: number;
  readonly faults_injected: Readonly<Record<FaultKind, number>>;
}

export interface FaultControl {
  /** Adds a rule; throws with the reason when the rule is invalid. Returns its id. */
  inject(spec: FaultSpec): string;
  remove(id: string): boolean;
  clear(): void;
  list(): FaultRuleView[];
}

export interface RunningPspProxy {
  readonly port: number;
  readonly url: string;
  readonly faults: FaultControl;
  stats(): PspProxyStats;
  close(): Promise<void>;
}

/** Bounds, named. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
export const MAX_RESPONSE_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
/** Connections kept open to localstripe; more concurrent calls queue in the agent. */
const UPSTREAM_MAX_SOCKETS = 32;
const MAX_ROUTES_COUNTED = 200;
const JOURNAL_MIN_LINES_BEFORE_COMPACTION = 10_000;
/** Statuses Stripe does not store: the endpoint never began (validation, auth, conflict, rate limit). */
const NOT_STORED_STATUSES = new Set([400, 401, 403, 409, 429]);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

class BodyTooLarge extends Error {}

async function readBody(stream: IncomingMessage, limit_bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit_bytes) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** `Bearer sk_…` or Basic `sk_…:`, as the SDK and curl send it. */
export function apiKeyOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const [scheme, credentials] = authorization.split(' ', 2);
  if (credentials === undefined) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return credentials;
  if (scheme?.toLowerCase() === 'basic') return Buffer.from(credentials, 'base64').toString('utf8').split(':', 1)[0];
  return undefined;
}

export function routeOf(method: string, path: string): string {
  // Stripe ids are `<prefix>_<random>` (pi_3Nx…, cus_Q7…) with a digit or capital in the random
  // part; resource names (payment_intents) are lower case only.
  return `${method} ${path.replace(/\/[a-z]+_(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]+(?=\/|$)/g, '/{id}')}`;
}

function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(body)) };
}

function send(response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  response.end(answer.body);
}

function forwardableHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export async function startPspProxy(options: PspProxyOptions): Promise<RunningPspProxy> {
  const upstream = new URL(options.upstreamUrl);
  const now = options.now_ms ?? Date.now;
  const upstreamTimeout_ms = options.upstreamTimeout_ms ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const emit = options.onEvent ?? (() => undefined);
  const store = new IdempotencyStore({ ...DEFAULT_IDEMPOTENCY_LIMITS, ...options.idempotency });
  const journal = options.journalFile === undefined ? undefined : new ResponseJournal(options.journalFile);
  if (journal !== undefined) {
    store.restore(journal.load(), now());
    journal.compact(store.entries());
  }
  const faultTable = new FaultTable();
  const agent = new Agent({ keepAlive: true, maxSockets: UPSTREAM_MAX_SOCKETS });
  const counters = {
    requests_seen: 0,
    forwarded: 0,
    replayed: 0,
    key_in_use: 0,
    key_mismatch: 0,
    upstream_failed: 0,
    faults_injected: { timeout_after_work: 0, error_before_work: 0, delay: 0, card_declined: 0 } as Record<FaultKind, number>,
  };
  const forwardedByRoute = new Map<string, number>();

  const faults: FaultControl = {
    inject(spec) {
      const parsed = parseFaultSpec(spec);
      if (!parsed.ok) throw new Error(`invalid fault: ${parsed.error}`);
      return faultTable.add(parsed.spec);
    },
    remove: (id) => faultTable.remove(id),
    clear: () => faultTable.clear(),
    list: () => faultTable.list(),
  };

  function stats(): PspProxyStats {
    return { ...counters, faults_injected: { ...counters.faults_injected }, forwarded_by_route: Object.fromEntries(forwardedByRoute), ...store.stats() };
  }

  function countRoute(method: string, path: string): void {
    const route = routeOf(method, path);
    const count = forwardedByRoute.get(route);
    if (count !== undefined) forwardedByRoute.set(route, count + 1);
    else if (forwardedByRoute.size < MAX_ROUTES_COUNTED) forwardedByRoute.set(route, 1);
  }

  async function forward(request: IncomingMessage, target: string, body: Buffer): Promise<Answer> {
    counters.forwarded += 1;
    countRoute(request.method ?? 'GET', new URL(target, upstream).pathname);
    const upstreamRequest = httpRequest(new URL(target, upstream), {
      method: request.method,
      agent,
      headers: { ...forwardableHeaders(request.headers), host: upstream.host, 'content-length': String(body.length) },
      signal: AbortSignal.timeout(upstreamTimeout_ms),
    });
    upstreamRequest.end(body);
    const [upstreamResponse] = (await once(upstreamRequest, 'response')) as [IncomingMessage];
    const responseBody = await readBody(upstreamResponse, MAX_RESPONSE_BODY_BYTES);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(upstreamResponse.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: upstreamResponse.statusCode ?? 502, headers, body: responseBody };
  }

  /**
   * The PSP's work for one request: a synthetic decline, or the real call. A delay is a slow PSP:
   * it runs while the idempotency key is held, so retries meanwhile see the key in use.
   */
  async function execute(request: IncomingMessage, target: string, body: Buffer, fault: ActiveFault | undefined): Promise<Answer> {
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.delay_ms));
    if (fault?.kind === 'card_declined') {
      const declined = answers.cardDeclined();
      return jsonAnswer(declined.status, declined.body);
    }
    return forward(request, target, body);
  }

  function remember(scopeKey: string, fingerprint: StoredResponse['fingerprint'], answer: Answer): void {
    const stored: StoredResponse = {
      scope_key: scopeKey,
      fingerprint,
      status: answer.status,
      content_type: answer.headers['content-type'] ?? 'application/json',
      body: answer.body.toString('utf8'),
      stored_at_ms: now(),
    };
    // Journal first: once the client can see the answer, a restart must still replay it.
    journal?.append(stored);
    store.complete(stored, stored.stored_at_ms);
    if (journal?.needsCompaction(store.stats().stored_responses, JOURNAL_MIN_LINES_BEFORE_COMPACTION)) journal.compact(store.entries());
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    counters.requests_seen += 1;
    const method = (request.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const target = `${url.pathname}${url.search}`;
    const body = await readBody(request, MAX_REQUEST_BODY_BYTES);
    const authorization = request.headers.authorization;
    const fault = faultTable.take({ method, path, api_key: apiKeyOf(authorization) });
    if (fault !== undefined) {
      counters.faults_injected[fault.kind] += 1;
      emit({ event: 'fault_injected', method, path, fault: fault.kind, detail: fault.id });
    }
    if (fault?.kind === 'error_before_work') {
      const error = answers.gatewayError(fault.status, 'the PSP could not be reached');
      return send(response, jsonAnswer(error.status, error.body));
    }

    const headerKey = request.headers['idempotency-key'];
    // Stripe honours keys on POST only (GET and DELETE are idempotent by definition).
    const key = method === 'POST' && typeof headerKey === 'string' && headerKey !== '' ? headerKey : undefined;
    let answer: Answer;
    if (key === undefined) {
      answer = await execute(request, target, body, fault);
    } else if (key.length > answers.MAX_IDEMPOTENCY_KEY_LENGTH) {
      const error = answers.keyTooLong();
      answer = jsonAnswer(error.status, error.body);
    } else {
      const scopeKey = `${createHash('sha256').update(authorization ?? '').digest('hex')}:${key}`;
      const fingerprint = requestFingerprint(method, path, url.search, request.headers['content-type'], body);
      const begun = store.begin(scopeKey, fingerprint, now());
      if (begun.kind === 'in_progress') {
        counters.key_in_use += 1;
        emit({ event: 'key_in_use', method, path, idempotency_key: key, status: 409 });
        const error = answers.keyInUse(key);
        answer = jsonAnswer(error.status, error.body, { 'idempotency-key': key });
      } else if (begun.kind === 'mismatch') {
        counters.key_mismatch += 1;
        emit({ event: 'key_mismatch', method, path, idempotency_key: key, status: 400, detail: begun.what });
        const error = begun.what === 'endpoint' ? answers.endpointMismatch(key, begun.original.path, path) : answers.parametersMismatch(key);
        answer = jsonAnswer(error.status, error.body, { 'idempotency-key': key });
      } else if (begun.kind === 'replay') {
        counters.replayed += 1;
        emit({ event: 'replayed', method, path, idempotency_key: key, status: begun.response.status });
        answer = {
          status: begun.response.status,
          headers: { 'content-type': begun.response.content_type, 'idempotency-key': key, 'idempotent-replayed': 'true' },
          body: Buffer.from(begun.response.body, 'utf8'),
        };
      } else {
        try {
          const executed = await execute(request, target, body, fault);
          if (NOT_STORED_STATUSES.has(executed.status)) store.abandon(scopeKey);
          else remember(scopeKey, fingerprint, executed);
          answer = { ...executed, headers: { ...executed.headers, 'idempotency-key': key } };
        } catch (error) {
          store.abandon(scopeKey);
          throw error;
        }
      }
    }

    if (fault?.kind === 'timeout_after_work') {
      // The work is done and its answer stored; only this client never sees it.
      if (fault.drop_connection) {
        request.socket.destroy();
        return;
      }
      const error = answers.gatewayError(fault.status, 'the PSP did not answer in time');
      return send(response, jsonAnswer(error.status, error.body));
    }
    send(response, answer);
  }

  async function handleAdmin(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    if (url.pathname === '/_stats' && method === 'GET') return send(response, jsonAnswer(200, stats()));
    if (url.pathname === '/_faults' && method === 'GET') return send(response, jsonAnswer(200, { faults: faults.list() }));
    if (url.pathname === '/_faults' && method === 'DELETE') {
      faults.clear();
      return send(response, { status: 204, headers: {}, body: Buffer.alloc(0) });
    }
    if (url.pathname === '/_faults' && method === 'POST') {
      let input: unknown;
      try {
        input = JSON.parse((await readBody(request, MAX_REQUEST_BODY_BYTES)).toString('utf8'));
      } catch {
        return send(response, jsonAnswer(400, { error: 'body must be a JSON fault or { "faults": [...] }' }));
      }
      const list = typeof input === 'object' && input !== null && Array.isArray((input as { faults?: unknown }).faults) ? (input as { faults: unknown[] }).faults : [input];
      const parsed = list.map(parseFaultSpec);
      const invalid = parsed.find((result) => !result.ok);
      if (invalid !== undefined && !invalid.ok) return send(response, jsonAnswer(400, { error: invalid.error }));
      try {
        const ids = parsed.map((result) => (result.ok ? faultTable.add(result.spec) : ''));
        return send(response, jsonAnswer(201, { ids }));
      } catch (error) {
        return send(response, jsonAnswer(400, { error: (error as Error).message }));
      }
    }
    const one = /^\/_faults\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    if (one?.[1] !== undefined && method === 'DELETE') {
      return send(response, faults.remove(one[1]) ? { status: 204, headers: {}, body: Buffer.alloc(0) } : jsonAnswer(404, { error: `no fault ${one[1]}` }));
    }
    send(response, jsonAnswer(404, { error: `no admin route ${method} ${url.pathname}` }));
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://proxy.invalid');
    const handler = url.pathname === '/_stats' || url.pathname.startsWith('/_faults') ? handleAdmin : handleApi;
    handler(request, response, url).catch((error: unknown) => {
      if (response.headersSent || request.socket.destroyed) return;
      if (error instanceof BodyTooLarge) {
        const tooLarge = answers.requestTooLarge(MAX_REQUEST_BODY_BYTES);
        return send(response, jsonAnswer(tooLarge.status, tooLarge.body));
      }
      counters.upstream_failed += 1;
      emit({ event: 'upstream_failed', method: request.method ?? 'GET', path: url.pathname, status: 502, detail: (error as Error).message });
      const failed = answers.gatewayError(502, `the PSP sandbox failed: ${(error as Error).message}`);
      send(response, jsonAnswer(failed.status, failed.body));
    });
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    faults,
    stats,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
