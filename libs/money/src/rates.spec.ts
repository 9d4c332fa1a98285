import fc from 'fast-check';
import { SUPPORTED_CURRENCIES } from './currency';
import { basisPointsOf, divideRoundingHalfUp, isBasisPoints } from './rates';

describe('rates in basis points', () => {
  it('are within half a minor unit of the exact rate, an exact half going up, for every amount, rate and currency', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(...SUPPORTED_CURRENCIES), (amountMinor, bps, currency) => {
        const part = basisPointsOf({ amountMinor, currency }, bps);
        const errorTimes10k = part.amountMinor * 10_000n - amountMinor * BigInt(bps);
        expect(errorTimes10k > -5_000n && errorTimes10k <= 5_000n).toBe(true);
        expect(part.amountMinor).toBeGreaterThanOrEqual(0n);
        expect(part.amountMinor).toBeLessThanOrEqual(amountMinor);
        expect(part.currency).toBe(currency);
      }),
    );
  });

  it('round to the minor unit of the currency (yen, cent, fils)', () => {
    // 2.5 % of 101 yen is 2.525 yen: 3 yen.
    expect(basisPointsOf({ amountMinor: 101n, currency: 'JPY' }, 250).amountMinor).toBe(3n);
    // 10.10 EUR at 2.5 % is 0.2525 EUR: 25 cents.
    expect(basisPointsOf({ amountMinor: 1010n, currency: 'EUR' }, 250).amountMinor).toBe(25n);
    // 0.020 KWD at 2.5 % is exactly half a fils: rounds up to 1 fils.
    expect(basisPointsOf({ amountMinor: 20n, currency: 'KWD' }, 250).amountMinor).toBe(1n);
    expect(divideRoundingHalfUp(5n, 10n)).toBe(1n);
    expect(divideRoundingHalfUp(4n, 10n)).toBe(0n);
  });

  it('refuse a rate outside 0..10 000 bps or not a whole number of bps', () => {
    for (const bps of [-1, 10_001, 2.5, Number.NaN]) {
      expect(isBasisPoints(bps)).toBe(false);
      expect(() => basisPointsOf({ amountMinor: 100n, currency: 'EUR' }, bps)).toThrow(RangeError);
    }
  });
});
