import fc from 'fast-check';
import { DEFAULT_RETRY_POLICY, maxAttempts, minimumDelay_ms, nextAttemptDelay, parseRetryPolicy, type RetryPolicy } from './retry-policy';

const SECOND_MS = 1_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Any valid policy: base ≤ cap, base ≤ horizon ≤ 30 days. */
const policy: fc.Arbitrary<RetryPolicy> = fc
  .tuple(fc.integer({ min: 1, max: HOUR_MS }), fc.integer({ min: 1, max: 12 * HOUR_MS }), fc.integer({ min: 1, max: 30 * DAY_MS }))
  .map(([base, cap, horizon]) => ({ baseDelay_ms: base, maxDelay_ms: Math.max(base, cap), horizon_ms: Math.max(base, horizon) }));
const random01 = fc.double({ min: 0, max: 1, noNaN: true });

/** Every delay a delivery gets, attempt after attempt, until the policy gives up. */
function schedule(retry: RetryPolicy, randoms: readonly number[]): number[] {
  const delays: number[] = [];
  let elapsed_ms = 0;
  for (let attemptsMade = 1; ; attemptsMade += 1) {
    const delay_ms = nextAttemptDelay(retry, attemptsMade, elapsed_ms, randoms[attemptsMade % randoms.length] ?? 0);
    if (delay_ms === null) return delays;
    delays.push(delay_ms);
    elapsed_ms += delay_ms;
  }
}

describe('the retry schedule', () => {
  it('waits 15–30 s after the first failure by default, then doubles, and never more than 6 h', () => {
    expect(nextAttemptDelay(DEFAULT_RETRY_POLICY, 1, 0, 0)).toBe(15 * SECOND_MS);
    expect(nextAttemptDelay(DEFAULT_RETRY_POLICY, 1, 0, 1)).toBe(30 * SECOND_MS);
    expect(nextAttemptDelay(DEFAULT_RETRY_POLICY, 2, 0, 1)).toBe(60 * SECOND_MS);
    expect(nextAttemptDelay(DEFAULT_RETRY_POLICY, 30, 0, 1)).toBe(6 * HOUR_MS);
    expect(nextAttemptDelay(DEFAULT_RETRY_POLICY, 30, 0, 0)).toBe(3 * HOUR_MS);
    expect(nextAttemptDelay(DEFAULT_RETRY_POLICY, 5_000, 0, 0.5)).toBe(4.5 * HOUR_MS);
  });

  it('gives up (null) when the next attempt would come after the 3-day horizon', () => {
    expect(nextAttemptDelay(DEFAULT_RETRY_POLICY, 20, 3 * DAY_MS - 3 * HOUR_MS, 0)).toBe(3 * HOUR_MS);
    expect(nextAttemptDelay(DEFAULT_RETRY_POLICY, 20, 3 * DAY_MS - 3 * HOUR_MS, 1)).toBeNull();
    expect(nextAttemptDelay(DEFAULT_RETRY_POLICY, 1, 4 * DAY_MS, 0)).toBeNull();
  });

  it('makes at most 33 attempts in 3 days by default, and fewer when the jitter is larger', () => {
    expect(maxAttempts(DEFAULT_RETRY_POLICY)).toBe(33);
    expect(schedule(DEFAULT_RETRY_POLICY, [0])).toHaveLength(32);
    expect(schedule(DEFAULT_RETRY_POLICY, [1]).length).toBeLessThan(32);
  });

  it('refuses inputs that can only be a bug', () => {
    expect(() => nextAttemptDelay(DEFAULT_RETRY_POLICY, 0, 0, 0.5)).toThrow(RangeError);
    expect(() => nextAttemptDelay(DEFAULT_RETRY_POLICY, 1.5, 0, 0.5)).toThrow(RangeError);
    expect(() => nextAttemptDelay(DEFAULT_RETRY_POLICY, 1, -1, 0.5)).toThrow(RangeError);
    expect(() => nextAttemptDelay(DEFAULT_RETRY_POLICY, 1, 0, 1.5)).toThrow(RangeError);
    expect(() => nextAttemptDelay(DEFAULT_RETRY_POLICY, 1, 0, Number.NaN)).toThrow(RangeError);
    expect(() => nextAttemptDelay({ ...DEFAULT_RETRY_POLICY, baseDelay_ms: 0 }, 1, 0, 0.5)).toThrow(RangeError);
  });

  it('keeps every delay within [exp/2, exp] of its attempt, exp = min(cap, base·2^(attempts−1))', () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 2_000 }), random01, (retry, attemptsMade, random) => {
        const delay_ms = nextAttemptDelay(retry, attemptsMade, 0, random);
        const exponential_ms = Math.min(retry.maxDelay_ms, retry.baseDelay_ms * 2 ** (attemptsMade - 1));
        if (delay_ms === null) return;
        expect(Number.isSafeInteger(delay_ms)).toBe(true);
        expect(delay_ms).toBeGreaterThanOrEqual(exponential_ms / 2);
        expect(delay_ms).toBeLessThanOrEqual(exponential_ms);
      }),
    );
  });

  it('never schedules an attempt beyond the horizon', () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 200 }), fc.nat({ max: 31 * DAY_MS }), random01, (retry, attemptsMade, elapsed_ms, random) => {
        const delay_ms = nextAttemptDelay(retry, attemptsMade, elapsed_ms, random);
        if (delay_ms !== null) expect(elapsed_ms + delay_ms).toBeLessThanOrEqual(retry.horizon_ms);
      }),
    );
  });

  it('never lowers the shortest delay as attempts add up, so retries never bunch towards zero', () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 2_000 }), (retry, attemptsMade) => {
        expect(minimumDelay_ms(retry, attemptsMade + 1)).toBeGreaterThanOrEqual(minimumDelay_ms(retry, attemptsMade));
        expect(minimumDelay_ms(retry, attemptsMade)).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('gives up after a finite number of attempts, at most maxAttempts, for any sequence of random numbers', () => {
    fc.assert(
      fc.property(policy, fc.array(random01, { minLength: 1, maxLength: 50 }), (retry, randoms) => {
        fc.pre(maxAttempts(retry) <= 10_000);
        const delays = schedule(retry, randoms);
        expect(delays.length + 1).toBeLessThanOrEqual(maxAttempts(retry));
        expect(delays.reduce((sum, delay) => sum + delay, 0)).toBeLessThanOrEqual(retry.horizon_ms);
      }),
    );
  });
});

describe('parseRetryPolicy', () => {
  it('takes the default for every unset value, and numbers or the strings an environment holds', () => {
    expect(parseRetryPolicy({})).toEqual({ outcome: 'applied', value: DEFAULT_RETRY_POLICY });
    expect(parseRetryPolicy({ baseDelay_ms: '1000', maxDelay_ms: 60_000, horizon_ms: ' 3600000 ' })).toEqual({
      outcome: 'applied',
      value: { baseDelay_ms: 1_000, maxDelay_ms: 60_000, horizon_ms: HOUR_MS },
    });
  });

  it.each([
    ['a zero base delay', { baseDelay_ms: 0 }, 'baseDelay_ms: 0 is not a positive integer of milliseconds'],
    ['a negative cap', { maxDelay_ms: '-5' }, 'maxDelay_ms: -5 is not a positive integer of milliseconds'],
    ['a fraction', { horizon_ms: 1.5 }, 'horizon_ms: 1.5 is not a positive integer of milliseconds'],
    ['words', { baseDelay_ms: '30s' }, 'baseDelay_ms: "30s" is not an integer of milliseconds'],
    ['a base longer than the cap', { baseDelay_ms: 60_000, maxDelay_ms: 30_000 }, 'baseDelay_ms 60000 is longer than maxDelay_ms 30000'],
    ['a horizon shorter than the base', { baseDelay_ms: 60_000, horizon_ms: 30_000 }, 'horizon_ms 30000 is shorter than baseDelay_ms 60000'],
    ['a horizon beyond 30 days', { horizon_ms: 31 * DAY_MS }, `horizon_ms ${31 * DAY_MS} is longer than ${30 * DAY_MS} (30 days)`],
  ])('refuses %s, saying why', (_what, settings, problem) => {
    const parsed = parseRetryPolicy(settings);
    expect(parsed).toMatchObject({ outcome: 'refused', refused: 'invalid-retry-policy' });
    expect(parsed.outcome === 'refused' && parsed.detail).toContain(problem);
  });

  it('names every problem at once', () => {
    const parsed = parseRetryPolicy({ baseDelay_ms: 0, maxDelay_ms: -1 });
    expect(parsed.outcome === 'refused' && parsed.detail.split('; ')).toHaveLength(2);
  });
});
