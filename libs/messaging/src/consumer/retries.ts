import type { Applied, ApplyBatch, DecodedItem } from './pipeline';
import { backoffDelay_ms, type RetryPolicy } from './retry-policy';
import type { Pause } from './pause';
import { DatabaseUnavailableError } from './transaction';

/** How one message's in-place retries ended. */
export type RetryResult =
  | { readonly kind: 'applied'; readonly applied: Applied }
  /** Every attempt failed: park it with the last error. */
  | { readonly kind: 'exhausted'; readonly attempts: number; readonly firstFailureAt: Date; readonly lastFailureAt: Date; readonly error: unknown }
  /** Stopped or rebalanced while waiting: leave it uncommitted for whoever owns the partition now. */
  | { readonly kind: 'abandoned' };

export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly pause: Pause;
  readonly now: () => Date;
  readonly random: () => number;
  /** Called for each failed attempt (metrics, a log line). */
  readonly onFailure: (item: DecodedItem, error: unknown, attempt: number) => void;
}

/**
 * Retry middleware around a one-message batch: a failure is retried in place (the partition waits,
 * so per-key order holds) with backoff, up to the policy's attempts. A database that cannot even
 * start a transaction is not the message's fault: it is rethrown, never counted toward parking.
 */
export function withRetries(apply: ApplyBatch, options: RetryOptions): (item: DecodedItem) => Promise<RetryResult> {
  return async (item) => {
    let firstFailureAt: Date | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const [applied] = await apply([item]);
        if (applied === undefined) throw new Error(`message ${item.message.eventId} was applied without a result`);
        return { kind: 'applied', applied };
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) throw error;
        const failedAt = options.now();
        firstFailureAt ??= failedAt;
        options.onFailure(item, error, attempt);
        if (attempt >= options.policy.maxAttempts) return { kind: 'exhausted', attempts: attempt, firstFailureAt, lastFailureAt: failedAt, error };
        if (!(await options.pause(backoffDelay_ms(options.policy, attempt, options.random)))) return { kind: 'abandoned' };
      }
    }
  };
}
