import { checked, refusal, type Checked } from '@txn/domain-kernel';

const SECOND_MS = 1_000;
const HOUR_MS = 3_600 * SECOND_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * When a delivery that failed is tried again. Delivery is at least once: a delivery is retried
 * until the receiver answers 2xx or the horizon passes, and is then parked for a person to look at.
 */
export interface RetryPolicy {
  /** The delay before the second attempt (before jitter); it doubles with each attempt after. */
  readonly baseDelay_ms: number;
  /** No delay grows beyond this: an endpoint down for a day is still tried a few times an hour. */
  readonly maxDelay_ms: number;
  /** Counted from the first attempt; no attempt is scheduled after it. */
  readonly horizon_ms: number;
}

/**
 * 30 s, doubling up to 6 h, for 3 days: a blip is retried within a minute, a deploy within the
 * hour, and an outage over a weekend still gets its webhooks on Monday morning (as Stripe does).
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelay_ms: 30 * SECOND_MS, maxDelay_ms: 6 * HOUR_MS, horizon_ms: 3 * DAY_MS };

/** A longer horizon keeps a dead endpoint's backlog for weeks; a person should look before then. */
export const MAX_RETRY_HORIZON_MS = 30 * DAY_MS;

const RETRY_POLICY_FIELDS = ['baseDelay_ms', 'maxDelay_ms', 'horizon_ms'] as const satisfies readonly (keyof RetryPolicy)[];

export type RetryPolicySettings = { readonly [K in keyof RetryPolicy]?: number | string };

function problemsOf(policy: RetryPolicy): string[] {
  const problems: string[] = [];
  for (const name of RETRY_POLICY_FIELDS) {
    const value = policy[name];
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${name}: ${value} is not a positive integer of milliseconds`);
  }
  if (problems.length > 0) return problems;
  if (policy.baseDelay_ms > policy.maxDelay_ms) problems.push(`baseDelay_ms ${policy.baseDelay_ms} is longer than maxDelay_ms ${policy.maxDelay_ms}`);
  if (policy.horizon_ms < policy.baseDelay_ms) problems.push(`horizon_ms ${policy.horizon_ms} is shorter than baseDelay_ms ${policy.baseDelay_ms}: no delivery would ever be retried`);
  if (policy.horizon_ms > MAX_RETRY_HORIZON_MS) problems.push(`horizon_ms ${policy.horizon_ms} is longer than ${MAX_RETRY_HORIZON_MS} (30 days)`);
  return problems;
}

/**
 * A policy from settings (numbers, or the strings an environment holds); an unset value takes the
 * default's. Every problem is named at once, so the service's config loader can report them all.
 */
export function parseRetryPolicy(settings: RetryPolicySettings): Checked<RetryPolicy, 'invalid-retry-policy'> {
  const problems: string[] = [];
  const read = (name: keyof RetryPolicy): number => {
    const value = settings[name];
    if (value === undefined) return DEFAULT_RETRY_POLICY[name];
    if (typeof value === 'number') return value;
    if (/^\s*-?\d+\s*$/.test(value)) return Number(value);
    problems.push(`${name}: ${JSON.stringify(value)} is not an integer of milliseconds`);
    // The default stands in, so the checks between the values still run on the others.
    return DEFAULT_RETRY_POLICY[name];
  };
  const policy: RetryPolicy = { baseDelay_ms: read('baseDelay_ms'), maxDelay_ms: read('maxDelay_ms'), horizon_ms: read('horizon_ms') };
  problems.push(...problemsOf(policy));
  return problems.length === 0 ? checked(policy) : refusal('invalid-retry-policy', problems.join('; '));
}

/** The delay before jitter after `attemptsMade` attempts: base·2^(attempts−1), capped. */
function exponentialDelay_ms(policy: RetryPolicy, attemptsMade: number): number {
  // 2 ** 1100 is Infinity, and the cap takes it: no overflow however many attempts.
  return Math.min(policy.maxDelay_ms, policy.baseDelay_ms * 2 ** (attemptsMade - 1));
}

/** The shortest delay equal jitter gives after `attemptsMade` attempts: half the exponential delay. */
export function minimumDelay_ms(policy: RetryPolicy, attemptsMade: number): number {
  return Math.ceil(exponentialDelay_ms(policy, attemptsMade) / 2);
}

/**
 * The delay before the next attempt, or null when that attempt would come after the horizon (the
 * delivery is then parked). "Equal jitter": uniformly within [exp/2, exp]. Full jitter ([0, exp])
 * spreads retries best but sends some of them at once, so a merchant recovering from an outage
 * gets a burst at zero; the lower half keeps the backoff a backoff, the upper half still
 * spreads the deliveries that failed together. `random01` is passed in: the domain has no randomness.
 */
export function nextAttemptDelay(policy: RetryPolicy, attemptsMade: number, elapsedSinceFirstAttempt_ms: number, random01: number): number | null {
  const problems = problemsOf(policy);
  if (problems.length > 0) throw new RangeError(`invalid retry policy: ${problems.join('; ')}`);
  if (!Number.isSafeInteger(attemptsMade) || attemptsMade < 1) throw new RangeError(`attemptsMade ${attemptsMade} is not a positive integer: the first attempt is made before any retry`);
  if (!Number.isFinite(elapsedSinceFirstAttempt_ms) || elapsedSinceFirstAttempt_ms < 0) throw new RangeError(`elapsed ${elapsedSinceFirstAttempt_ms} ms is not a non-negative duration`);
  if (!(random01 >= 0 && random01 <= 1)) throw new RangeError(`random01 ${random01} is not within [0, 1]`);
  const exponential_ms = exponentialDelay_ms(policy, attemptsMade);
  const minimum_ms = minimumDelay_ms(policy, attemptsMade);
  const delay_ms = Math.round(minimum_ms + random01 * (exponential_ms - minimum_ms));
  return elapsedSinceFirstAttempt_ms + delay_ms > policy.horizon_ms ? null : delay_ms;
}

/**
 * The most attempts a delivery can get (the first included): every delay at its shortest. Any
 * other jitter gives as many or fewer. For the default policy: 33 attempts in 3 days.
 */
export function maxAttempts(policy: RetryPolicy): number {
  const problems = problemsOf(policy);
  if (problems.length > 0) throw new RangeError(`invalid retry policy: ${problems.join('; ')}`);
  let attempts = 1;
  let elapsed_ms = 0;
  // Until the cap is reached (at most 53 doublings of a positive integer), one attempt at a time.
  while (exponentialDelay_ms(policy, attempts) < policy.maxDelay_ms) {
    const delay_ms = minimumDelay_ms(policy, attempts);
    if (elapsed_ms + delay_ms > policy.horizon_ms) return attempts;
    elapsed_ms += delay_ms;
    attempts += 1;
  }
  // From the cap on every shortest delay is the same: the rest of the horizon divided by it.
  return attempts + Math.floor((policy.horizon_ms - elapsed_ms) / minimumDelay_ms(policy, attempts));
}
