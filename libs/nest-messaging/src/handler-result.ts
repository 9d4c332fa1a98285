import { isObservable, lastValueFrom } from 'rxjs';
import type { HandlerOutcome } from '@txn/messaging';

const OUTCOMES: readonly HandlerOutcome[] = ['applied', 'stale', 'rejected'];

/** The handler answered something other than an outcome (or nothing). A bug: retried, then parked. */
export class InvalidHandlerResultError extends Error {
  constructor(eventType: string, result: string) {
    super(`the @EventPattern('${eventType}') handler returned ${result}; expected one of ${OUTCOMES.join(', ')}`);
    this.name = 'InvalidHandlerResultError';
  }
}

/** A handler that did not finish within its time limit. */
export class HandlerTimeoutError extends Error {
  constructor(eventType: string, timeout_ms: number) {
    super(`the @EventPattern('${eventType}') handler did not finish within ${timeout_ms} ms`);
    this.name = 'HandlerTimeoutError';
  }
}

/** A failure Nest reported without the original error (e.g. a guard refused, or no InboxErrorInterceptor). */
export class NestHandlerError extends Error {
  constructor(eventType: string, reported: unknown) {
    super(`the @EventPattern('${eventType}') handler failed; Nest reported ${describe(reported)}`);
    this.name = 'NestHandlerError';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? typeof value;
  } catch {
    // Cycles, bigints: the type is enough to say what was wrong.
    return typeof value;
  }
}

/**
 * What a Nest handler produced, as a value: a Promise is awaited, an Observable (handlers with
 * interceptors always return one) is run to completion and its last value taken.
 */
export async function settleHandlerResult(result: unknown): Promise<unknown> {
  const awaited: unknown = await result;
  if (!isObservable(awaited)) return awaited;
  return lastValueFrom(awaited, { defaultValue: undefined });
}

export function toOutcome(eventType: string, value: unknown): HandlerOutcome {
  if (typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value)) return value as HandlerOutcome;
  throw new InvalidHandlerResultError(eventType, describe(value));
}

/** `work`, or HandlerTimeoutError after `timeout_ms`; the timer never outlives the race. */
export async function withinTimeout<T>(work: Promise<T>, timeout_ms: number, eventType: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new HandlerTimeoutError(eventType, timeout_ms)), timeout_ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
