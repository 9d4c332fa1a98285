import { sagaDeadline, type Booking, type BookingDecision, type DeadlinePolicy } from '@txn/booking-domain';
import type { Decided, DecisionStore, Subject } from '@txn/nest-messaging';
import type { Bookings } from './ports';

/** What the store needs besides the decision: the booking as read (undefined: the decision creates it). */
export interface BookingWrite {
  readonly before: Booking | undefined;
  /** The use case already inserted the row (the hold, under the exclusion constraint). */
  readonly inserted?: boolean;
}

export type BookingDecided = Decided<BookingDecision, BookingWrite>;

export function bookingSubject(booking: Pick<Booking, 'bookingId' | 'tenantId' | 'status'> | undefined, bookingId: string, tenantId: string): Subject {
  // The booking is its own saga: its id correlates every event of the flow.
  return { aggregateId: bookingId, tenantId: booking?.tenantId ?? tenantId, correlationId: bookingId, status: booking?.status ?? null };
}

/**
 * Booking's port for the one settle path: an applied decision stores the booking with the
 * deadline of the stage it is now in (by this service's deadline policy, a domain rule), an
 * unapplied message is recorded in unapplied_messages.
 */
export function bookingDecisionStore(bookings: Bookings, deadlinePolicy: DeadlinePolicy): DecisionStore<BookingDecision, BookingWrite> {
  return {
    async storeApplied(tx, { decision, write }) {
      const booking = decision.state;
      const deadline = sagaDeadline(booking, deadlinePolicy);
      if (write.before !== undefined) await bookings.update(tx, booking, write.before.version, deadline);
      else if (write.inserted !== true) await bookings.insert(tx, booking, deadline);
    },
    recordUnapplied: (tx, record) => bookings.recordUnapplied(tx, record),
  };
}
