import { divideRoundingHalfUp, type Money } from '@txn/money';
import { ledgerError, type LedgerErrorCode } from './errors';
import { MAX_AMOUNT_MINOR } from './journal-entry';
import { checked, type Checked } from '@txn/domain-kernel';

/**
 * Which rate produced a capture's fee, as the payment service said (PaymentCaptured's feeBps,
 * feeRule, feeScheduleVersion): recorded with the escrow the capture entry funds. Null in events
 * written before the fee travelled with its rule.
 */
export interface FeeTermsApplied {
  readonly feeBps: number | null;
  readonly feeRule: string | null;
  readonly feeScheduleVersion: string | null;
}

/** A captured amount divided between the platform and the merchant; the two always sum to `captured`. */
export interface FeeSplit extends FeeTermsApplied {
  readonly captured: Money;
  readonly platformFee: Money;
  readonly merchantShare: Money;
}

/**
 * The split a capture's event states: the fee was decided once, by the service that charged it,
 * and the ledger books it as said. It only checks that it can be booked at all: one currency, and
 * a fee from nothing to the whole capture. The merchant's share is the remainder, so the split sums exactly.
 */
export function splitCapture(captured: Money, platformFee: Money, terms: FeeTermsApplied): Checked<FeeSplit, LedgerErrorCode> {
  if (captured.amountMinor <= 0n || captured.amountMinor > MAX_AMOUNT_MINOR) {
    return ledgerError('INVALID_AMOUNT', `captured amount must be in 1..${MAX_AMOUNT_MINOR}, got ${captured.amountMinor}`);
  }
  if (platformFee.currency !== captured.currency) return ledgerError('CURRENCY_MISMATCH', `a ${platformFee.currency} fee on a ${captured.currency} capture`);
  if (platformFee.amountMinor < 0n || platformFee.amountMinor > captured.amountMinor) {
    return ledgerError('INVALID_FEE', `a fee of ${platformFee.amountMinor} on a capture of ${captured.amountMinor}: it must be within 0..the capture`);
  }
  return checked({
    captured,
    platformFee,
    merchantShare: { amountMinor: captured.amountMinor - platformFee.amountMinor, currency: captured.currency },
    feeBps: terms.feeBps,
    feeRule: terms.feeRule,
    feeScheduleVersion: terms.feeScheduleVersion,
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
