import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerBeforeWork, answerDuringWork, deliver } from './fault-effects';
import type { ActiveFault, FaultTable } from './faults';
import { MAX_REQUEST_BODY_BYTES, readBody, send, stripeErrorAnswer, type Answer } from './http-messages';
import type { StoredResponse } from './idempotency-store';
import type { JournaledIdempotencyStore } from './journaled-store';
import type { ProxyEvent } from './proxy-types';
import type { ProxyCounters } from './proxy-stats';
import { requestFingerprint, type RequestFingerprint } from './request-fingerprint';
import * as answers from './stripe-errors';
import type { PspUpstream } from './upstream';

/** Statuses Stripe does not store: the endpoint never began (validation, auth, conflict, rate limit). */
const NOT_STORED_STATUSES = new Set([400, 401, 403, 409, 429]);

/** What handling requests to the PSP API works with. */
export interface ApiContext {
  readonly upstream: PspUpstream;
  readonly store: JournaledIdempotencyStore;
  readonly faultTable: FaultTable;
  readonly counters: ProxyCounters;
  readonly emit: (event: ProxyEvent) => void;
}

/** One API request with its body read; `method` is upper case. */
interface ApiCall {
  readonly request: IncomingMessage;
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly target: string;
  readonly body: Buffer;
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

/** Answers one request to the PSP API: its fault if any, Stripe's idempotency rules, then the PSP. */
export async function handleApi(context: ApiContext, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  context.counters.count('requests_seen');
  const method = (request.method ?? 'GET').toUpperCase();
  const target = `${url.pathname}${url.search}`;
  const body = await readBody(request, MAX_REQUEST_BODY_BYTES);
  const call: ApiCall = { request, method, path: url.pathname, search: url.search, target, body };
  const fault = takeFault(context, call);
  const refused = answerBeforeWork(fault);
  if (refused !== undefined) return send(response, refused);
  deliver(request, response, await answerFor(context, call, fault), fault);
}

/** The fault for this request, if any, counted and reported. */
function takeFault(context: ApiContext, call: ApiCall): ActiveFault | undefined {
  const { method, path } = call;
  const fault = context.faultTable.take({ method, path, api_key: apiKeyOf(call.request.headers.authorization) });
  if (fault !== undefined) {
    context.counters.countFault(fault.kind);
    context.emit({ event: 'fault_injected', method, path, fault: fault.kind, detail: fault.id });
  }
  return fault;
}

/** The answer to a request the fault let through, with or without an idempotency key. */
async function answerFor(context: ApiContext, call: ApiCall, fault: ActiveFault | undefined): Promise<Answer> {
  const headerKey = call.request.headers['idempotency-key'];
  // Stripe honours keys on POST only (GET and DELETE are idempotent by definition).
  const key = call.method === 'POST' && typeof headerKey === 'string' && headerKey !== '' ? headerKey : undefined;
  if (key === undefined) return execute(context, call, fault);
  if (key.length > answers.MAX_IDEMPOTENCY_KEY_LENGTH) return stripeErrorAnswer(answers.keyTooLong());
  return answerWithKey(context, call, key, fault);
}

/** Stripe's idempotency rules for a keyed request: run it once, replay its answer, or refuse the key. */
async function answerWithKey(context: ApiContext, call: ApiCall, key: string, fault: ActiveFault | undefined): Promise<Answer> {
  const { method, path } = call;
  const scopeKey = `${createHash('sha256').update(call.request.headers.authorization ?? '').digest('hex')}:${key}`;
  const fingerprint = requestFingerprint(method, path, call.search, call.request.headers['content-type'], call.body);
  const begun = context.store.begin(scopeKey, fingerprint);
  switch (begun.kind) {
    case 'in_progress':
      context.counters.count('key_in_use');
      context.emit({ event: 'key_in_use', method, path, idempotency_key: key, status: 409 });
      return stripeErrorAnswer(answers.keyInUse(key), { 'idempotency-key': key });
    case 'mismatch': {
      context.counters.count('key_mismatch');
      context.emit({ event: 'key_mismatch', method, path, idempotency_key: key, status: 400, detail: begun.what });
      const error = begun.what === 'endpoint' ? answers.endpointMismatch(key, begun.original.path, path) : answers.parametersMismatch(key);
      return stripeErrorAnswer(error, { 'idempotency-key': key });
    }
    case 'replay':
      context.counters.count('replayed');
      context.emit({ event: 'replayed', method, path, idempotency_key: key, status: begun.response.status });
      return replayOf(begun.response, key);
    case 'proceed':
      return executeOnce(context, call, { key, scopeKey, fingerprint }, fault);
  }
}

/** The stored answer as a retry gets it, marked replayed. */
function replayOf(stored: StoredResponse, key: string): Answer {
  return {
    status: stored.status,
    headers: { 'content-type': stored.content_type, 'idempotency-key': key, 'idempotent-replayed': 'true' },
    body: Buffer.from(stored.body, 'utf8'),
  };
}

/** Runs a request that holds its key, then stores the answer or releases the key (also when the work fails). */
async function executeOnce(
  context: ApiContext,
  call: ApiCall,
  claim: { readonly key: string; readonly scopeKey: string; readonly fingerprint: RequestFingerprint },
  fault: ActiveFault | undefined,
): Promise<Answer> {
  try {
    const executed = await execute(context, call, fault);
    if (NOT_STORED_STATUSES.has(executed.status)) context.store.abandon(claim.scopeKey);
    else context.store.remember(claim.scopeKey, claim.fingerprint, executed);
    return { ...executed, headers: { ...executed.headers, 'idempotency-key': claim.key } };
  } catch (error) {
    context.store.abandon(claim.scopeKey);
    throw error;
  }
}

/** The PSP's work for one request: what the fault makes of it, or the real call. */
async function execute(context: ApiContext, call: ApiCall, fault: ActiveFault | undefined): Promise<Answer> {
  const synthetic = await answerDuringWork(fault);
  if (synthetic !== undefined) return synthetic;
  context.counters.countForward(call.request.method ?? 'GET', new URL(call.target, context.upstream.url).pathname);
  return context.upstream.forward(call.request, call.target, call.body);
}
