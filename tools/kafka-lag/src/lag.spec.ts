import fc from 'fast-check';
import { offsetLag, oldestUnconsumedOffset, timeLagSeconds } from './lag';

describe('consumer lag arithmetic', () => {
  it('counts from the committed offset to the end, or from the oldest record kept when nothing was committed or it was deleted', () => {
    expect(offsetLag(4n, 0n, 10n)).toBe(6n);
    expect(offsetLag(null, 3n, 10n)).toBe(7n);
    expect(offsetLag(1n, 5n, 10n)).toBe(5n);
    expect(offsetLag(10n, 0n, 10n)).toBe(0n);
    expect(oldestUnconsumedOffset(null, 3n)).toBe(3n);
    expect(oldestUnconsumedOffset(7n, 3n)).toBe(7n);
  });

  it('property: the lag is never negative and never more than the records kept', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.option(fc.bigInt({ min: 0n, max: 2n * 10n ** 12n })), (a, b, committed) => {
        const [low, end] = a <= b ? [a, b] : [b, a];
        const lag = offsetLag(committed, low, end);
        return lag >= 0n && lag <= end - low;
      }),
    );
  });

  it('time lag: zero when nothing waits, unknown when the record could not be read, never negative', () => {
    expect(timeLagSeconds(undefined, 1_000, 0n)).toBe(0);
    expect(timeLagSeconds(undefined, 1_000, 3n)).toBeNull();
    expect(timeLagSeconds(1_000, 61_000, 3n)).toBe(60);
    expect(timeLagSeconds(2_000, 1_000, 3n)).toBe(0);
  });
});
