import type { PaymentCaptured } from '@txn/contracts';
import { BOOKING_SERVICE, captured, envelope, FakeBookings, NOW, PAYMENT_SERVICE, TX } from '../../../test/unit/fake-bookings';
import { onPaymentCaptured } from './on-payment-captured';

function capture(bookingId: string, paymentId: string): PaymentCaptured {
  return { envelope: envelope('PaymentCaptured', PAYMENT_SERVICE, paymentId), paymentId, bookingId, capturedAmount: { amountMinor: 12_000n, currency: 'EUR' } } as PaymentCaptured;
}

describe('a payment captured for a confirmed booking', () => {
  it('records the capture so the booking may complete, without a status change or an event', async () => {
    const bookings = new FakeBookings();
    const confirmed = bookings.put(captured({ capturedAmount: null }));
    const decided = await onPaymentCaptured(TX, capture(confirmed.bookingId, confirmed.paymentId ?? ''), { bookings, now: NOW, serviceActor: BOOKING_SERVICE });
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { status: 'CONFIRMED', version: confirmed.version, capturedAmount: { amountMinor: 12_000n } }, events: [] });
  });

  it('is stale when the capture was already recorded', async () => {
    const bookings = new FakeBookings();
    const confirmed = bookings.put(captured());
    const decided = await onPaymentCaptured(TX, capture(confirmed.bookingId, confirmed.paymentId ?? ''), { bookings, now: NOW, serviceActor: BOOKING_SERVICE });
    expect(decided.decision).toMatchObject({ outcome: 'stale', stale: 'ALREADY_CAPTURED' });
  });
});
