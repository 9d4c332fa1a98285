import type { BookingConfirmed } from '@txn/contracts';
import { authorizedPayment, envelope, FakePayments, NOW, PAYMENT_SERVICE, TX } from '../../../test/unit/fake-payments';
import { capturePayment } from './capture-payment';

function confirmed(bookingId: string, tenantId?: string): BookingConfirmed {
  return { envelope: envelope('BookingConfirmed', bookingId, undefined, tenantId), bookingId, statusBefore: 'HELD', statusAfter: 'CONFIRMED', reason: 'PAYMENT_AUTHORIZED', paymentId: '', authorizedAmount: { amountMinor: 12_000n, currency: 'EUR' } };
}

describe('a booking confirmed', () => {
  it('asks the PSP to capture what was authorized', async () => {
    const payments = new FakePayments();
    const payment = authorizedPayment();
    const before = payments.put(payment);
    const decided = await capturePayment(TX, confirmed(payment.bookingId), { payments, now: NOW, actor: PAYMENT_SERVICE });
    expect(decided.decision).toMatchObject({ outcome: 'applied', calls: [{ operation: 'CAPTURE', amount: { amountMinor: 12_000n } }] });
    expect(decided.write.before).toBe(before);
  });

  it('is stale for a payment of another merchant, exactly as for one that does not exist', async () => {
    const payments = new FakePayments();
    const payment = authorizedPayment();
    payments.put(payment);
    expect((await capturePayment(TX, confirmed(payment.bookingId, 'merchant-2'), { payments, now: NOW, actor: PAYMENT_SERVICE })).decision).toMatchObject({ outcome: 'stale', stale: 'UNKNOWN_PAYMENT' });
  });
});
