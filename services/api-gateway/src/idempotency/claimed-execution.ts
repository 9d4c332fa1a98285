import type { Response } from 'express';
import type { Logger } from 'pino';
import { databaseUnavailableProblem, isDatabaseUnavailable } from '../http/database-unavailable';
import { PROBLEM_CONTENT_TYPE, ProblemException } from '../http/problem';
import { keepsOutcome, REPLAYED_HEADERS } from './idempotency-rules';
import type { IdempotencySettings } from './idempotency.interceptor';
import type { IdempotencyStore, KeyOwner, StoredResponse } from './idempotency-store';
import { runIdempotently } from './idempotent-execution';

export interface ClaimedRequest {
  readonly owner: KeyOwner;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly hash: string;
}

export interface Execution {
  readonly request: ClaimedRequest;
  readonly claimToken: string;
  /** The handler (with the pipes before it): resolves with its return value. */
  readonly run: () => Promise<unknown>;
  readonly response: Response;
  readonly store: IdempotencyStore;
  readonly settings: IdempotencySettings;
  readonly logger: Logger;
}

export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** The stored response, answered again: status, kept headers, the same body text. */
export function replay(record: { responseStatus: number | null; responseHeaders: Readonly<Record<string, string>> | null; responseBody: string | null }, response: Response): unknown {
  response.status(record.responseStatus ?? 500);
  for (const [name, value] of Object.entries(record.responseHeaders ?? {})) response.setHeader(name, value);
  response.setHeader(REPLAYED_HEADER, 'true');
  // A string is sent as it is under the content type set above (Nest's reply would re-encode an object).
  return record.responseBody ?? undefined;
}

function keptHeaders(response: Response): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = response.getHeader(name);
    if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return kept;
}

/**
 * A thrown error as the response the client gets: a database that could not be reached before
 * anything committed is a 503 (the key is released, a retry executes); anything else not a
 * ProblemException is the server's fault (500, recorded, logged here).
 */
function failureOf(error: unknown, execution: Execution, executed: boolean): ProblemException {
  if (error instanceof ProblemException) return error;
  const failure = error instanceof Error ? error : new Error(String(error));
  if (!executed && isDatabaseUnavailable(failure)) {
    execution.logger.warn({ errorClass: failure.name, error: failure.message, route: execution.request.path }, 'idempotent request refused: the database cannot be reached now; the key is released');
    return databaseUnavailableProblem();
  }
  execution.logger.error({ errorClass: failure.name, error: failure.message, route: execution.request.path }, 'idempotent request failed with an internal error: the 500 is recorded under its key');
  return ProblemException.of('internal', 'The request failed on our side. This answer is recorded under its Idempotency-Key and repeated to retries with it; send a new key to try again.');
}

/**
 * Runs the handler under our claim, then records its first response (success or failure). A
 * failure that is not kept (a refused body) gives the key back if nothing was executed. If the
 * record cannot be written, the client still gets its answer; the record stays `executed` and a
 * retry after the lease is answered as an outcome lost, never executed twice.
 */
export async function executeUnderClaim(execution: Execution): Promise<unknown> {
  const { request, claimToken, response, store } = execution;
  const context = { owner: request.owner.owner, key: request.key, claimToken, fenced: false };
  let value: unknown;
  try {
    value = await runIdempotently(context, execution.run);
  } catch (error) {
    const failure = failureOf(error, execution, context.fenced);
    const stored: StoredResponse = { status: failure.problem.status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...lowercase(failure.headers) }, body: JSON.stringify(failure.problem) };
    const released = !keepsOutcome(stored.status) && (await store.release(request.owner, request.key, claimToken).catch(() => false));
    if (!released) await record(execution, stored);
    throw failure;
  }
  const body = value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);
  const headers = keptHeaders(response);
  if (body !== null && headers['content-type'] === undefined) headers['content-type'] = typeof value === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
  await record(execution, { status: response.statusCode, headers, body });
  return value;
}

function lowercase(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

async function record(execution: Execution, stored: StoredResponse): Promise<void> {
  const { request, claimToken, store, settings, logger } = execution;
  try {
    const ours = await store.complete(request.owner, request.key, claimToken, stored, settings.retention_ms);
    if (!ours) logger.warn({ route: request.path }, 'idempotency claim was taken over before its response was recorded');
  } catch (error) {
    logger.error({ errorClass: (error as Error).name, error: (error as Error).message, route: request.path }, 'idempotent response could not be recorded: a retry after the lease is answered as an outcome lost');
  }
}
