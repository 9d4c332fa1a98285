import type { SqlTransaction } from '@txn/sql';
import { eventFacts, type ProjectionOutcome, type RecordPosition } from '../../read-models/event-facts';
import { upsertView } from '../../read-models/upsert-view';
import { bookingPatch, type BookingEvent } from './booking-patches';
import type { Patch } from '../../read-models/upsert-view';

/**
 * One booking event onto the booking's read-model row (booking's aggregateVersion orders them;
 * the API's REQUESTED row is version 0, so BookingHeld, version 1, replaces it).
 */
export function projectBookingEvent<E extends BookingEvent>(tx: SqlTransaction, event: E, fields: (event: E) => Patch, position: RecordPosition | null): Promise<ProjectionOutcome> {
  return upsertView(tx, 'booking', { ...eventFacts(event.envelope, position), aggregateId: event.bookingId }, bookingPatch(event, fields));
}
