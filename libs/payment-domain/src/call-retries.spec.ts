import fc from 'fast-check';
import { checkCallRetryPolicy, DEFAULT_CALL_RETRY_POLICY, MAX_CALL_ATTEMPTS_LIMIT, nextAttemptAfter, type CallFailure, type CallRetryPolicy } from './call-retries';

const policies: fc.Arbitrary<CallRetryPolicy> = fc
  .record({ maxAttempts: fc.integer({ min: 1, max: MAX_CALL_ATTEMPTS_LIMIT }), baseDelay_ms: fc.integer({ min: 1, max: 60_000 }), extra_ms: fc.integer({ min: 0, max: 3_600_000 }) })
  .map(({ maxAttempts, baseDelay_ms, extra_ms }) => ({ maxAttempts, baseDelay_ms, maxDelay_ms: baseDelay_ms + extra_ms }));
const failures = fc.array(fc.constantFrom<CallFailure>('invalid_request', 'not_recorded'), { minLength: 1, maxLength: 2 * MAX_CALL_ATTEMPTS_LIMIT });

/** Fails a call with `failures`, one per attempt, as the dispatcher would: attempts made, delays waited, whether it was parked. */
function failRepeatedly(policy: CallRetryPolicy, sequence: readonly CallFailure[]): { attempts: number; delays: number[]; parked: boolean } {
  const delays: number[] = [];
  for (let attempt = 1; attempt <= sequence.length; attempt += 1) {
    const next = nextAttemptAfter(attempt, sequence[attempt - 1] ?? 'not_recorded', policy);
    if (next.kind === 'park') return { attempts: attempt, delays, parked: true };
    delays.push(next.delay_ms);
  }
  return { attempts: sequence.length, delays, parked: false };
}

describe('a PSP call that keeps failing', () => {
  it('is made at most maxAttempts times, whatever the failures, and parked by the failure of the last one', () => {
    fc.assert(fc.property(policies, failures, (policy, sequence) => {
      const { attempts, parked } = failRepeatedly(policy, sequence);
      expect(attempts).toBeLessThanOrEqual(policy.maxAttempts);
      expect(parked).toBe(sequence.length >= policy.maxAttempts);
      if (parked) expect(attempts).toBe(policy.maxAttempts);
    }));
  });

  it('waits between attempts, at least the base delay and never more than the cap; a malformed request waits the longest', () => {
    fc.assert(fc.property(policies, failures, (policy, sequence) => {
      const { delays } = failRepeatedly(policy, sequence);
      delays.forEach((delay_ms, index) => {
        expect(delay_ms).toBeGreaterThanOrEqual(policy.baseDelay_ms);
        expect(delay_ms).toBeLessThanOrEqual(policy.maxDelay_ms);
        if (sequence[index] === 'invalid_request') expect(delay_ms).toBe(policy.maxDelay_ms);
      });
    }));
  });

  it('backs off: each retry after a failure to record waits at least as long as the one before', () => {
    fc.assert(fc.property(policies, (policy) => {
      const { delays } = failRepeatedly(policy, Array.from({ length: policy.maxAttempts }, () => 'not_recorded' as const));
      for (let i = 1; i < delays.length; i += 1) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0);
    }));
  });

  it('by default: 1 s, 2 s, 4 s … at most 10 min apart, parked after the 10th attempt; unbounded policies are refused', () => {
    expect([1, 2, 3].map((n) => nextAttemptAfter(n, 'not_recorded', DEFAULT_CALL_RETRY_POLICY))).toEqual([1_000, 2_000, 4_000].map((delay_ms) => ({ kind: 'retry', delay_ms })));
    expect(nextAttemptAfter(9, 'not_recorded', DEFAULT_CALL_RETRY_POLICY)).toEqual({ kind: 'retry', delay_ms: 256_000 });
    expect(nextAttemptAfter(10, 'not_recorded', DEFAULT_CALL_RETRY_POLICY)).toEqual({ kind: 'park' });
    expect(() => checkCallRetryPolicy({ ...DEFAULT_CALL_RETRY_POLICY, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => checkCallRetryPolicy({ ...DEFAULT_CALL_RETRY_POLICY, maxAttempts: MAX_CALL_ATTEMPTS_LIMIT + 1 })).toThrow(/maxAttempts/);
    expect(() => checkCallRetryPolicy({ ...DEFAULT_CALL_RETRY_POLICY, maxDelay_ms: 10 })).toThrow(/maxDelay_ms/);
  });
});
