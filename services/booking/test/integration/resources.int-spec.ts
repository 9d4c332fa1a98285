import { randomUUID } from 'node:crypto';
import { BookingHeld, RegisterResource, RequestBooking } from '@txn/contracts';
import { DEFAULT_BOOKING_SETTINGS } from '../../src/settings';
import { BookingMessages, HOUR_MS, startBookingInProcess, type BookingInProcess } from './support';

// RegisterResource on the booking service in-process (real PostgreSQL, Kafka, registry): a
// merchant makes a resource exist, then books it; the same command again changes nothing but is
// answered; a customer may not.

const TENANT = 'merchant-resources';
const MERCHANT_KEY = { type: 'API_KEY', id: 'key-resources' } as const;
const messages = new BookingMessages(TENANT, 'booking-resources-test');

describe('booking resources (in-process, real PostgreSQL, Kafka, registry)', () => {
  let booking: BookingInProcess;

  beforeAll(async () => {
    booking = await startBookingInProcess({ suiteName: 'booking-resources', settings: DEFAULT_BOOKING_SETTINGS, read: [BookingHeld.topic] });
  });

  afterAll(async () => {
    await booking?.close();
  });

  function register(resourceId: string, name: string, actor: RegisterResource['envelope']['actor'] = MERCHANT_KEY): RegisterResource {
    return { envelope: messages.envelope('RegisterResource', resourceId, actor), resourceId, name };
  }

  /** The events booking wrote for a resource (its outbox, keyed by the resource id), oldest first. */
  async function outboxOf(resourceId: string): Promise<string[]> {
    const rows = await booking.pool.query<{ event_type: string }>('SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY id', [resourceId]);
    return rows.rows.map((row) => row.event_type);
  }

  it('makes a resource exist for its merchant, publishes ResourceRegistered, and a booking on it is held', async () => {
    const resourceId = `court-${randomUUID().slice(0, 8)}`;
    const command = register(resourceId, 'Court 1');
    await booking.send(RegisterResource, command, resourceId);
    expect(await booking.waitForOutcome(command.envelope.eventId)).toEqual(['applied']);
    const rows = await booking.pool.query('SELECT tenant_id, name FROM resources WHERE resource_id = $1', [resourceId]);
    expect(rows.rows).toEqual([{ tenant_id: TENANT, name: 'Court 1' }]);
    expect(await outboxOf(resourceId)).toEqual(['ResourceRegistered']);

    const request = messages.requestBooking(resourceId, new Date(Date.now() + 24 * HOUR_MS));
    await booking.send(RequestBooking, request, request.bookingId);
    expect(await booking.waitForEvent(request.bookingId, 'BookingHeld')).toMatchObject({ value: { statusAfter: 'HELD' } });
  });

  it('confirms the same registration again (created false), renames on another name, and refuses a customer', async () => {
    const resourceId = `room-${randomUUID().slice(0, 8)}`;
    const first = register(resourceId, 'Room');
    await booking.send(RegisterResource, first, resourceId);
    expect(await booking.waitForOutcome(first.envelope.eventId)).toEqual(['applied']);
    const again = register(resourceId, 'Room');
    await booking.send(RegisterResource, again, resourceId);
    expect(await booking.waitForOutcome(again.envelope.eventId)).toEqual(['applied']);
    const renamed = register(resourceId, 'Blue room');
    await booking.send(RegisterResource, renamed, resourceId);
    expect(await booking.waitForOutcome(renamed.envelope.eventId)).toEqual(['applied']);
    const byCustomer = register(resourceId, 'Mine now', { type: 'USER', id: 'customer-1' });
    await booking.send(RegisterResource, byCustomer, resourceId);
    expect(await booking.waitForOutcome(byCustomer.envelope.eventId)).toEqual(['rejected']);
    const rows = await booking.pool.query('SELECT name FROM resources WHERE resource_id = $1', [resourceId]);
    expect(rows.rows).toEqual([{ name: 'Blue room' }]);
    // Created, confirmed, renamed; the refusal published nothing.
    expect(await outboxOf(resourceId)).toEqual(['ResourceRegistered', 'ResourceRegistered', 'ResourceRegistered']);
    expect(await booking.metricValue('booking_decisions_total', { message_type: 'RegisterResource', outcome: 'rejected', reason: 'NOT_MERCHANT' })).toBe(1);
  });
});
