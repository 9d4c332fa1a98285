import fc from 'fast-check';
import { pendingOf } from './dead-letters';

describe('a dead-letter queue’s pending messages (what dlq list prints and the alert counts)', () => {
  it('are those from the replayed-up-to mark to the end: none once replay or ack moved the mark there', () => {
    expect(pendingOf({ low: 0n, high: 3n, replayedUpTo: 0n })).toBe(3n);
    expect(pendingOf({ low: 0n, high: 3n, replayedUpTo: 2n })).toBe(1n);
    expect(pendingOf({ low: 0n, high: 3n, replayedUpTo: 3n })).toBe(0n);
  });

  it('property: never negative, never more than what is kept', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 0n, max: 2n * 10n ** 9n }), (a, b, mark) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const pending = pendingOf({ low, high, replayedUpTo: mark < low ? low : mark });
        return pending >= 0n && pending <= high - low;
      }),
    );
  });
});
