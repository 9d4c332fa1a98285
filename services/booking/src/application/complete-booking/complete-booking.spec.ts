import type { Actor, CompleteBooking } from '@txn/contracts';
import { booking, captured, CUSTOMER, envelope, FakeBookings, HOUR_MS, NOW, TX } from '../../../test/unit/fake-bookings';
import { completeBooking } from './complete-booking';

const MERCHANT = { type: 'API_KEY' as const, id: 'key-1' };

function completion(bookingId: string, deliveredAt = new Date(NOW.getTime() - HOUR_MS), actor: Actor = MERCHANT): CompleteBooking {
  return { envelope: envelope('CompleteBooking', actor, bookingId), bookingId, deliveredAt, reason: null };
}

describe('completing a booking', () => {
  it('completes a captured booking: escrow may go to the merchant', async () => {
    const bookings = new FakeBookings();
    const confirmed = bookings.put(captured());
    const decided = await completeBooking(TX, completion(confirmed.bookingId), { bookings, now: NOW });
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { status: 'COMPLETED' }, events: [{ eventType: 'BookingCompleted', actor: MERCHANT, payload: { paymentId: confirmed.paymentId } }] });
  });

  it('refuses a booking that is not confirmed, or whose capture has not been recorded yet', async () => {
    const bookings = new FakeBookings();
    const held = bookings.put(booking());
    const uncaptured = bookings.put(captured({ capturedAmount: null }));
    expect((await completeBooking(TX, completion(held.bookingId), { bookings, now: NOW })).decision).toMatchObject({ outcome: 'refused', refused: 'NOT_CONFIRMED' });
    expect((await completeBooking(TX, completion(uncaptured.bookingId), { bookings, now: NOW })).decision).toMatchObject({ outcome: 'refused', refused: 'NOT_CAPTURED' });
  });

  it("refuses a completion from a customer who is not the booking's own (NOT_BOOKING_CUSTOMER): it would release the escrow to the merchant", async () => {
    const bookings = new FakeBookings();
    const confirmed = bookings.put(captured());
    const decided = await completeBooking(TX, completion(confirmed.bookingId, undefined, { type: 'USER', id: 'customer-2' }), { bookings, now: NOW });
    expect(decided.decision).toMatchObject({ outcome: 'refused', refused: 'NOT_BOOKING_CUSTOMER' });
    // Unchanged: the same state, nothing for the settle path to store.
    expect(decided.decision).toMatchObject({ state: confirmed });
  });

  it("lets the booking's own customer confirm delivery, and the platform complete", async () => {
    for (const actor of [CUSTOMER, { type: 'SERVICE', id: 'backoffice' } as const]) {
      const bookings = new FakeBookings();
      const confirmed = bookings.put(captured());
      expect((await completeBooking(TX, completion(confirmed.bookingId, undefined, actor), { bookings, now: NOW })).decision).toMatchObject({ outcome: 'applied', state: { status: 'COMPLETED' }, events: [{ actor }] });
    }
  });
});
