import type { Actor, CancelBooking } from '@txn/contracts';
import { booking, captured, CUSTOMER, envelope, FakeBookings, NOW, TENANT, TX } from '../../../test/unit/fake-bookings';
import { cancelBooking } from './cancel-booking';

function cancellation(bookingId: string, overrides: Partial<CancelBooking> = {}, actor: Actor = CUSTOMER): CancelBooking {
  return { envelope: envelope('CancelBooking', actor, bookingId), bookingId, reason: 'CUSTOMER_REQUEST', ...overrides };
}

/** Another customer of the same merchant: same tenant, so only the customer check stands between them and the booking. */
const OTHER_CUSTOMER: Actor = { type: 'USER', id: 'customer-2' };

describe('cancelling a booking', () => {
  it('cancels a held booking with nothing to refund (payment voids)', async () => {
    const bookings = new FakeBookings();
    const held = bookings.put(booking());
    const decided = await cancelBooking(TX, cancellation(held.bookingId), { bookings, now: NOW });
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { status: 'CANCELLED', refundAmount: null }, events: [{ eventType: 'BookingCancelled', actor: CUSTOMER }] });
    expect(decided.write.before).toBe(held);
  });

  it('refunds a captured booking by the terms it was booked under, not the platform default', async () => {
    const bookings = new FakeBookings();
    // 48 h notice: the default policy refunds in full, this merchant's only a quarter.
    bookings.policies.set(TENANT, { tiers: [{ minNotice_ms: 24 * 3_600_000, refund_bp: 2_500 }], otherwise_bp: 0 });
    const confirmed = bookings.put(captured());
    const decided = await cancelBooking(TX, cancellation(confirmed.bookingId), { bookings, now: NOW });
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { refundAmount: { amountMinor: 3_000n, currency: 'EUR' } } });
  });

  it('throws on a stored policy that breaks the policy rules rather than refund by a guess', async () => {
    const bookings = new FakeBookings();
    bookings.policies.set(TENANT, { tiers: [], otherwise_bp: 10_001 });
    const confirmed = bookings.put(captured());
    await expect(cancelBooking(TX, cancellation(confirmed.bookingId), { bookings, now: NOW })).rejects.toThrow(/0..10000/);
  });

  it('answers another merchant\'s booking exactly like an unknown one', async () => {
    const bookings = new FakeBookings();
    const theirs = bookings.put(booking({ tenantId: 'merchant-2' }));
    const unknown = await cancelBooking(TX, cancellation('1f3c6a52-2b34-4d4e-9b1a-7c8d9e0f1a2b'), { bookings, now: NOW });
    const foreign = await cancelBooking(TX, cancellation(theirs.bookingId), { bookings, now: NOW });
    expect(unknown.decision).toMatchObject({ outcome: 'refused', refused: 'UNKNOWN_BOOKING' });
    expect(foreign.decision).toMatchObject({ outcome: 'refused', refused: 'UNKNOWN_BOOKING' });
    expect(foreign.subject).toMatchObject({ status: null, tenantId: TENANT });
  });

  it("refuses a cancellation from a customer who is not the booking's own (NOT_BOOKING_CUSTOMER), before saying anything about its state", async () => {
    const bookings = new FakeBookings();
    const confirmed = bookings.put(captured());
    const cancelled = bookings.put(booking({ status: 'CANCELLED', version: 2n }));
    const decided = await cancelBooking(TX, cancellation(confirmed.bookingId, {}, OTHER_CUSTOMER), { bookings, now: NOW });
    expect(decided.decision).toMatchObject({ outcome: 'refused', refused: 'NOT_BOOKING_CUSTOMER' });
    // Unchanged: the same state, nothing for the settle path to store.
    expect(decided.decision).toMatchObject({ state: confirmed });
    expect(decided.subject).toMatchObject({ status: 'CONFIRMED' });
    // Not ALREADY_CANCELLED: a stranger learns nothing about someone else's booking.
    expect((await cancelBooking(TX, cancellation(cancelled.bookingId, {}, OTHER_CUSTOMER), { bookings, now: NOW })).decision).toMatchObject({ outcome: 'refused', refused: 'NOT_BOOKING_CUSTOMER' });
  });

  it('lets the merchant and the platform (its services, timers and staff tools) cancel any booking of the merchant, refunding in full', async () => {
    const platform: Actor[] = [{ type: 'API_KEY', id: 'merchant-key' }, { type: 'SERVICE', id: 'backoffice' }, { type: 'SYSTEM', id: 'operations' }];
    for (const actor of platform) {
      const bookings = new FakeBookings();
      // 48 h notice under a policy that would give a customer only a quarter back.
      bookings.policies.set(TENANT, { tiers: [{ minNotice_ms: 96 * 3_600_000, refund_bp: 10_000 }], otherwise_bp: 2_500 });
      const confirmed = bookings.put(captured());
      const decided = await cancelBooking(TX, cancellation(confirmed.bookingId, { reason: 'MERCHANT_UNAVAILABLE' }, actor), { bookings, now: NOW });
      expect(decided.decision).toMatchObject({ outcome: 'applied', state: { status: 'CANCELLED', refundAmount: { amountMinor: 12_000n } }, events: [{ eventType: 'BookingCancelled', actor }] });
    }
  });
});
