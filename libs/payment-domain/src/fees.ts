import { basisPointsOf, isBasisPoints, type Money } from '@txn/money';

/**
 * Which rate was chosen and how the fee was rounded: carried in PaymentCaptured and recorded with
 * the ledger's entry, so an auditor can recompute every fee from the event alone.
 */
export type FeeRule = 'MERCHANT_RATE/HALF_UP' | 'DEFAULT_RATE/HALF_UP';
export const FEE_RULES: readonly FeeRule[] = ['MERCHANT_RATE/HALF_UP', 'DEFAULT_RATE/HALF_UP'];

/** The commercial terms of one payment, fixed when it is created: a later change of rates does not touch it. */
export interface FeeTerms {
  readonly bps: number;
  readonly rule: FeeRule;
  /** The schedule the rate came from (FeeSchedule.version). */
  readonly scheduleVersion: string;
}

/**
 * Platform fee rates: per merchant, else the default. A Map, so a merchant id such as `constructor`
 * or `__proto__` is only ever a key, never a path into Object.prototype. `version` names this exact
 * content (the service derives it from the rates), so two instances with different rates, or one
 * schedule before and after a change, are told apart in every event.
 */
export interface FeeSchedule {
  readonly version: string;
  readonly defaultBps: number;
  readonly byMerchant: ReadonlyMap<string, number>;
}

export function isFeeRule(rule: string): rule is FeeRule {
  return (FEE_RULES as readonly string[]).includes(rule);
}

/** Throws on a rate outside 0..10 000 bps: schedules are validated where they are configured. */
export function feeSchedule(version: string, defaultBps: number, byMerchant: ReadonlyMap<string, number>): FeeSchedule {
  for (const [merchant, bps] of [['(default)', defaultBps] as const, ...byMerchant]) {
    if (!isBasisPoints(bps)) throw new RangeError(`fee rate of ${merchant} must be an integer 0..10000 bps, got ${bps}`);
  }
  if (version.trim() === '') throw new RangeError('a fee schedule has a version');
  return { version, defaultBps, byMerchant: new Map(byMerchant) };
}

export function feeTermsFor(schedule: FeeSchedule, tenantId: string): FeeTerms {
  const own = schedule.byMerchant.get(tenantId);
  return own === undefined
    ? { bps: schedule.defaultBps, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: schedule.version }
    : { bps: own, rule: 'MERCHANT_RATE/HALF_UP', scheduleVersion: schedule.version };
}

/** The platform's fee on a captured amount under the payment's terms; the merchant's share is the rest. */
export function platformFeeOf(terms: FeeTerms, captured: Money): Money {
  return basisPointsOf(captured, terms.bps);
}
