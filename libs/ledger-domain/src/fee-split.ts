import { type Money } from '@txn/money';
import { ledgerError, type LedgerErrorCode } from './errors';
import { MAX_AMOUNT_MINOR } from './journal-entry';
import { checked, type Checked } from '@txn/domain-kernel';

export const BASIS_POINTS_PER_WHOLE = 10_000n;
/** A fee above 100 % would make the merchant's share negative. */
export const MAX_FEE_BPS = 10_000;

/** A captured amount divided between the platform and the merchant; the two always sum to `captured`. */
export interface FeeSplit {
  readonly captured: Money;
  readonly platformFee: Money;
  readonly merchantShare: Money;
  readonly feeBps: number;
}

/** numerator / denominator rounded half up (0.5 → 1) for numerator ≥ 0, denominator > 0, exactly in integers. */
export function divideRoundingHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

/**
 * The rounding rule: fee = captured × bps / 10 000 rounded half up to the minor unit of the currency
 * (the amount is already in minor units, so JPY rounds to 1 yen, KWD to 1 fils); the merchant gets
 * captured − fee. The fee is rounded, the merchant's share is the remainder, so the split sums exactly.
 */
export function splitFee(captured: Money, feeBps: number): Checked<FeeSplit, LedgerErrorCode> {
  if (!Number.isSafeInteger(feeBps) || feeBps < 0 || feeBps > MAX_FEE_BPS) {
    return ledgerError('INVALID_FEE_RATE', `fee must be an integer 0..${MAX_FEE_BPS} bps, got ${feeBps}`);
  }
  if (captured.amountMinor < 0n || captured.amountMinor > MAX_AMOUNT_MINOR) {
    return ledgerError('INVALID_AMOUNT', `captured amount must be in 0..${MAX_AMOUNT_MINOR}, got ${captured.amountMinor}`);
  }
  const feeMinor = divideRoundingHalfUp(captured.amountMinor * BigInt(feeBps), BASIS_POINTS_PER_WHOLE);
  return checked({
    captured,
    platformFee: { amountMinor: feeMinor, currency: captured.currency },
    merchantShare: { amountMinor: captured.amountMinor - feeMinor, currency: captured.currency },
    feeBps,
  });
}

/** One refund's division between the platform's fee and the merchant's share. */
export interface RefundSplit {
  readonly refund: Money;
  readonly platformFeePart: Money;
  readonly merchantPart: Money;
}

/**
 * Refunds give back fee and merchant share in the proportion of the original split. The remainder
 * rule is cumulative: after refunds totalling T the platform has given back
 * round_half_up(T × fee / captured) in all, and each refund takes the difference. So rounding never
 * accumulates, every part is ≥ 0, and a full refund (T = captured) returns exactly the fee and exactly
 * the merchant's share, whatever the number and order of the partial refunds before it.
 */
export function splitRefund(
  split: FeeSplit,
  refundedBeforeMinor: bigint,
  refund: Money,
): Checked<RefundSplit, LedgerErrorCode> {
  const capturedMinor = split.captured.amountMinor;
  if (refund.currency !== split.captured.currency) {
    return ledgerError('CURRENCY_MISMATCH', `a ${refund.currency} refund of a ${split.captured.currency} capture`);
  }
  if (refund.amountMinor <= 0n) return ledgerError('INVALID_AMOUNT', `a refund is positive, got ${refund.amountMinor}`);
  if (refundedBeforeMinor < 0n || refundedBeforeMinor + refund.amountMinor > capturedMinor) {
    return ledgerError(
        'REFUND_EXCEEDS_CAPTURE',
        `refunding ${refund.amountMinor} after ${refundedBeforeMinor} would exceed the captured ${capturedMinor}`,
      );
  }
  const feeGivenBack = (refundedMinor: bigint): bigint =>
    divideRoundingHalfUp(refundedMinor * split.platformFee.amountMinor, capturedMinor);
  const feePartMinor = feeGivenBack(refundedBeforeMinor + refund.amountMinor) - feeGivenBack(refundedBeforeMinor);
  return checked({
    refund,
    platformFeePart: { amountMinor: feePartMinor, currency: refund.currency },
    merchantPart: { amountMinor: refund.amountMinor - feePartMinor, currency: refund.currency },
  });
}
