import type { Actor } from '@txn/contracts';
import type { Money } from '@txn/money';

export const BASIS_POINTS_PER_WHOLE = 10_000;
/** A policy with more tiers than this is a configuration mistake, not a business rule. */
export const MAX_REFUND_POLICY_TIERS = 10;

/** A merchant's cancellation terms: how much of what was paid goes back, by notice given. */
export interface RefundPolicy {
  /**
   * Cancelled at least `minNotice_ms` before the slot starts → `refund_bp` of the amount paid.
   * Largest notice first; the first tier met applies.
   */
  readonly tiers: readonly { readonly minNotice_ms: number; readonly refund_bp: number }[];
  /** Refund when no tier is met, including after the slot started. */
  readonly otherwise_bp: number;
}

/** Full refund until 24 h before the slot, half until 2 h before, nothing after. */
export const DEFAULT_REFUND_POLICY: RefundPolicy = {
  tiers: [
    { minNotice_ms: 24 * 3_600_000, refund_bp: 10_000 },
    { minNotice_ms: 2 * 3_600_000, refund_bp: 5_000 },
  ],
  otherwise_bp: 0,
};

/** Who cancelled: only a customer's own cancellation is subject to the merchant's terms. */
export type CancelledBy = 'CUSTOMER' | 'MERCHANT' | 'PLATFORM';

export interface RefundPolicyFacts {
  readonly policy: RefundPolicy;
  readonly paid: Money;
  readonly slotStartsAt: Date;
  readonly cancelledAt: Date;
  readonly cancelledBy: CancelledBy;
}

/** Throws on a malformed policy: it is configuration, checked when loaded, not a runtime outcome. */
export function assertValidRefundPolicy(policy: RefundPolicy): void {
  if (policy.tiers.length > MAX_REFUND_POLICY_TIERS) throw new RangeError(`refund policy has more than ${MAX_REFUND_POLICY_TIERS} tiers`);
  const bps = [...policy.tiers.map((tier) => tier.refund_bp), policy.otherwise_bp];
  for (const bp of bps) {
    if (!Number.isSafeInteger(bp) || bp < 0 || bp > BASIS_POINTS_PER_WHOLE) throw new RangeError(`refund share ${bp} bp is not within 0..10000`);
  }
  policy.tiers.forEach((tier, index) => {
    if (!Number.isSafeInteger(tier.minNotice_ms) || tier.minNotice_ms < 0) throw new RangeError(`tier notice ${tier.minNotice_ms} ms is not a non-negative integer`);
    const previous = policy.tiers[index - 1];
    if (previous !== undefined && previous.minNotice_ms <= tier.minNotice_ms) throw new RangeError('refund tiers must be ordered by notice, largest first');
  });
}

/**
 * What goes back to the customer on cancellation. A merchant or platform cancellation refunds in
 * full: the customer did nothing wrong. A partial share rounds down to the minor unit, so the
 * refund never exceeds the share the policy names and never exceeds what was paid.
 */
export function refundByPolicy(facts: RefundPolicyFacts): Money {
  assertValidRefundPolicy(facts.policy);
  if (facts.paid.amountMinor < 0n) throw new RangeError('paid amount must not be negative');
  if (facts.cancelledBy !== 'CUSTOMER') return facts.paid;
  const notice_ms = facts.slotStartsAt.getTime() - facts.cancelledAt.getTime();
  const tier = facts.policy.tiers.find((candidate) => notice_ms >= candidate.minNotice_ms);
  const refund_bp = tier?.refund_bp ?? facts.policy.otherwise_bp;
  return { amountMinor: (facts.paid.amountMinor * BigInt(refund_bp)) / BigInt(BASIS_POINTS_PER_WHOLE), currency: facts.paid.currency };
}

/** Who a command's actor is, for the refund policy: only a customer's own cancellation is subject to it. */
export function cancelledByOf(actor: Actor): CancelledBy {
  if (actor.type === 'USER') return 'CUSTOMER';
  if (actor.type === 'API_KEY') return 'MERCHANT';
  return 'PLATFORM';
}
