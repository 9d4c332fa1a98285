import { randomUUID } from 'node:crypto';
import { RequestBooking, type Actor, type Envelope } from '@txn/contracts';
import type { PlatformInProcess } from './platform-in-process';
import { HOUR_MS, PRICE_MINOR } from './saga-figures';

/** Far from the slot: no deadline of the slot races a test, and the default refund policy gives 100 % (until 24 h before the start). */
const SLOT_LEAD_MS = 48 * HOUR_MS;
/** A hold long enough that no test races the expiry sweeper, unless it asks for a shorter one. */
export const DEFAULT_HOLD_MS = 15 * 60_000;

/** An envelope as a test's caller (the API, a merchant, a customer) writes it: a fresh event id, the suite's merchant. */
export function testEnvelope(platform: Pick<PlatformInProcess, 'tenantId'>, eventType: string, aggregateId: string, actor: Actor): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'e2e-test', aggregateId, aggregateVersion: 0n, correlationId: aggregateId, causationId: null, actor, tenantId: platform.tenantId };
}

/** A customer's booking of a fresh resource of the suite's merchant, sent as RequestBooking; the request as sent. */
/** What a booking request needs of a platform: in-process or processes alike. */
export type BookingPlatform = Pick<PlatformInProcess, 'tenantId' | 'send'> & { readonly booking: { readonly pool: Pick<PlatformInProcess['booking']['pool'], 'query'> } };

export async function requestBookingOn(platform: BookingPlatform, customerId: string, holdFor_ms = DEFAULT_HOLD_MS): Promise<RequestBooking> {
  const resourceId = `room-${randomUUID().slice(0, 8)}`;
  await platform.booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [platform.tenantId, resourceId, 'E2E room']);
  const bookingId = randomUUID();
  const startsAt = new Date(Date.now() + SLOT_LEAD_MS);
  const request: RequestBooking = {
    envelope: testEnvelope(platform, 'RequestBooking', bookingId, { type: 'USER', id: customerId }),
    bookingId,
    requestIdempotencyKey: randomUUID(),
    customerId,
    customerEmail: null,
    slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
    price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
    holdExpiresAt: new Date(Date.now() + holdFor_ms),
  };
  await platform.send(RequestBooking, request, bookingId);
  return request;
}
