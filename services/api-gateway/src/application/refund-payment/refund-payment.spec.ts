import fc from 'fast-check';
import type { PaymentViewEntity } from '../../read-models/read-model.entities';
import { refundableMinor, refusalOf, type RefundRequest } from './refund-payment';

const PAYMENT_ID = '5c8f0a55-0000-4000-8000-000000000001';

function payment(status: string, capturedMinor: bigint | null, refundedMinor: bigint | null): PaymentViewEntity {
  return { paymentId: PAYMENT_ID, bookingId: 'b', status, currency: 'EUR', capturedMinor, refundedMinor } as PaymentViewEntity;
}

function request(amountMinor: bigint, currency = 'EUR'): RefundRequest {
  return { refundId: 'r', paymentId: PAYMENT_ID, amount: { amountMinor, currency }, reason: 'GOODWILL' };
}

describe("the API's refund check against its read model", () => {
  it('refuses a payment that is not captured, naming its status, and another currency, naming the payment\u2019s', () => {
    expect(refusalOf(payment('AUTHORIZED', null, null), request(1n), 0n)).toEqual({ kind: 'not-refundable', paymentId: PAYMENT_ID, currentStatus: 'AUTHORIZED' });
    expect(refusalOf(payment('REFUNDED', 100n, 100n), request(1n), 0n)).toMatchObject({ kind: 'not-refundable', currentStatus: 'REFUNDED' });
    expect(refusalOf(payment('CAPTURED', 100n, null), request(1n, 'USD'), 0n)).toEqual({ kind: 'currency-mismatch', paymentId: PAYMENT_ID, currency: 'EUR' });
  });

  it('counts its own pending refunds: captured − refunded − pending, never below zero', () => {
    expect(refundableMinor(payment('PARTIALLY_REFUNDED', 10_000n, 2_000n), 3_000n)).toBe(5_000n);
    expect(refundableMinor(payment('CAPTURED', 100n, null), 500n)).toBe(0n);
    expect(refusalOf(payment('PARTIALLY_REFUNDED', 10_000n, 2_000n), request(5_001n), 3_000n)).toEqual({ kind: 'exceeds-refundable', paymentId: PAYMENT_ID, refundable: { amountMinor: 5_000n, currency: 'EUR' } });
    expect(refusalOf(payment('PARTIALLY_REFUNDED', 10_000n, 2_000n), request(5_000n), 3_000n)).toBeNull();
  });

  it('for any figures: accepts exactly the amounts up to what remains, and what it names as remaining is what it accepts', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (captured, refunded, pending, amount) => {
        const row = payment('CAPTURED', captured, refunded > captured ? captured : refunded);
        const refusal = refusalOf(row, request(amount), pending);
        const remaining = refundableMinor(row, pending);
        expect(remaining >= 0n).toBe(true);
        expect(refusal === null).toBe(amount <= remaining);
        if (refusal !== null) expect(refusal).toMatchObject({ kind: 'exceeds-refundable', refundable: { amountMinor: remaining } });
      }),
    );
  });
});
