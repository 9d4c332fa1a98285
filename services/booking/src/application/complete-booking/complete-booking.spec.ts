import type { CompleteBooking } from '@txn/contracts';
import { booking, captured, envelope, FakeBookings, HOUR_MS, NOW, TX } from '../../../test/unit/fake-bookings';
import { completeBooking } from './complete-booking';

const MERCHANT = { type: 'API_KEY' as const, id: 'key-1' };

function completion(bookingId: string, deliveredAt = new Date(NOW.getTime() - HOUR_MS)): CompleteBooking {
  return { envelope: envelope('CompleteBooking', MERCHANT, bookingId), bookingId, deliveredAt, reason: null };
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
});
