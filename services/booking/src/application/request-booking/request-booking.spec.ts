import { randomUUID } from 'node:crypto';
import { DEFAULT_DEADLINE_POLICY, DEFAULT_HOLD_POLICY } from '@txn/booking-domain';
import type { RequestBooking } from '@txn/contracts';
import { booking, CUSTOMER, envelope, FakeBookings, HOUR_MS, NOW, TX } from '../../../test/unit/fake-bookings';
import { requestBooking } from './request-booking';

function request(bookings: FakeBookings, overrides: Partial<RequestBooking> = {}): RequestBooking {
  const bookingId = randomUUID();
  return {
    envelope: envelope('RequestBooking', CUSTOMER, bookingId),
    bookingId,
    customerId: 'customer-1',
    customerEmail: null,
    slot: { resourceId: bookings.addResource(), startsAt: new Date(NOW.getTime() + 48 * HOUR_MS), endsAt: new Date(NOW.getTime() + 49 * HOUR_MS) },
    price: { amountMinor: 12_000n, currency: 'EUR' },
    holdExpiresAt: new Date(NOW.getTime() + 15 * 60_000),
    requestIdempotencyKey: randomUUID(),
    ...overrides,
  };
}

const deps = (bookings: FakeBookings) => ({ bookings, holdPolicy: DEFAULT_HOLD_POLICY, deadlinePolicy: DEFAULT_DEADLINE_POLICY, now: NOW });

describe('requesting a booking', () => {
  it('holds a free slot: the HELD row is written by the use case itself, under the slot constraint, with its HOLD deadline (hold expiry + grace)', async () => {
    const bookings = new FakeBookings();
    const command = request(bookings);
    const decided = await requestBooking(TX, command, deps(bookings));
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { status: 'HELD' }, events: [{ eventType: 'BookingHeld', actor: CUSTOMER }] });
    expect(decided.write).toEqual({ before: undefined, inserted: true });
    expect(decided.subject).toEqual({ aggregateId: command.bookingId, tenantId: command.envelope.tenantId, correlationId: command.bookingId, status: null });
    expect(bookings.rows.get(command.bookingId)?.deadline).toEqual({ stage: 'HOLD', at: new Date(command.holdExpiresAt.getTime() + DEFAULT_DEADLINE_POLICY.holdExpiryGrace_ms) });
  });

  it('rejects a slot that overlaps a live booking (SLOT_UNAVAILABLE) and writes nothing itself', async () => {
    const bookings = new FakeBookings();
    const first = request(bookings);
    await requestBooking(TX, first, deps(bookings));
    const second = request(bookings, { slot: { ...first.slot, startsAt: new Date(first.slot.startsAt.getTime() + 60_000) } });
    const decided = await requestBooking(TX, second, deps(bookings));
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { status: 'REJECTED' }, events: [{ eventType: 'BookingRejected', payload: { rejectionCode: 'SLOT_UNAVAILABLE' } }] });
    expect(decided.write).toEqual({ before: undefined });
    expect(bookings.stored(second.bookingId)).toBeUndefined();
  });

  it('rejects a slot on a resource the merchant does not have (INVALID_SLOT), and one in the past (SLOT_IN_PAST)', async () => {
    const bookings = new FakeBookings();
    const unknown = request(bookings, { slot: { resourceId: 'not-ours', startsAt: new Date(NOW.getTime() + HOUR_MS), endsAt: new Date(NOW.getTime() + 2 * HOUR_MS) } });
    expect((await requestBooking(TX, unknown, deps(bookings))).decision).toMatchObject({ events: [{ payload: { rejectionCode: 'INVALID_SLOT' } }] });
    const past = request(bookings);
    const inPast = { ...past, slot: { ...past.slot, startsAt: new Date(NOW.getTime() - HOUR_MS), endsAt: new Date(NOW.getTime() + HOUR_MS) } };
    expect((await requestBooking(TX, inPast, deps(bookings))).decision).toMatchObject({ events: [{ payload: { rejectionCode: 'SLOT_IN_PAST' } }] });
  });

  it('answers a request for a booking already decided as stale, whatever became of it', async () => {
    const bookings = new FakeBookings();
    const existing = bookings.put(booking({ status: 'CANCELLED', version: 2n }));
    const decided = await requestBooking(TX, { ...request(bookings), bookingId: existing.bookingId }, deps(bookings));
    expect(decided.decision).toMatchObject({ outcome: 'stale', stale: 'ALREADY_DECIDED' });
    expect(decided.subject.status).toBe('CANCELLED');
  });

  it('rejects a customer asking for a booking in another customer\'s name (NOT_BOOKING_CUSTOMER), and lets a merchant book for any customer', async () => {
    const bookings = new FakeBookings();
    const impostor = request(bookings, { customerId: 'customer-2' });
    const decided = await requestBooking(TX, impostor, deps(bookings));
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { status: 'REJECTED' }, events: [{ eventType: 'BookingRejected', payload: { rejectionCode: 'NOT_BOOKING_CUSTOMER' } }] });
    expect(bookings.stored(impostor.bookingId)).toBeUndefined();

    const byMerchant = request(bookings, { customerId: 'customer-2' });
    const onBehalf = { ...byMerchant, envelope: envelope('RequestBooking', { type: 'API_KEY', id: 'merchant-key' }, byMerchant.bookingId) };
    expect((await requestBooking(TX, onBehalf, deps(bookings))).decision).toMatchObject({ outcome: 'applied', state: { status: 'HELD', customerId: 'customer-2' } });
  });
});
