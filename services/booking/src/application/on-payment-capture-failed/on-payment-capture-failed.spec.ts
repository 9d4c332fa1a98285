import type { PaymentCaptureFailed } from '@txn/contracts';
import { BOOKING_SERVICE, captured, envelope, FakeBookings, NOW, PAYMENT_SERVICE, TX } from '../../../test/unit/fake-bookings';
import { onPaymentCaptureFailed } from './on-payment-capture-failed';

describe('a capture the PSP refused', () => {
  it('cancels the confirmed booking; payment voids the authorization by itself', async () => {
    const bookings = new FakeBookings();
    const confirmed = bookings.put(captured({ capturedAmount: null }));
    const paymentId = confirmed.paymentId ?? '';
    const fact = { envelope: envelope('PaymentCaptureFailed', PAYMENT_SERVICE, paymentId), paymentId, bookingId: confirmed.bookingId } as PaymentCaptureFailed;
    expect((await onPaymentCaptureFailed(TX, fact, { bookings, now: NOW, serviceActor: BOOKING_SERVICE })).decision).toMatchObject({
      outcome: 'applied',
      state: { status: 'CANCELLED', refundAmount: null },
      events: [{ eventType: 'BookingCancelled', payload: { reason: 'CAPTURE_FAILED' } }],
    });
  });
});
