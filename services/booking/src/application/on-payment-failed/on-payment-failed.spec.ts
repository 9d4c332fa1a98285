import { randomUUID } from 'node:crypto';
import type { PaymentFailed } from '@txn/contracts';
import { booking, BOOKING_SERVICE, envelope, FakeBookings, NOW, PAYMENT_SERVICE, TX } from '../../../test/unit/fake-bookings';
import { onPaymentFailed } from './on-payment-failed';

function failure(bookingId: string): PaymentFailed {
  const paymentId = randomUUID();
  return { envelope: envelope('PaymentFailed', PAYMENT_SERVICE, paymentId), paymentId, bookingId } as PaymentFailed;
}

describe('a payment that failed', () => {
  it('cancels the held booking and frees its slot, with nothing to refund', async () => {
    const bookings = new FakeBookings();
    const held = bookings.put(booking());
    const fact = failure(held.bookingId);
    expect((await onPaymentFailed(TX, fact, { bookings, now: NOW, serviceActor: BOOKING_SERVICE })).decision).toMatchObject({
      outcome: 'applied',
      state: { status: 'CANCELLED', refundAmount: null, paymentId: fact.paymentId },
      events: [{ eventType: 'BookingCancelled', payload: { reason: 'PAYMENT_FAILED' } }],
    });
  });

  it('is stale for a booking that already ended', async () => {
    const bookings = new FakeBookings();
    const expired = bookings.put(booking({ status: 'EXPIRED', version: 2n }));
    expect((await onPaymentFailed(TX, failure(expired.bookingId), { bookings, now: NOW, serviceActor: BOOKING_SERVICE })).decision).toMatchObject({ outcome: 'stale', stale: 'BOOKING_EXPIRED' });
  });
});
