import fc from 'fast-check';
import { backoffDelay_ms, checkRetryPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';

const policies = fc
  .record({ initialDelay_ms: fc.integer({ min: 0, max: 10_000 }), extra_ms: fc.integer({ min: 0, max: 100_000 }), maxAttempts: fc.integer({ min: 1, max: 20 }) })
  .map(({ initialDelay_ms, extra_ms, maxAttempts }): RetryPolicy => ({ initialDelay_ms, maxDelay_ms: initialDelay_ms + extra_ms, maxAttempts }));

describe('retry back-off', () => {
  it('never waits longer than the exponential cap nor the configured maximum', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (policy, failed, r) => {
        const delay = backoffDelay_ms(policy, failed, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.min(policy.maxDelay_ms, policy.initialDelay_ms * 2 ** Math.min(failed - 1, 30)));
      }),
    );
  });

  it('doubles the cap per failed attempt until the maximum (full jitter at r → 1)', () => {
    const almostOne = (): number => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay_ms(DEFAULT_RETRY_POLICY, n, almostOne))).toEqual([199, 399, 799, 1599, 3199, 4999]);
  });

  it('refuses unbounded or nonsensical policies', () => {
    expect(() => checkRetryPolicy({ maxAttempts: 0, initialDelay_ms: 1, maxDelay_ms: 2 })).toThrow(/maxAttempts/);
    expect(() => checkRetryPolicy({ maxAttempts: 1_000, initialDelay_ms: 1, maxDelay_ms: 2 })).toThrow(/maxAttempts/);
    expect(() => checkRetryPolicy({ maxAttempts: 3, initialDelay_ms: 10, maxDelay_ms: 2 })).toThrow(/delays/);
  });
});
