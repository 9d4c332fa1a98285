import fc from 'fast-check';
import { money } from '@txn/money';
import { DEFAULT_REFUND_POLICY, refundByPolicy, type RefundPolicy } from './refund-policy';

describe('the refund policy', () => {
  const policy: RefundPolicy = { tiers: [{ minNotice_ms: 48 * 3_600_000, refund_bp: 10_000 }, { minNotice_ms: 3_600_000, refund_bp: 3_333 }], otherwise_bp: 0 };

  it('never refunds more than was paid, nor less than nothing', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.constantFrom('CUSTOMER', 'MERCHANT', 'PLATFORM' as const), (paid, notice_ms, cancelledBy) => {
      const refund = refundByPolicy({ policy, paid: money(paid, 'JPY'), slotStartsAt: new Date(2e12 + notice_ms), cancelledAt: new Date(2e12), cancelledBy });
      expect(refund.amountMinor >= 0n && refund.amountMinor <= paid).toBe(true);
      expect(refund.currency).toBe('JPY');
    }));
  });

  it('gives more back the earlier the customer cancels', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.nat(1_000_000_000), fc.nat(1_000_000_000), (paid, a, b) => {
      const at = (notice_ms: number) => refundByPolicy({ policy: DEFAULT_REFUND_POLICY, paid: money(paid, 'EUR'), slotStartsAt: new Date(2e12 + notice_ms), cancelledAt: new Date(2e12), cancelledBy: 'CUSTOMER' }).amountMinor;
      expect(at(Math.max(a, b)) >= at(Math.min(a, b))).toBe(true);
    }));
  });

  it('rounds a partial refund down to the minor unit, and refunds in full when the merchant cancels', () => {
    const facts = { policy, paid: money(100n, 'EUR'), slotStartsAt: new Date(10 * 3_600_000), cancelledAt: new Date(0) };
    expect(refundByPolicy({ ...facts, cancelledBy: 'CUSTOMER' }).amountMinor).toBe(33n);
    expect(refundByPolicy({ ...facts, cancelledBy: 'MERCHANT' }).amountMinor).toBe(100n);
    expect(() => refundByPolicy({ ...facts, policy: { tiers: [], otherwise_bp: 10_001 }, cancelledBy: 'CUSTOMER' })).toThrow(/0..10000/);
  });
});
