import fc from 'fast-check';
import { type CurrencyCode } from '@txn/money';
import { divideRoundingHalfUp, splitFee, splitRefund } from './fee-split';
import { MAX_AMOUNT_MINOR } from './journal-entry';
import { must } from './test-fixtures';

const currency = fc.constantFrom<CurrencyCode>('JPY', 'EUR', 'KWD');
const amountMinor = fc.oneof(fc.bigInt({ min: 0n, max: 100_000n }), fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR }));
const feeBps = fc.integer({ min: 0, max: 10_000 });

describe('platform fee split', () => {
  it('always sums exactly to the captured amount, for every amount, rate and currency', () => {
    fc.assert(
      fc.property(amountMinor, feeBps, currency, (captured, bps, code) => {
        const split = must(splitFee({ amountMinor: captured, currency: code }, bps));
        expect(split.platformFee.amountMinor + split.merchantShare.amountMinor).toBe(captured);
        expect(split.platformFee.amountMinor).toBeGreaterThanOrEqual(0n);
        expect(split.merchantShare.amountMinor).toBeGreaterThanOrEqual(0n);
        expect(split.platformFee.currency).toBe(code);
        expect(split.merchantShare.currency).toBe(code);
        // Half up: the fee is within half a minor unit of the exact rate, and an exact half goes up.
        const errorTimes10k = split.platformFee.amountMinor * 10_000n - captured * BigInt(bps);
        expect(errorTimes10k > -5_000n && errorTimes10k <= 5_000n).toBe(true);
      }),
    );
  });

  it('rounds the fee half up to the minor unit of the currency (yen, cent, fils)', () => {
    // 2.5 % of 101 yen is 2.525 yen: the platform takes 3 yen, the merchant 98.
    expect(must(splitFee({ amountMinor: 101n, currency: 'JPY' }, 250))).toMatchObject({
      platformFee: { amountMinor: 3n },
      merchantShare: { amountMinor: 98n },
    });
    // 10.10 EUR at 2.5 % is 0.2525 EUR: 25 cents, the merchant gets 9.85.
    expect(must(splitFee({ amountMinor: 1010n, currency: 'EUR' }, 250)).platformFee.amountMinor).toBe(25n);
    // 0.020 KWD at 2.5 % is exactly half a fils (0.0005): rounds up to 1 fils.
    expect(must(splitFee({ amountMinor: 20n, currency: 'KWD' }, 250)).platformFee.amountMinor).toBe(1n);
    expect(divideRoundingHalfUp(5n, 10n)).toBe(1n);
    expect(divideRoundingHalfUp(4n, 10n)).toBe(0n);
  });

  it('refuses a fee rate outside 0..10 000 bps or not a whole number of bps', () => {
    for (const bps of [-1, 10_001, 2.5, Number.NaN]) {
      expect(splitFee({ amountMinor: 100n, currency: 'EUR' }, bps)).toMatchObject({ outcome: 'refused', refused: 'INVALID_FEE_RATE' });
    }
  });
});

describe('refund split', () => {
  const scenario = fc.record({
    captured: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    bps: feeBps,
    code: currency,
    attempts: fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { maxLength: 12 }),
  });

  it('never refunds more than captured in total, and never gives back more fee or share than was split', () => {
    fc.assert(
      fc.property(scenario, ({ captured, bps, code, attempts }) => {
        const split = must(splitFee({ amountMinor: captured, currency: code }, bps));
        let refunded = 0n;
        let feeBack = 0n;
        for (const attempt of attempts) {
          const result = splitRefund(split, refunded, { amountMinor: attempt, currency: code });
          if (refunded + attempt > captured) {
            expect(result).toMatchObject({ outcome: 'refused', refused: 'REFUND_EXCEEDS_CAPTURE' });
            continue;
          }
          const part = must(result);
          expect(part.platformFeePart.amountMinor).toBeGreaterThanOrEqual(0n);
          expect(part.merchantPart.amountMinor).toBeGreaterThanOrEqual(0n);
          expect(part.platformFeePart.amountMinor + part.merchantPart.amountMinor).toBe(attempt);
          refunded += attempt;
          feeBack += part.platformFeePart.amountMinor;
        }
        expect(refunded).toBeLessThanOrEqual(captured);
        expect(feeBack).toBeLessThanOrEqual(split.platformFee.amountMinor);
        expect(refunded - feeBack).toBeLessThanOrEqual(split.merchantShare.amountMinor);
      }),
    );
  });

  it('returns exactly the fee and exactly the merchant share once everything is refunded, in any number of parts', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        feeBps,
        currency,
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 10 }),
        (captured, bps, code, weights) => {
          const split = must(splitFee({ amountMinor: captured, currency: code }, bps));
          // Cut the captured amount into parts proportional to the weights; the last part takes the rest.
          const totalWeight = BigInt(weights.reduce((a, b) => a + b, 0));
          const parts = weights.map((w) => (captured * BigInt(w)) / totalWeight).filter((p) => p > 0n);
          const last = captured - parts.reduce((a, b) => a + b, 0n);
          if (last > 0n) parts.push(last);
          let refunded = 0n;
          let feeBack = 0n;
          for (const part of parts) {
            feeBack += must(splitRefund(split, refunded, { amountMinor: part, currency: code })).platformFeePart.amountMinor;
            refunded += part;
          }
          expect(refunded).toBe(captured);
          expect(feeBack).toBe(split.platformFee.amountMinor);
        },
      ),
    );
  });
});
