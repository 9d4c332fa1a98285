import { windowOf } from './key-rate-limiter';

describe('key rate-limit windows', () => {
  it('puts a moment in its fixed window and says how long until the next one, never less than a second', () => {
    const base = Date.UTC(2030, 0, 1, 10, 0, 0);
    expect(windowOf(base, 60)).toEqual({ start: new Date(base), retryAfter_s: 60 });
    expect(windowOf(base + 59_001, 60)).toEqual({ start: new Date(base), retryAfter_s: 1 });
    expect(windowOf(base + 59_999, 60)).toEqual({ start: new Date(base), retryAfter_s: 1 });
    expect(windowOf(base + 60_000, 60)).toEqual({ start: new Date(base + 60_000), retryAfter_s: 60 });
    expect(windowOf(base + 1_500, 1)).toEqual({ start: new Date(base + 1_000), retryAfter_s: 1 });
  });
});
