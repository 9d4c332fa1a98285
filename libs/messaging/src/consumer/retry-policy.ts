/** How a failing message is retried in place before it is parked on the dead-letter topic. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  /** Cap of the first back-off; doubles per failed attempt up to maxDelay_ms. */
  readonly initialDelay_ms: number;
  readonly maxDelay_ms: number;
}

/**
 * Production defaults. 6 attempts with delays capped at 200, 400, 800, 1600, 3200 ms: a message
 * whose handler keeps failing blocks its partition (in-place retry keeps per-key order) for at
 * most about 6 s plus handler time before it is parked, long enough to ride out a deadlock, a
 * serialization failure or a failover of a dependency, short enough that a poison message does
 * not hold a partition for minutes.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, initialDelay_ms: 200, maxDelay_ms: 5_000 };

/** Upper bound on maxAttempts anyone may configure: in-place retries hold the whole partition. */
export const MAX_RETRY_ATTEMPTS = 20;

/**
 * Delay before the next attempt after `failedAttempts` failures (≥ 1): exponential back-off with
 * full jitter (uniform in [0, cap]), so members retrying at the same moment spread out.
 * `random` returns a number in [0, 1).
 */
export function backoffDelay_ms(policy: RetryPolicy, failedAttempts: number, random: () => number): number {
  const exponent = Math.max(0, Math.min(failedAttempts - 1, 30));
  const cap_ms = Math.min(policy.maxDelay_ms, policy.initialDelay_ms * 2 ** exponent);
  return Math.floor(random() * cap_ms);
}

export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > MAX_RETRY_ATTEMPTS) {
    throw new Error(`retry maxAttempts must be an integer in 1..${MAX_RETRY_ATTEMPTS}, got ${policy.maxAttempts}`);
  }
  if (policy.initialDelay_ms < 0 || policy.maxDelay_ms < policy.initialDelay_ms) {
    throw new Error(`retry delays must satisfy 0 <= initialDelay_ms <= maxDelay_ms, got ${policy.initialDelay_ms} and ${policy.maxDelay_ms}`);
  }
  return policy;
}
