import fc from 'fast-check';
import { type CurrencyCode, type Money } from '@txn/money';
import { splitCapture, splitRefund, type FeeSplit } from './fee-split';
import { MAX_AMOUNT_MINOR } from './journal-entry';
import { feeAt, must } from './test-fixtures';

const currency = fc.constantFrom<CurrencyCode>('JPY', 'EUR', 'KWD');
const amountMinor = fc.oneof(fc.bigInt({ min: 0n, max: 100_000n }), fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR }));
const feeBps = fc.integer({ min: 0, max: 10_000 });

describe("a capture's split", () => {
  it('books the stated fee and gives the merchant the rest, so the two always sum exactly to the capture', () => {
    fc.assert(
      fc.property(amountMinor.filter((captured) => captured > 0n), feeBps, currency, (captured, bps, code) => {
        const { platformFee, terms } = feeAt({ amountMinor: captured, currency: code }, bps);
        const split = must(splitCapture({ amountMinor: captured, currency: code }, platformFee, terms));
        expect(split.platformFee).toEqual(platformFee);
        expect(split.platformFee.amountMinor + split.merchantShare.amountMinor).toBe(captured);
        expect(split.merchantShare.amountMinor).toBeGreaterThanOrEqual(0n);
        expect(split.merchantShare.currency).toBe(code);
        expect(split).toMatchObject(terms);
      }),
    );
  });

  it('refuses only what cannot be booked: a fee above the capture or below zero, another currency, an empty capture', () => {
    const terms = { feeBps: null, feeRule: null, feeScheduleVersion: null };
    const eur = (amountMinor: bigint) => ({ amountMinor, currency: 'EUR' as const });
    expect(splitCapture(eur(100n), eur(101n), terms)).toMatchObject({ outcome: 'refused', refused: 'INVALID_FEE' });
    expect(splitCapture(eur(100n), eur(-1n), terms)).toMatchObject({ outcome: 'refused', refused: 'INVALID_FEE' });
    expect(splitCapture(eur(100n), { amountMinor: 1n, currency: 'JPY' }, terms)).toMatchObject({ outcome: 'refused', refused: 'CURRENCY_MISMATCH' });
    expect(splitCapture(eur(0n), eur(0n), terms)).toMatchObject({ outcome: 'refused', refused: 'INVALID_AMOUNT' });
    // An event from before the fee travelled with its rule: the amount is still the fact.
    expect(must(splitCapture(eur(100n), eur(10n), terms))).toMatchObject({ merchantShare: eur(90n), feeBps: null });
  });
});

function splitAt(captured: Money, bps: number): FeeSplit {
  const { platformFee, terms } = feeAt(captured, bps);
  return must(splitCapture(captured, platformFee, terms));
}

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
        const split = splitAt({ amountMinor: captured, currency: code }, bps);
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
          const split = splitAt({ amountMinor: captured, currency: code }, bps);
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
