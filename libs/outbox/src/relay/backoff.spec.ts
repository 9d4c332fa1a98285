import fc from 'fast-check';
import { publishBackoff_ms, PUBLISH_BACKOFF_BASE_MS, PUBLISH_BACKOFF_MAX_MS } from './backoff';

describe('publish backoff', () => {
  it('stays within [base/2, max] for any failure count and jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (failures, random) => {
        const delay_ms = publishBackoff_ms(failures, random);
        return delay_ms >= PUBLISH_BACKOFF_BASE_MS / 2 && delay_ms <= PUBLISH_BACKOFF_MAX_MS;
      }),
    );
  });

  it('never shrinks as failures accumulate (same jitter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (failures, random) => {
        return publishBackoff_ms(failures + 1, random) >= publishBackoff_ms(failures, random);
      }),
    );
  });

  it('doubles per failure until the cap', () => {
    expect([1, 2, 3, 4].map((n) => publishBackoff_ms(n, 1))).toEqual([100, 200, 400, 800]);
    expect(publishBackoff_ms(50, 1)).toBe(PUBLISH_BACKOFF_MAX_MS);
  });
});
