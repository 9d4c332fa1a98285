import type { Money } from './money';

export const BASIS_POINTS_PER_WHOLE = 10_000n;
/** 100 %: a rate above it would take more than the amount. */
export const MAX_BASIS_POINTS = 10_000;

export function isBasisPoints(bps: number): boolean {
  return Number.isSafeInteger(bps) && bps >= 0 && bps <= MAX_BASIS_POINTS;
}

/** numerator / denominator rounded half up (0.5 → 1) for numerator ≥ 0, denominator > 0, exactly in integers. */
export function divideRoundingHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new RangeError(`half-up division of ${numerator} by ${denominator}: numerator ≥ 0, denominator > 0`);
  return (2n * numerator + denominator) / (2n * denominator);
}

/**
 * `amount × bps / 10 000` rounded half up to the minor unit of its currency (the amount is already in
 * minor units, so JPY rounds to 1 yen, KWD to 1 fils). Throws on a negative amount or a rate outside
 * 0..10 000: callers validate rates where they are configured.
 */
export function basisPointsOf(amount: Money, bps: number): Money {
  if (!isBasisPoints(bps)) throw new RangeError(`a rate is an integer 0..${MAX_BASIS_POINTS} bps, got ${bps}`);
  return { amountMinor: divideRoundingHalfUp(amount.amountMinor * BigInt(bps), BASIS_POINTS_PER_WHOLE), currency: amount.currency };
}
