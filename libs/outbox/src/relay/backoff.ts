/** First retry delay after a failed publish. */
export const PUBLISH_BACKOFF_BASE_MS = 100;
/** Ceiling: a relay whose Kafka is down retries at least this often, so recovery is prompt. */
export const PUBLISH_BACKOFF_MAX_MS = 30_000;

export interface BackoffBounds {
  readonly base_ms: number;
  readonly max_ms: number;
}

/**
 * Delay before the next attempt after `failures` consecutive failed publishes (≥ 1): exponential,
 * capped, with "equal jitter" — half fixed, half random — so relays of many services that lost
 * Kafka together do not retry in lock-step, yet none retries sooner than half the step.
 * `random` is in [0, 1) (Math.random in production, fixed in tests).
 */
export function publishBackoff_ms(failures: number, random: number, bounds: BackoffBounds = { base_ms: PUBLISH_BACKOFF_BASE_MS, max_ms: PUBLISH_BACKOFF_MAX_MS }): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const step_ms = Math.min(bounds.max_ms, bounds.base_ms * 2 ** exponent);
  const unit = Math.min(Math.max(random, 0), 1);
  return Math.round(step_ms / 2 + (step_ms / 2) * unit);
}
