import type { BookingCancelled } from '@txn/contracts';
import { authorizedPayment, envelope, FakePayments, NOW, PAYMENT_SERVICE, TX } from '../../../test/unit/fake-payments';
import { releasePayment } from './release-payment';

function cancelled(bookingId: string): BookingCancelled {
  return {
    envelope: envelope('BookingCancelled', bookingId),
    bookingId,
    statusBefore: 'HELD',
    statusAfter: 'CANCELLED',
    reason: 'CUSTOMER_REQUEST',
    paymentId: null,
    refundAmount: null,
    slot: { resourceId: 'room-1', startsAt: NOW, endsAt: NOW },
  };
}

describe('a booking released before capture', () => {
  it('voids the authorization, and a redelivery of the release changes nothing', async () => {
    const payments = new FakePayments();
    const payment = authorizedPayment();
    payments.put(payment);
    const fact = cancelled(payment.bookingId);
    const decided = await releasePayment(TX, fact, { payments, now: NOW, actor: PAYMENT_SERVICE });
    expect(decided.decision).toMatchObject({ outcome: 'applied', calls: [{ operation: 'VOID' }] });
    if (decided.decision.outcome !== 'applied') throw new Error('not applied');
    payments.put(decided.decision.state);
    expect((await releasePayment(TX, fact, { payments, now: NOW, actor: PAYMENT_SERVICE })).decision.outcome).toBe('stale');
  });
});
