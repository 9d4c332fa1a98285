import { randomUUID } from 'node:crypto';
import type { PaymentAuthorized } from '@txn/contracts';
import { booking, BOOKING_SERVICE, envelope, FakeBookings, NOW, PAYMENT_SERVICE, TX } from '../../../test/unit/fake-bookings';
import { onPaymentAuthorized } from './on-payment-authorized';

function authorization(bookingId: string, overrides: Partial<PaymentAuthorized> = {}, occurredAt = NOW): PaymentAuthorized {
  const paymentId = randomUUID();
  return {
    envelope: envelope('PaymentAuthorized', PAYMENT_SERVICE, paymentId, occurredAt),
    paymentId,
    bookingId,
    statusBefore: 'PENDING',
    statusAfter: 'AUTHORIZED',
    reason: 'PSP_AUTHORIZED',
    pspPaymentIntentId: 'pi_1',
    authorizedAmount: { amountMinor: 12_000n, currency: 'EUR' },
    authorizationExpiresAt: null,
    authorizedAt: null,
    ...overrides,
  } as PaymentAuthorized;
}

const deps = (bookings: FakeBookings) => ({ bookings, now: NOW, serviceActor: BOOKING_SERVICE });

describe('a payment authorized for a held booking', () => {
  it('confirms it, as the booking service', async () => {
    const bookings = new FakeBookings();
    const held = bookings.put(booking());
    const fact = authorization(held.bookingId);
    expect((await onPaymentAuthorized(TX, fact, deps(bookings))).decision).toMatchObject({
      outcome: 'applied',
      state: { status: 'CONFIRMED', paymentId: fact.paymentId },
      events: [{ eventType: 'BookingConfirmed', actor: BOOKING_SERVICE }],
    });
  });

  it('confirms an authorization the PSP made within the hold although payment learned it only after the hold expired (a PSP query)', async () => {
    const bookings = new FakeBookings();
    const held = bookings.put(booking());
    const learnedLate = new Date(held.holdExpiresAt.getTime() + 10 * 60_000);
    const inTime = authorization(held.bookingId, { authorizedAt: new Date(held.holdExpiresAt.getTime() - 60_000) }, learnedLate);
    expect((await onPaymentAuthorized(TX, inTime, { ...deps(bookings), now: learnedLate })).decision).toMatchObject({ outcome: 'applied', state: { status: 'CONFIRMED' }, events: [{ eventType: 'BookingConfirmed' }] });
  });

  it('confirms an authorization made exactly at the hold expiry: "at or before" is in time', async () => {
    const bookings = new FakeBookings();
    const held = bookings.put(booking());
    const atExpiry = authorization(held.bookingId, { authorizedAt: held.holdExpiresAt }, held.holdExpiresAt);
    expect((await onPaymentAuthorized(TX, atExpiry, deps(bookings))).decision).toMatchObject({ outcome: 'applied', state: { status: 'CONFIRMED' } });
  });

  it('expires the booking when the PSP authorized after the hold, even when the event claims an earlier time of writing', async () => {
    const bookings = new FakeBookings();
    const held = bookings.put(booking());
    const late = authorization(held.bookingId, { authorizedAt: new Date(held.holdExpiresAt.getTime() + 1) }, NOW);
    expect((await onPaymentAuthorized(TX, late, deps(bookings))).decision).toMatchObject({ outcome: 'applied', state: { status: 'EXPIRED' }, events: [{ eventType: 'BookingExpired', payload: { reason: 'AUTHORIZED_AFTER_HOLD_EXPIRED' } }] });
  });

  it('expires the booking when payment recorded the authorization after the hold (an event from before authorizedAt existed), however early it is consumed', async () => {
    const bookings = new FakeBookings();
    const held = bookings.put(booking());
    const late = authorization(held.bookingId, {}, new Date(held.holdExpiresAt.getTime() + 1));
    expect((await onPaymentAuthorized(TX, late, deps(bookings))).decision).toMatchObject({ outcome: 'applied', state: { status: 'EXPIRED' }, events: [{ eventType: 'BookingExpired' }] });
  });

  it('refuses an amount in a currency the platform does not support', async () => {
    const bookings = new FakeBookings();
    const held = bookings.put(booking());
    const odd = authorization(held.bookingId, { authorizedAmount: { amountMinor: 12_000n, currency: 'XXX' } });
    expect((await onPaymentAuthorized(TX, odd, deps(bookings))).decision).toMatchObject({ outcome: 'refused', refused: 'UNSUPPORTED_CURRENCY' });
  });
});
