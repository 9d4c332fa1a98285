/**
 * How often a PSP call whose answer could not be recorded is made again, and how long apart.
 * Whatever went wrong (the PSP refused the request as malformed, the adapter threw, the recording
 * transaction failed, the process died mid-call) counts as an attempt: after `maxAttempts` the call
 * is parked for a person and never made again automatically. Each retry carries the call's own key,
 * so a PSP that did the work answers with the first result (docs/decisions/0012, 0022).
 */
export interface CallRetryPolicy {
  /** Attempts in all, the first included; the last failure parks the call. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubled for each one after. */
  readonly baseDelay_ms: number;
  /** No retry waits longer; a request the PSP refused as malformed waits this long (a fix may be deployed meanwhile). */
  readonly maxDelay_ms: number;
}

export const DEFAULT_CALL_RETRY_POLICY: CallRetryPolicy = { maxAttempts: 10, baseDelay_ms: 1_000, maxDelay_ms: 10 * 60_000 };
/** Bounds on the settings: a policy outside them is refused when the service starts. */
export const MAX_CALL_ATTEMPTS_LIMIT = 100;

/** Why an attempt failed: the PSP's refusal of our request, or anything else between the call and its record. */
export type CallFailure = 'invalid_request' | 'not_recorded';

export type NextAttempt = { readonly kind: 'retry'; readonly delay_ms: number } | { readonly kind: 'park' };

/** Throws on a policy no one should run: unbounded, or with delays that do not grow. */
export function checkCallRetryPolicy(policy: CallRetryPolicy): CallRetryPolicy {
  const { maxAttempts, baseDelay_ms, maxDelay_ms } = policy;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_CALL_ATTEMPTS_LIMIT) throw new RangeError(`maxAttempts must be 1..${MAX_CALL_ATTEMPTS_LIMIT}, got ${maxAttempts}`);
  if (!Number.isSafeInteger(baseDelay_ms) || baseDelay_ms < 1) throw new RangeError(`baseDelay_ms must be a positive integer, got ${baseDelay_ms}`);
  if (!Number.isSafeInteger(maxDelay_ms) || maxDelay_ms < baseDelay_ms) throw new RangeError(`maxDelay_ms must be at least baseDelay_ms, got ${maxDelay_ms}`);
  return policy;
}

/**
 * What follows attempt number `attempts` (1-based, the one that just failed): another attempt after
 * a delay, or parking. Pure; the dispatcher stores the answer on the call row.
 */
export function nextAttemptAfter(attempts: number, failure: CallFailure, policy: CallRetryPolicy): NextAttempt {
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new RangeError(`attempt ${attempts} must be a positive integer`);
  if (attempts >= policy.maxAttempts) return { kind: 'park' };
  if (failure === 'invalid_request') return { kind: 'retry', delay_ms: policy.maxDelay_ms };
  // 2^(attempts-1), without overflowing for large attempt numbers.
  const doublings = Math.min(attempts - 1, 40);
  return { kind: 'retry', delay_ms: Math.min(policy.baseDelay_ms * 2 ** doublings, policy.maxDelay_ms) };
}
