import { ProblemException } from './problem';

/**
 * The database could not be reached in time: the pool found no connection within its timeout, a
 * new connection did not open in time, or PostgreSQL refused it (starting up, out of connections).
 * Nothing was done, and trying again shortly is the right move: a 503 with Retry-After, not a 500
 * that would read as a bug (RFC 9110 §15.6.4).
 */
const UNREACHABLE_MESSAGES = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout'];
/** cannot_connect_now (starting up, shutting down), too_many_connections. */
const UNREACHABLE_SQLSTATES = new Set(['57P03', '53300']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);

export const DATABASE_RETRY_AFTER_SECONDS = 1;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, driverError } = error as Error & { code?: unknown; driverError?: unknown };
  const codes = [code, (driverError as { code?: unknown } | undefined)?.code].filter((value): value is string => typeof value === 'string');
  return UNREACHABLE_MESSAGES.some((message) => error.message.includes(message)) || codes.some((value) => UNREACHABLE_SQLSTATES.has(value) || UNREACHABLE_CODES.has(value));
}

/** The answer to a request that could not reach the database before doing anything. */
export function databaseUnavailableProblem(): ProblemException {
  return new ProblemException(
    ProblemException.of('unavailable', 'The service cannot reach its database right now; nothing was done. Retry shortly (with the same Idempotency-Key).').problem,
    { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  );
}
