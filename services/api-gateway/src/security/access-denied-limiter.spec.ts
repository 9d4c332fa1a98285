import { AccessDeniedLimiter } from './access-denied-limiter';

describe('AccessDeniedLimiter', () => {
  it('emits once per source and reason per window, and says how many were suppressed in between', () => {
    const limiter = new AccessDeniedLimiter({ window_ms: 1_000, maxTracked: 100 });
    expect(limiter.admit('10.0.0.1', 'unknown', 0)).toEqual({ emit: true, suppressedBefore: 0 });
    for (let i = 1; i <= 50; i++) expect(limiter.admit('10.0.0.1', 'unknown', i)).toEqual({ emit: false });
    // Another reason or another source is its own pair.
    expect(limiter.admit('10.0.0.1', 'wrong_secret', 10)).toEqual({ emit: true, suppressedBefore: 0 });
    expect(limiter.admit('10.0.0.2', 'unknown', 10)).toEqual({ emit: true, suppressedBefore: 0 });
    expect(limiter.admit('10.0.0.1', 'unknown', 999)).toEqual({ emit: false });
    expect(limiter.admit('10.0.0.1', 'unknown', 1_000)).toEqual({ emit: true, suppressedBefore: 51 });
    expect(limiter.admit('10.0.0.1', 'unknown', 1_001)).toEqual({ emit: false });
  });

  it('tracks a bounded number of pairs: a flood from many sources forgets the oldest, never grows without end', () => {
    const limiter = new AccessDeniedLimiter({ window_ms: 60_000, maxTracked: 3 });
    for (const source of ['a', 'b', 'c', 'd']) expect(limiter.admit(source, 'unknown', 0).emit).toBe(true);
    expect(limiter.tracked).toBe(3);
    // 'a' was forgotten: it emits again (the safe side); 'd' is still within its window.
    expect(limiter.admit('a', 'unknown', 1).emit).toBe(true);
    expect(limiter.admit('d', 'unknown', 1).emit).toBe(false);
    expect(limiter.tracked).toBe(3);
  });
});
